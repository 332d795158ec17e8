/**
 * The forecast heads' labels of one window, pure: each reads only the H candles after the window
 * (and the window's last close, known when the window closes), never a candle of the window after
 * its last. H is the label horizon; `sharpK` is the sharp-move head's k.
 */
import type { Candle } from '../../src-shared/domain/market';
import { windowVolatility, type ForecastLabels } from './labels';

/**
 * Floor of the realized variance Σ r²: H candles without a price change would otherwise have a log
 * volatility of −∞. e^(½·log 1e-12) = 1e-6, a millionth over H candles.
 */
export const MIN_REALIZED_VARIANCE = 1e-12;

/** The data is too short for the horizon: no candle H after the window. */
export class HorizonError extends RangeError {
  override name = 'HorizonError';
}

/**
 * Labels of the window ending at `series[end]`:
 * - volatility: ½·log Σ r² over the next H 1-candle log returns (the first from the window's last close);
 * - var: the next-H-candle log return, log(close[end + H] / close[end]), whose quantiles the VaR head forecasts;
 * - sharp: 1 when |that return| > k · σ · √H, σ the window's own 1-candle volatility (as the direction label's).
 */
export function forecastLabels(
  series: readonly Candle[],
  end: number,
  windowLength: number,
  horizon: number,
  sharpK: number,
): ForecastLabels {
  const last = series[end];
  const future = series[end + horizon];
  if (end - windowLength + 1 < 1 || last === undefined)
    throw new RangeError(`window ending at ${end} does not fit the series with one candle before it`);
  if (future === undefined) {
    throw new HorizonError(
      `the horizon of ${horizon} candles runs past the data: the window ending at index ${end} has ${Math.max(0, series.length - 1 - end)} candles after it`,
    );
  }
  let sumSquares = 0;
  for (let i = end + 1; i <= end + horizon; i++) sumSquares += Math.log((series[i] as Candle).close / (series[i - 1] as Candle).close) ** 2;
  const forward = Math.log(future.close / last.close);
  const threshold = sharpK * windowVolatility(series, end, windowLength) * Math.sqrt(horizon);
  const read = { from: (series[end + 1] as Candle).time, to: future.time };
  return {
    volatility: { ...read, value: 0.5 * Math.log(Math.max(sumSquares, MIN_REALIZED_VARIANCE)) },
    var: { ...read, value: forward },
    sharp: { ...read, value: Math.abs(forward) > threshold ? 1 : 0 },
  };
}
