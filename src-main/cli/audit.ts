/**
 * `audit --db PATH [--verify]`: every stored signal as CSV (model version, input hash, probabilities,
 * method, explanation, alerts it fired); with --verify each one is re-run from its stored candles
 * and the line says whether it was reproduced bit for bit.
 */
import { AlertStore } from '../alerts/alerts';
import { auditRows, verifySignal } from '../audit/audit';
import { auditCsv } from '../../src-shared/domain/audit';
import { createEngine } from '../engine/engine';
import { SignalStore } from '../store/signals';
import { parse, UsageError } from './args';

export async function commandAudit(args: string[]): Promise<void> {
  const { values } = parse(args, { db: { type: 'string' }, verify: { type: 'boolean' } });
  if (values.db === undefined) throw new UsageError('--db PATH is required');
  const engine = createEngine({ storePath: values.db, seedSample: false, market: false, modelPath: values.verify ? undefined : false });
  try {
    await engine.model?.ready;
    const signals = new SignalStore(engine.store.db);
    const rows = auditRows({ candles: engine.store, signals, alerts: new AlertStore(engine.store.db) });
    if (values.verify) {
      for (const row of rows) {
        const { verdict, detail } = await verifySignal(engine.model, row.signal, signals.forecastExplanations(row.signal.id));
        row.verdict = verdict === 'not re-run' ? `${verdict}: ${detail}` : verdict;
      }
    }
    process.stdout.write(auditCsv(rows));
    if (values.verify) {
      const reproduced = rows.filter((r) => r.verdict === 'reproduced').length;
      process.stderr.write(`audit: ${reproduced} of ${rows.length} signals reproduced bit for bit\n`);
    }
  } finally {
    engine.close();
  }
}
