/** The chart's indicators as the user sets them up: kind, parameters, colour, visibility, in order. */
import { z } from 'zod';
import { FEATURE_CHANNELS } from './feature-spec';

/** Overlays draw on the price pane; the others each have a pane of their own below it. */
export const OVERLAY_KINDS = ['sma', 'ema', 'bollinger', 'vwap'] as const;
export const PANE_KINDS = ['volume', 'rsi', 'macd', 'channel'] as const;
export const INDICATOR_KINDS = [...OVERLAY_KINDS, ...PANE_KINDS] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];

/** Each kind's parameters, named, with their defaults (the length of `params`). */
export const INDICATOR_PARAMS: Record<IndicatorKind, readonly { name: string; value: number }[]> = {
  sma: [{ name: 'length', value: 20 }],
  ema: [{ name: 'length', value: 20 }],
  bollinger: [
    { name: 'length', value: 20 },
    { name: 'width (σ)', value: 2 },
  ],
  vwap: [],
  volume: [],
  rsi: [{ name: 'length', value: 14 }],
  macd: [
    { name: 'fast', value: 12 },
    { name: 'slow', value: 26 },
    { name: 'signal', value: 9 },
  ],
  channel: [],
};

export const IndicatorConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/),
    kind: z.enum(INDICATOR_KINDS),
    params: z.array(z.number().positive().max(1000)).max(3).default([]),
    /** For a `channel` pane: which of the model's input channels it shows. */
    channel: z.enum(FEATURE_CHANNELS).optional(),
    colour: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .default('#2962ff'),
    visible: z.boolean().default(true),
  })
  .refine((c) => c.params.length === INDICATOR_PARAMS[c.kind].length, { message: "an indicator's parameters must match its kind" })
  .refine((c) => (c.kind === 'channel') === (c.channel !== undefined), { message: 'a channel pane names its channel, and only it' });
export type IndicatorConfig = z.output<typeof IndicatorConfigSchema>;

/** As TradingView opens a chart: volume under the price. */
export const DEFAULT_INDICATORS: IndicatorConfig[] = [{ id: 'volume', kind: 'volume', params: [], colour: '#26a69a', visible: true }];
