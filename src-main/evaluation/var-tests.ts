/**
 * Value-at-Risk baselines and backtests, pure. A VaR here is the p-quantile of the next-H-candle log
 * return (a negative number for small p); it is violated when the realized return falls below it.
 * Baselines: historical simulation over a rolling window, and EWMA-normal. Figures: the violation
 * rate, Kupiec's proportion-of-failures test, Christoffersen's independence and conditional-coverage
 * tests, and the pinball loss.
 */
import type { KupiecTest, LikelihoodRatioTest, VarFigures } from '../../src-shared/domain/risk-report';
import { CHI_SQUARE_1_CRITICAL_95, chiSquare1Survival, chiSquare2Survival, normalQuantile } from './distributions';
import { checkHorizon, ewmaVariances } from './volatility-baselines';

/** Quantile forecasts made after candles from, from + 1, …, of the next-H-candle log return. */
export interface QuantileForecasts {
  from: number;
  quantiles: number[];
}

export function checkVarLevel(p: number): void {
  if (!(p > 0 && p < 0.5)) throw new Error(`a VaR quantile must be in (0, 0.5), got ${p}`);
}

/** Σ r over the next H returns after each t (t = 0 … n − H − 1): the return a VaR made at t is tested on. */
export function futureReturns(returns: readonly number[], horizon: number): number[] {
  checkHorizon(horizon, returns.length);
  const sums = [0];
  for (const r of returns) sums.push((sums.at(-1) ?? 0) + r);
  return Array.from({ length: returns.length - horizon }, (_, t) => (sums[t + 1 + horizon] ?? 0) - (sums[t + 1] ?? 0));
}

/** The p-quantile of sorted values, interpolating linearly between order statistics (Hyndman–Fan type 7, numpy's default). */
export function sortedQuantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('a quantile needs at least one value');
  const h = (sorted.length - 1) * p;
  const low = Math.floor(h);
  const below = sorted[low] ?? 0;
  return below + (h - low) * ((sorted[Math.min(low + 1, sorted.length - 1)] ?? below) - below);
}

/** The first index whose value is ≥ x (binary search). */
function lowerBound(sorted: readonly number[], x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) < x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Historical simulation: after t, the p-quantile of the last `window` H-candle returns known at t
 * (those ending at t − window + 1 … t, overlapping). The first forecast is at t = H + window − 2.
 */
export function historicalSimulationVar(returns: readonly number[], horizon: number, window: number, p: number): QuantileForecasts {
  checkVarLevel(p);
  checkHorizon(horizon, returns.length);
  if (!Number.isInteger(window) || window < 2)
    throw new Error(`the historical-simulation window must be a whole number ≥ 2, got ${window}`);
  // pastReturns[s] = Σ r over returns s … s + H − 1, known after return s + H − 1.
  const pastReturns = futureReturns([0, ...returns], horizon);
  const from = horizon + window - 2;
  if (from >= returns.length)
    throw new Error(`historical simulation needs more than ${from} returns for a window of ${window} and a horizon of ${horizon}`);
  const sorted = pastReturns.slice(0, window).sort((a, b) => a - b);
  const quantiles = [sortedQuantile(sorted, p)];
  for (let s = window; s < pastReturns.length; s++) {
    sorted.splice(lowerBound(sorted, pastReturns[s - window] ?? 0), 1);
    const incoming = pastReturns[s] ?? 0;
    sorted.splice(lowerBound(sorted, incoming), 0, incoming);
    quantiles.push(sortedQuantile(sorted, p));
  }
  return { from, quantiles };
}

/** EWMA-normal: after t, Φ⁻¹(p)·√(H·v[t]) with v the EWMA one-step variance (zero mean, flat variance ahead). */
export function ewmaNormalVar(
  returns: readonly number[],
  lambda: number,
  initialVariance: number,
  horizon: number,
  p: number,
): QuantileForecasts {
  checkVarLevel(p);
  checkHorizon(horizon);
  const z = normalQuantile(p);
  return { from: 0, quantiles: ewmaVariances(returns, lambda, initialVariance).map((v) => z * Math.sqrt(horizon * v)) };
}

/** Whether each realized return fell below its VaR. */
export function varViolations(realized: readonly number[], quantiles: readonly number[]): boolean[] {
  if (realized.length !== quantiles.length)
    throw new Error(`VaR needs one quantile per realized return: ${quantiles.length} vs ${realized.length}`);
  return realized.map((r, i) => r < (quantiles[i] ?? -Infinity));
}

/** x·log(y), 0 when x = 0 (the convention of the likelihood ratios at 0 or n violations). */
function xLogY(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

function kupiecStatistic(violations: number, n: number, p: number): number {
  const rate = violations / n;
  const statistic =
    -2 * (xLogY(n - violations, 1 - p) + xLogY(violations, p)) + 2 * (xLogY(n - violations, 1 - rate) + xLogY(violations, rate));
  return Math.max(0, statistic);
}

/**
 * Kupiec's proportion-of-failures likelihood ratio (χ²(1)) of x violations in n at level p, and the
 * violation counts it does not reject at 5%: every x with LR ≤ χ²₁(0.95) = 3.8415 (a run of counts around n·p).
 */
export function kupiecTest(violations: number, n: number, p: number): KupiecTest {
  checkVarLevel(p);
  if (!Number.isInteger(n) || n < 1) throw new Error(`Kupiec's test needs at least one forecast, got n = ${n}`);
  if (!Number.isInteger(violations) || violations < 0 || violations > n)
    throw new Error(`violations must be a whole number in [0, ${n}], got ${violations}`);
  const statistic = kupiecStatistic(violations, n, p);
  const accepted = (x: number): boolean => kupiecStatistic(x, n, p) <= CHI_SQUARE_1_CRITICAL_95;
  const centre = Math.min(n, Math.round(n * p));
  let min = centre;
  while (min > 0 && accepted(min - 1)) min--;
  let max = centre;
  while (max < n && accepted(max + 1)) max++;
  return { statistic, pValue: chiSquare1Survival(statistic), acceptance: { min, max } };
}

/**
 * Christoffersen's independence test: a first-order Markov chain of violations against independence,
 * LR = −2 log[(1 − π)^(n00+n10) π^(n01+n11)] + 2 log[(1 − π01)^n00 π01^n01 (1 − π11)^n10 π11^n11], χ²(1).
 */
export function christoffersenIndependence(violations: readonly boolean[]): LikelihoodRatioTest {
  if (violations.length < 2) throw new Error("Christoffersen's test needs at least two forecasts");
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (let t = 1; t < violations.length; t++) {
    if (violations[t - 1]) {
      if (violations[t]) n11++;
      else n10++;
    } else if (violations[t]) n01++;
    else n00++;
  }
  const pi = (n01 + n11) / (n00 + n01 + n10 + n11);
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const restricted = xLogY(n00 + n10, 1 - pi) + xLogY(n01 + n11, pi);
  const unrestricted = xLogY(n00, 1 - pi01) + xLogY(n01, pi01) + xLogY(n10, 1 - pi11) + xLogY(n11, pi11);
  const statistic = Math.max(0, 2 * (unrestricted - restricted));
  return { statistic, pValue: chiSquare1Survival(statistic) };
}

/** Conditional coverage: Kupiec's LR (on all n) + the independence LR, χ²(2). */
export function conditionalCoverage(violations: readonly boolean[], p: number): LikelihoodRatioTest {
  const count = violations.filter(Boolean).length;
  const statistic = kupiecTest(count, violations.length, p).statistic + christoffersenIndependence(violations).statistic;
  return { statistic, pValue: chiSquare2Survival(statistic) };
}

/** The pinball (quantile) loss per point: (p − 1{y < q})·(y − q). */
export function pinballLosses(realized: readonly number[], quantiles: readonly number[], p: number): number[] {
  checkVarLevel(p);
  if (realized.length !== quantiles.length)
    throw new Error(`the pinball loss needs one quantile per realized return: ${quantiles.length} vs ${realized.length}`);
  return realized.map((y, i) => {
    const q = quantiles[i] ?? 0;
    return (p - (y < q ? 1 : 0)) * (y - q);
  });
}

/**
 * Every VaR figure of quantile forecasts against the realized returns they were made for. Forecasts
 * of H-candle returns made every candle overlap by H − 1 candles, so their violations cluster by
 * construction, while Kupiec's and Christoffersen's tests assume independent draws: the coverage
 * figures (n, violations, rate and the three tests) use every `stride`-th forecast from the first
 * (stride H: none overlap); the pinball loss uses them all.
 */
export function varFigures(realized: readonly number[], quantiles: readonly number[], p: number, stride = 1): VarFigures {
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`the VaR backtest stride must be a whole number ≥ 1, got ${stride}`);
  const losses = pinballLosses(realized, quantiles, p);
  const violations = varViolations(realized, quantiles).filter((_, i) => i % stride === 0);
  const count = violations.filter(Boolean).length;
  return {
    n: violations.length,
    stride,
    violations: count,
    violationRate: count / violations.length,
    kupiec: kupiecTest(count, violations.length, p),
    christoffersenIndependence: christoffersenIndependence(violations),
    conditionalCoverage: conditionalCoverage(violations, p),
    pinball: losses.reduce((s, l) => s + l, 0) / losses.length,
  };
}
