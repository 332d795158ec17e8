/**
 * The audit of stored signals, shared by the `audit` command and the bridge: every signal with the
 * alerts it fired, and the re-run of one from its stored candles, compared bit for bit.
 */
import type { AlertStore } from '../alerts/alerts';
import type { AUDIT_VERDICTS } from '../../src-shared/domain/audit';
import type { Signal } from '../../src-shared/domain/signal';
import type { ModelHost } from '../signals/model-host';
import type { CandleStore } from '../store/candles';
import type { SignalStore } from '../store/signals';
import type { AuditRow } from '../../src-shared/domain/audit';

/** Every stored signal, stream by stream and oldest first within one, with the alerts it fired; at most `limit`. */
export function auditRows(
  stores: { candles: CandleStore; signals: SignalStore; alerts: AlertStore },
  limit = Number.MAX_SAFE_INTEGER,
): AuditRow[] {
  const rows: AuditRow[] = [];
  // Every firing in one query, by signal, newest first (rather than a query per signal).
  const firedBySignal = new Map<number, string[]>();
  for (const a of stores.alerts.firings()) {
    let list = firedBySignal.get(a.signalId);
    if (list === undefined) firedBySignal.set(a.signalId, (list = []));
    list.push(`${a.class}>=${a.minProbability}`);
  }
  for (const stream of stores.candles.streams()) {
    if (rows.length >= limit) break;
    for (const signal of stores.signals.list({ ...stream, exchange: 'bybit' }, 0, Number.MAX_SAFE_INTEGER, limit - rows.length)) {
      rows.push({ signal, alertsFired: firedBySignal.get(signal.id) ?? [] });
    }
  }
  return rows;
}

export type AuditVerdict = (typeof AUDIT_VERDICTS)[number];

/** Re-runs a stored signal with its model from its stored candles and compares what it says. */
export async function verifySignal(
  model: Pick<ModelHost, 'explainStored'> | undefined,
  signal: Signal,
): Promise<{ verdict: AuditVerdict; detail: string }> {
  if (model === undefined) return { verdict: 'not re-run', detail: 'this engine runs without a model' };
  try {
    const again = await model.explainStored(signal.id, signal.method, {});
    const same =
      JSON.stringify([again.probabilities, again.cam, again.features]) ===
      JSON.stringify([signal.probabilities, signal.cam, signal.features]);
    return same
      ? { verdict: 'reproduced', detail: 'probabilities, attention and attributions identical bit for bit' }
      : { verdict: 'differs', detail: 'the re-run gave other numbers from the same candles' };
  } catch (err) {
    return { verdict: 'not re-run', detail: (err as Error).message };
  }
}
