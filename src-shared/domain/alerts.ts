/** Alert rules on live signals and the alerts they fired. */
import { z } from 'zod';
import { CategorySchema, EpochMs, IntervalSchema, SymbolName } from './market';
import { SignalClass } from './signal';

/** An alert per symbol: fire when a signal of `class` reaches the probability (and attention concentration). */
export const AlertRuleInput = z
  .object({
    exchange: z.literal('bybit').default('bybit'),
    category: CategorySchema.default('linear'),
    symbol: SymbolName,
    class: SignalClass,
    minProbability: z.number().min(0).max(1),
    minConcentration: z.number().min(0).max(1).default(0),
  })
  .strict();
export const AlertRuleSchema = AlertRuleInput.extend({ id: z.number().int(), createdAt: EpochMs });
export type AlertRule = z.output<typeof AlertRuleSchema>;

export const FiredAlertSchema = z.object({
  id: z.number().int(),
  rule: AlertRuleSchema,
  signalId: z.number().int(),
  interval: IntervalSchema,
  candleStart: EpochMs,
  probability: z.number(),
  concentration: z.number(),
  firedAt: EpochMs,
  thumbnail: z.string().nullable(),
});
export type FiredAlert = z.output<typeof FiredAlertSchema>;

/** The largest alert thumbnail, a PNG data URL, in characters. */
export const MAX_THUMBNAIL_CHARS = 4_000_000;
export const PngDataUrl = z
  .string()
  .max(MAX_THUMBNAIL_CHARS)
  .regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/, 'png must be a PNG data URL');

/** The notification's words, the same in Electron and in a browser. */
export function alertText(alert: FiredAlert): { title: string; body: string } {
  return {
    title: `${alert.rule.class.toUpperCase()} ${alert.rule.symbol} ${alert.interval}`,
    body: `${(alert.probability * 100).toFixed(0)}% · attention focus ${(alert.concentration * 100).toFixed(0)}% · candle ${new Date(alert.candleStart).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}
