/** The audit export, pure: the `audit` command prints it, the audit view downloads it. */
import type { Signal } from '../ipc/contract';

export interface AuditRow {
  signal: Signal;
  /** The alerts it fired, as `class>=probability`. */
  alertsFired: string[];
  /** What re-running it gave ('reproduced', 'differs', ...); empty when it was not re-run. */
  verdict?: string;
}

const HEADER =
  'id,exchange,category,symbol,interval,candle_start,model_version,input_hash,predicted,p_buy,p_hold,p_sell,method,cam,features,alerts_fired,reproduced';

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = rows.map(({ signal, alertsFired, verdict = '' }) =>
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
      csvField(alertsFired.join(' ')),
      csvField(verdict),
    ].join(','),
  );
  return [HEADER, ...lines].map((line) => `${line}\n`).join('');
}
