/** What a model's input and labels are made of, saved with the model so serving uses training's features. */
import { z } from 'zod';

export const FEATURE_CHANNELS = [
  'ret_open',
  'ret_high',
  'ret_low',
  'ret_close',
  'log_volume_z',
  'rsi14',
  'macd_hist',
  'bollinger_pct_b',
  'volume_vs_ma',
] as const;
export type FeatureChannel = (typeof FEATURE_CHANNELS)[number];

export const FeatureSpecSchema = z.object({
  channels: z.array(z.enum(FEATURE_CHANNELS)).min(1),
  /** Candles per window (T). */
  windowLength: z.number().int().min(2).max(2000),
  /**
   * Closed candles before the window that the indicators read (EMA, RSI, z-score history). Every
   * window's features are computed from exactly warmup + windowLength candles, so a window's input
   * depends on nothing else.
   */
  warmup: z.number().int().min(30).max(2000),
});
export type FeatureSpec = z.output<typeof FeatureSpecSchema>;

export const LabelSpecSchema = z.object({
  /** Candles ahead whose return decides the label (H). */
  horizon: z.number().int().min(1).max(1000),
  /** Threshold = k · σ · √H, σ the std of 1-candle log returns over the window. */
  thresholdK: z.number().positive(),
});
export type LabelSpec = z.output<typeof LabelSpecSchema>;

export const NormalizationSchema = z.object({ mean: z.array(z.number()), std: z.array(z.number().positive()) });
export type Normalization = z.output<typeof NormalizationSchema>;

export const DEFAULT_FEATURE_SPEC: FeatureSpec = { channels: [...FEATURE_CHANNELS], windowLength: 60, warmup: 100 };
/** k = 0.43 puts about a third of a random walk's windows in each class. */
export const DEFAULT_LABEL_SPEC: LabelSpec = { horizon: 15, thresholdK: 0.43 };
