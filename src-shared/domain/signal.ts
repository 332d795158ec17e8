/** A scored and explained candle window: the product's unit of output. */
import { z } from 'zod';
import { ExplainedOutputSchema } from './forecast-explanation';
import { HeadForecastsSchema } from './forecasts';
import { CategorySchema, EpochMs, IntervalSchema, SymbolName } from './market';

export const SIGNAL_CLASSES = ['buy', 'hold', 'sell'] as const;
export const SignalClass = z.enum(SIGNAL_CLASSES);
/**
 * The CAM methods offered, each with its name in the UI, in the UI's order. A new method is an entry
 * here and its weighting in src-main/explain/cam.ts (CAM_WEIGHTINGS), which the compiler asks for.
 */
export const CAM_LABELS = { gradcam: 'Grad-CAM', gradcampp: 'Grad-CAM++', scorecam: 'Score-CAM', layercam: 'LayerCAM' } as const;
export type CamMethodName = keyof typeof CAM_LABELS;
// Object.keys types its result string[]; the keys are exactly CamMethodName, and there is at least one.
export const CAM_METHODS = Object.keys(CAM_LABELS) as [CamMethodName, ...CamMethodName[]];
export const CamMethod = z.enum(CAM_METHODS);

/**
 * One signal's deletion test: the drop of the explained score (the predicted class's probability)
 * when the top `fraction` of its candles by attention are imputed from their neighbours, against the
 * mean drop when as many random candles are.
 */
export const SignalDeletionSchema = z.object({ fraction: z.number(), topDrop: z.number(), randomDrop: z.number() });

/**
 * One scored and explained candle window: what the model said, why, and enough to audit it.
 * `cam[i]` is the normalized attention (0..1) of the candle starting at `windowStarts[i]`;
 * the window's last candle is the one at `candleStart`.
 */
export const SignalSchema = z.object({
  id: z.number().int(),
  exchange: z.string(),
  category: CategorySchema,
  symbol: SymbolName,
  interval: IntervalSchema,
  candleStart: EpochMs,
  /** False for a provisional signal on the candle still forming. */
  confirmed: z.boolean(),
  modelVersion: z.string(),
  predicted: SignalClass,
  /** Softmax probabilities in SIGNAL_CLASSES order. */
  probabilities: z.array(z.number()),
  method: CamMethod,
  windowStarts: z.array(EpochMs),
  cam: z.array(z.number()),
  /** Per input channel: how much it drove the call (e.g. gradient × input summed over time). */
  features: z.array(z.object({ name: z.string(), attribution: z.number() })),
  /**
   * Per candle of the window (as `windowStarts`), each channel's attribution (as `features`). Given
   * with a fresh explanation; not stored, since the stored inputs reproduce it.
   */
  candleFeatures: z.array(z.array(z.number())).optional(),
  inputHash: z.string(),
  createdAt: EpochMs,
  /** The forecast heads' forecasts of the next H candles, from the same window; absent for a direction-only model. */
  forecasts: HeadForecastsSchema.optional(),
  /** Set when `cam` and `features` explain a forecast head's output rather than the direction call. */
  explains: ExplainedOutputSchema.optional(),
  /** This signal's own deletion test; given with a fresh explanation, not stored. */
  deletion: SignalDeletionSchema.optional(),
});
export type Signal = z.output<typeof SignalSchema>;
