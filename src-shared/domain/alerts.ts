/** Alert rules on live signals and the alerts they fired. */
import { z } from 'zod';
import { CategorySchema, EpochMs, IntervalSchema, SymbolName } from './market';
import { SIGNAL_CLASSES } from './signal';

/**
 * What an alert watches: a direction class's probability, or ('sharp') the sharp-move head's
 * probability that the next H candles move beyond k·σ·√H.
 */
export const ALERT_CLASSES = [...SIGNAL_CLASSES, 'sharp'] as const;
export const AlertClass = z.enum(ALERT_CLASSES);

/**
 * An alert per symbol: fire when a signal of `class` (or, for 'sharp', its sharp-move forecast) reaches
 * the probability, and the attention of what it explains its concentration.
 */
export const AlertRuleInput = z
  .object({
    exchange: z.literal('bybit').default('bybit'),
    category: CategorySchema.default('linear'),
    symbol: SymbolName,
    class: AlertClass,
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
  const sharp = alert.rule.class === 'sharp';
  return {
    title: `${sharp ? 'SHARP MOVE' : alert.rule.class.toUpperCase()} ${alert.rule.symbol} ${alert.interval}`,
    body: `${sharp ? 'sharp-move probability ' : ''}${(alert.probability * 100).toFixed(0)}% · attention focus ${(alert.concentration * 100).toFixed(0)}% · candle ${new Date(alert.candleStart).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}
