/**
 * What a model's forecast heads say of the next H candles (H: the model's label horizon), beside the
 * direction signal. Each field is there only when the model has that head.
 */
import { z } from 'zod';

export const VarForecastSchema = z.object({
  /** The quantile level, in (0, 0.5): 0.01 is the 1 % VaR. */
  quantile: z.number().gt(0).lt(0.5),
  /** That quantile of the next-H-candle log return (a loss when negative). */
  logReturn: z.number(),
});
export type VarForecast = z.output<typeof VarForecastSchema>;

export const HeadForecastsSchema = z.object({
  /** Realized volatility of the next H candles, √Σ r² over their 1-candle log returns. */
  volatility: z.number().nonnegative().optional(),
  /** The 1 % quantile of the next-H-candle log return, when the VaR head forecasts that level. */
  var01: z.number().optional(),
  /** The 5 % quantile, likewise. */
  var05: z.number().optional(),
  /** Every quantile the VaR head forecasts, in the model's order (var01 and var05 are two of them). */
  var: z.array(VarForecastSchema).optional(),
  /** Probability that |next-H-candle log return| exceeds k · σ · √H (σ: the window's 1-candle volatility). */
  sharpMove: z.number().min(0).max(1).optional(),
  /** H, the candles these forecasts are of (the model's label horizon), where the model's labels are known: what a chart draws them over. */
  horizon: z.number().int().positive().optional(),
});
export type HeadForecasts = z.output<typeof HeadForecastsSchema>;
