/**
 * Volatility-targeted position sizing, pure: a position is the target volatility over the forecast
 * volatility, capped, so that each trade carries about the same risk whatever the market's mood.
 */

export interface VolatilityTarget {
  /** The annualised volatility a position should carry (0.5: 50 % a year). */
  annual: number;
  /** The largest position, in multiples of the account. */
  maxPosition: number;
  /** Candles a year: the target per candle is annual / √periodsPerYear. */
  periodsPerYear: number;
}

/**
 * The position for a forecast volatility of one candle's log return (σ, the volatility head's
 * H-candle forecast over √H): min(maxPosition, annual / √periodsPerYear / σ).
 */
export function volatilityTargetSize(forecastPerCandle: number | undefined, target: VolatilityTarget, at: string): number {
  if (forecastPerCandle === undefined)
    throw new Error(
      `volatility-targeted sizing needs the model's volatility forecast, and the signal at ${at} has none: the model has no volatility head`,
    );
  if (!(forecastPerCandle > 0 && Number.isFinite(forecastPerCandle)))
    throw new Error(
      `volatility-targeted sizing needs a positive finite volatility forecast; the signal at ${at} forecasts ${forecastPerCandle}`,
    );
  const { annual, maxPosition, periodsPerYear } = target;
  if (!(annual > 0 && maxPosition > 0 && periodsPerYear > 0))
    throw new Error(
      `the volatility target (${annual}), position cap (${maxPosition}) and candles a year (${periodsPerYear}) must be positive`,
    );
  return Math.min(maxPosition, annual / Math.sqrt(periodsPerYear) / forecastPerCandle);
}
