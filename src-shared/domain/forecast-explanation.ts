/**
 * The explanation of a forecast head's output, beside the direction call a signal explains: which
 * candles (CAM) and input channels made the model expect that volatility, VaR or sharp move.
 */
import { z } from 'zod';

/** The heads that forecast risk (every head but direction). */
export const FORECAST_HEADS = ['volatility', 'var', 'sharp'] as const;
export const ForecastHead = z.enum(FORECAST_HEADS);
export type ForecastHeadName = (typeof FORECAST_HEADS)[number];

/** Which output a CAM explains when it is not the direction call: a head, and an output of it (a VaR quantile's index). */
export const ExplainedOutputSchema = z.object({ head: ForecastHead, target: z.number().int().nonnegative() });

/** A forecast head's explanation as stored with its signal (same window, model, method and input hash). */
export const ForecastExplanationSchema = ExplainedOutputSchema.extend({
  /** Normalized attention (0..1) of each candle of the signal's window. */
  cam: z.array(z.number()),
  /** Per input channel, gradient × input of the head's output summed over time. */
  features: z.array(z.object({ name: z.string(), attribution: z.number() })),
});
export type ForecastExplanation = z.output<typeof ForecastExplanationSchema>;
