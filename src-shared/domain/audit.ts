/** Auditing stored signals: the verdicts of a re-run and the audit export. */
import type { Signal } from './signal';

/** What re-running a stored signal from its stored inputs gave. */
export const AUDIT_VERDICTS = ['reproduced', 'differs', 'not re-run'] as const;
export type AuditVerdict = (typeof AUDIT_VERDICTS)[number];

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

/** The audit export: the `audit` command prints it, the audit view downloads it. */
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
