/** Auditing stored signals: the verdicts of a re-run, the filter and sort of the list, and the audit export. */
import { z } from 'zod';
import { EpochMs, StreamKey } from './market';
import type { Signal } from './signal';
import { SignalClass } from './signal';

/** Which stored signals the audit shows: every field left out matches all. */
export const AuditFilterSchema = z
  .object({
    stream: StreamKey.optional(),
    modelVersion: z.string().min(1).optional(),
    predicted: SignalClass.optional(),
    /** Candle start, inclusive. */
    from: EpochMs.optional(),
    to: EpochMs.optional(),
  })
  .strict()
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, { message: 'the range ends before it starts' });
export type AuditFilter = z.output<typeof AuditFilterSchema>;

/** By candle time, newest or oldest first (ties by id, the order they were stored in). */
export const AUDIT_ORDERS = ['newest', 'oldest'] as const;
export type AuditOrder = (typeof AUDIT_ORDERS)[number];

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

export const AUDIT_CSV_HEADER =
  'id,exchange,category,symbol,interval,candle_start,model_version,input_hash,predicted,p_buy,p_hold,p_sell,method,cam,features,forecasts,alerts_fired,reproduced';

/** A signal's forecasts in the export: `volatility=… var0.01=… sharp=… horizon=…`; empty without a forecast head. */
function forecastsField(forecasts: Signal['forecasts']): string {
  if (forecasts === undefined) return '';
  return [
    ...(forecasts.volatility === undefined ? [] : [`volatility=${forecasts.volatility}`]),
    ...(forecasts.var ?? []).map((v) => `var${v.quantile}=${v.logReturn}`),
    ...(forecasts.sharpMove === undefined ? [] : [`sharp=${forecasts.sharpMove}`]),
    ...(forecasts.horizon === undefined ? [] : [`horizon=${forecasts.horizon}`]),
  ].join(' ');
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The audit export: the `audit` command prints it, the audit view downloads it. */
export function auditCsv(rows: readonly AuditRow[]): string {
  return `${AUDIT_CSV_HEADER}\n${auditCsvLines(rows)}`;
}

/** Rows of the audit export without its header, each ending in a newline: a view builds the file a page at a time. */
export function auditCsvLines(rows: readonly AuditRow[]): string {
  return rows
    .map(({ signal, alertsFired, verdict = '' }) =>
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
        csvField(forecastsField(signal.forecasts)),
        csvField(alertsFired.join(' ')),
        csvField(verdict),
      ].join(','),
    )
    .map((line) => `${line}\n`)
    .join('');
}
