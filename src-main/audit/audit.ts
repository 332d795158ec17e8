/**
 * The audit of stored signals, shared by the `audit` command and the bridge: every signal with the
 * alerts it fired, and the re-run of one from its stored candles, compared bit for bit.
 */
import type { AlertStore } from '../alerts/alerts';
import type { AUDIT_VERDICTS, AuditFilter, AuditOrder } from '../../src-shared/domain/audit';
import type { ForecastExplanation } from '../../src-shared/domain/forecast-explanation';
import type { Signal } from '../../src-shared/domain/signal';
import type { ModelHost } from '../signals/model-host';
import type { CandleStore } from '../store/candles';
import type { SignalStore } from '../store/signals';
import type { AuditRow } from '../../src-shared/domain/audit';

type AuditStores = { candles: CandleStore; signals: SignalStore; alerts: AlertStore };
type Firing = { signalId: number; class: string; minProbability: number };

/** Firings by signal, as `class>=probability`, in the order given. */
function firedBySignal(firings: readonly Firing[]): Map<number, string[]> {
  const bySignal = new Map<number, string[]>();
  for (const a of firings) {
    let list = bySignal.get(a.signalId);
    if (list === undefined) bySignal.set(a.signalId, (list = []));
    list.push(`${a.class}>=${a.minProbability}`);
  }
  return bySignal;
}

/** One page of the stored signals matching a filter, with the alerts each fired, and how many match in all. */
export function auditPage(
  stores: Pick<AuditStores, 'signals' | 'alerts'>,
  query: { filter: AuditFilter; order: AuditOrder; offset: number; limit: number },
): { rows: AuditRow[]; total: number } {
  const signals = stores.signals.page(query.filter, query.order, query.offset, query.limit);
  const fired = firedBySignal(stores.alerts.firingsOf(signals.map((s) => s.id)));
  return {
    rows: signals.map((signal) => ({ signal, alertsFired: fired.get(signal.id) ?? [] })),
    total: stores.signals.count(query.filter),
  };
}

/** Every stored signal, stream by stream and oldest first within one, with the alerts it fired; at most `limit`. */
export function auditRows(stores: AuditStores, limit = Number.MAX_SAFE_INTEGER): AuditRow[] {
  const rows: AuditRow[] = [];
  // Every firing in one query, by signal, newest first (rather than a query per signal).
  const fired = firedBySignal(stores.alerts.firings());
  for (const stream of stores.candles.streams()) {
    if (rows.length >= limit) break;
    for (const signal of stores.signals.list({ ...stream, exchange: 'bybit' }, 0, Number.MAX_SAFE_INTEGER, limit - rows.length)) {
      rows.push({ signal, alertsFired: fired.get(signal.id) ?? [] });
    }
  }
  return rows;
}

export type AuditVerdict = (typeof AUDIT_VERDICTS)[number];

/** What a re-run must reproduce, in a fixed order (var01 and var05 are read from `var`). */
function auditedNumbers(signal: Signal, explanations: readonly ForecastExplanation[]): unknown[] {
  const f = signal.forecasts;
  return [
    signal.probabilities,
    signal.cam,
    signal.features.map((x) => [x.name, x.attribution]),
    f === undefined ? null : [f.volatility ?? null, f.var?.map((v) => [v.quantile, v.logReturn]) ?? null, f.sharpMove ?? null],
    [...explanations]
      .sort((a, b) => a.head.localeCompare(b.head))
      .map((e) => [e.head, e.target, e.cam, e.features.map((x) => [x.name, x.attribution])]),
  ];
}

/**
 * Re-runs a stored signal with its model from its stored candles and compares what it says: the
 * call, its forecasts and the stored explanation of each (`forecastExplanations`, as the store keeps them).
 */
export async function verifySignal(
  model: Pick<ModelHost, 'rescoreStored'> | undefined,
  signal: Signal,
  forecastExplanations: readonly ForecastExplanation[],
): Promise<{ verdict: AuditVerdict; detail: string }> {
  if (model === undefined) return { verdict: 'not re-run', detail: 'this engine runs without a model' };
  try {
    const again = await model.rescoreStored(signal.id);
    const same =
      JSON.stringify(auditedNumbers(again.signal, again.forecastExplanations)) ===
      JSON.stringify(auditedNumbers(signal, forecastExplanations));
    const what = signal.forecasts === undefined ? '' : ', forecasts and their explanations';
    return same
      ? { verdict: 'reproduced', detail: `probabilities, attention and attributions${what} identical bit for bit` }
      : { verdict: 'differs', detail: 'the re-run gave other numbers from the same candles' };
  } catch (err) {
    return { verdict: 'not re-run', detail: (err as Error).message };
  }
}
