/**
 * `audit --db PATH [--verify]`: every stored signal as CSV (model version, input hash, probabilities,
 * method, explanation, alerts it fired); with --verify each one is re-run from its stored candles
 * and the line says whether it came out identical.
 */
import { AlertStore } from '../alerts/alerts';
import { createEngine } from '../engine/engine';
import type { Signal } from '../ipc/contract';
import { SignalStore } from '../store/signals';
import { parse, UsageError } from './args';

const HEADER =
  'id,exchange,category,symbol,interval,candle_start,model_version,input_hash,predicted,p_buy,p_hold,p_sell,method,cam,features,alerts_fired,reproduced';

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function commandAudit(args: string[]): Promise<void> {
  const { values } = parse(args, { db: { type: 'string' }, verify: { type: 'boolean' } });
  if (values.db === undefined) throw new UsageError('--db PATH is required');
  const engine = createEngine({ storePath: values.db, seedSample: false, market: false, modelPath: values.verify ? undefined : false });
  try {
    await engine.model?.ready;
    const signals = new SignalStore(engine.store.db);
    const alerts = new AlertStore(engine.store.db);
    const lines = [HEADER];
    let reproduced = 0;
    let checked = 0;
    for (const stream of engine.store.streams()) {
      for (const signal of signals.list({ ...stream, exchange: 'bybit' }, 0, Number.MAX_SAFE_INTEGER, 1_000_000)) {
        let verdict = '';
        if (values.verify) {
          verdict = await rerun(engine.model, signal);
          checked += 1;
          if (verdict === 'identical') reproduced += 1;
        }
        const fired = alerts.fired(1000, signal.id).map((a) => `${a.rule.class}>=${a.rule.minProbability}`);
        lines.push(
          [
            signal.id,
            signal.exchange,
            signal.category,
            signal.symbol,
            signal.interval,
            signal.candleStart,
            signal.modelVersion,
            signal.inputHash,
            signal.predicted,
            ...signal.probabilities,
            signal.method,
            csvField(signal.cam.join(' ')),
            csvField(signal.features.map((f) => `${f.name}=${f.attribution}`).join(' ')),
            csvField(fired.join(' ')),
            verdict,
          ].join(','),
        );
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    if (values.verify) process.stderr.write(`audit: ${reproduced} of ${checked} signals reproduced bit for bit\n`);
  } finally {
    engine.close();
  }
}

/** Re-runs a stored signal with its model from its candles; says how it compares. */
async function rerun(model: ReturnType<typeof createEngine>['model'], signal: Signal): Promise<string> {
  if (model === undefined) return 'no model';
  try {
    const again = await model.explainStored(signal.id, signal.method, {});
    const same =
      JSON.stringify([again.probabilities, again.cam, again.features]) ===
      JSON.stringify([signal.probabilities, signal.cam, signal.features]);
    return same ? 'identical' : 'DIFFERENT';
  } catch (err) {
    return csvField(`not re-run: ${(err as Error).message}`);
  }
}
