/**
 * Volatility forecast losses and tests, pure: QLIKE and MSE of log volatility per point, the
 * Mincer–Zarnowitz regression, and the Diebold–Mariano test with a Newey–West long-run variance.
 */
import type { DieboldMariano, MincerZarnowitz, VolatilityFigures } from '../../src-shared/domain/risk-report';
import { normalCdf } from './distributions';
import { ordinaryLeastSquares } from './linear-algebra';

function checkPairs(what: string, actual: readonly number[], forecast: readonly number[]): void {
  if (actual.length !== forecast.length)
    throw new Error(`${what} needs as many forecasts as targets: ${forecast.length} vs ${actual.length}`);
  if (actual.length === 0) throw new Error(`${what} needs at least one target`);
}

function checkPositive(what: string, values: readonly number[], name: string): void {
  const bad = values.findIndex((v) => !(v > 0 && Number.isFinite(v)));
  if (bad >= 0) throw new Error(`${what} needs positive finite variances: ${name}[${bad}] is ${values[bad]}`);
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * QLIKE per point (Patton 2011): σ²/h − log(σ²/h) − 1, σ² the realized variance and h its forecast.
 * It is ≥ 0, 0 only at h = σ², and robust to noise in the variance proxy. A zero realized variance
 * (no price change in all H candles) has no QLIKE and is refused: leave such windows out (1 of
 * 13,369 at H = 15 on Bybit BTCUSDT 1m).
 */
export function qlikeLosses(realizedVariance: readonly number[], forecastVariance: readonly number[]): number[] {
  checkPairs('QLIKE', realizedVariance, forecastVariance);
  checkPositive('QLIKE', realizedVariance, 'realized');
  checkPositive('QLIKE', forecastVariance, 'forecast');
  return realizedVariance.map((s, i) => {
    const ratio = s / (forecastVariance[i] ?? 1);
    return ratio - Math.log(ratio) - 1;
  });
}

/** Squared error of log volatility per point: (log σ − log √h)² = (½ log(σ²/h))². */
export function logVolatilityErrors(realizedVariance: readonly number[], forecastVariance: readonly number[]): number[] {
  checkPairs('the log-volatility error', realizedVariance, forecastVariance);
  checkPositive('the log-volatility error', realizedVariance, 'realized');
  checkPositive('the log-volatility error', forecastVariance, 'forecast');
  return realizedVariance.map((s, i) => (0.5 * Math.log(s / (forecastVariance[i] ?? 1))) ** 2);
}

/** Mincer–Zarnowitz: regress the realized values on their forecasts (the caller picks the scale, e.g. variance). */
export function mincerZarnowitz(realized: readonly number[], forecast: readonly number[]): MincerZarnowitz {
  checkPairs('the Mincer–Zarnowitz regression', realized, forecast);
  const fit = ordinaryLeastSquares(
    forecast.map((f) => [1, f]),
    realized,
  );
  return { intercept: fit.coefficients[0] ?? 0, slope: fit.coefficients[1] ?? 0, rSquared: fit.rSquared };
}

/**
 * The Newey–West long-run variance of a series with Bartlett weights 1 − k/(lag + 1):
 * γ₀ + 2 Σₖ₌₁..lag wₖ γₖ, autocovariances divided by n. Never negative.
 */
export function neweyWestVariance(series: readonly number[], lag: number): number {
  const n = series.length;
  const m = mean(series);
  const autocovariance = (k: number): number => {
    let sum = 0;
    for (let t = k; t < n; t++) sum += ((series[t] ?? 0) - m) * ((series[t - k] ?? 0) - m);
    return sum / n;
  };
  let variance = autocovariance(0);
  for (let k = 1; k <= Math.min(lag, n - 1); k++) variance += 2 * (1 - k / (lag + 1)) * autocovariance(k);
  return variance;
}

/**
 * Diebold–Mariano: is the mean of d = loss(first) − loss(second) zero? DM = d̄ / √(LRV/n) with the
 * Newey–West long-run variance at `lag` (H − 1 for overlapping H-candle targets: their losses are
 * correlated up to H − 1 apart); two-sided p-value from the normal. Negative DM: the first is better.
 */
export function dieboldMariano(firstLosses: readonly number[], secondLosses: readonly number[], lag: number): DieboldMariano {
  checkPairs('the Diebold–Mariano test', firstLosses, secondLosses);
  if (!Number.isInteger(lag) || lag < 0) throw new Error(`the Diebold–Mariano lag must be a whole number ≥ 0, got ${lag}`);
  const n = firstLosses.length;
  if (n < 2) throw new Error('the Diebold–Mariano test needs at least two loss pairs');
  const differences = firstLosses.map((l, i) => l - (secondLosses[i] ?? 0));
  if (differences.some((d) => !Number.isFinite(d))) throw new Error('the Diebold–Mariano test needs finite losses');
  const meanDifference = mean(differences);
  const variance = neweyWestVariance(differences, lag);
  // Identical differences leave no variance: the sign of the mean is then certain (or there is nothing to test).
  const statistic =
    variance > 0 ? meanDifference / Math.sqrt(variance / n) : meanDifference === 0 ? 0 : Math.sign(meanDifference) * Infinity;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(statistic)));
  return { statistic, pValue, meanDifference, lag, n };
}

/** The volatility figures of variance forecasts: mean QLIKE, mean squared log-volatility error, and Mincer–Zarnowitz on the variances. */
export function volatilityFigures(realizedVariance: readonly number[], forecastVariance: readonly number[]): VolatilityFigures {
  return {
    qlike: mean(qlikeLosses(realizedVariance, forecastVariance)),
    mseLogVolatility: mean(logVolatilityErrors(realizedVariance, forecastVariance)),
    mincerZarnowitz: mincerZarnowitz(realizedVariance, forecastVariance),
  };
}
