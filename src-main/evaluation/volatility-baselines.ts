/**
 * The volatility baselines a risk desk uses, pure: EWMA (RiskMetrics), HAR-RV (Corsi 2009) and
 * GARCH(1,1), each fitted on a training series of log returns and forecasting, after each candle t,
 * the sum of the squared returns of the next H candles (the realized variance the volatility head
 * forecasts). Returns are taken as zero-mean: at one minute the mean is noise next to the variance.
 *
 * To carry a filter's state from the training period into the test period, run it over the training
 * and test returns together and take the test part.
 */
import { goldenSectionMinimize, nelderMead } from './optimize';
import { ordinaryLeastSquares } from './linear-algebra';

/** Forecasts made after candles from, from + 1, …: variances[i] is the forecast, made after return from + i, of Σ r² over the next H returns. */
export interface HorizonForecasts {
  from: number;
  variances: number[];
}

export function logReturns(closes: readonly number[]): number[] {
  const bad = closes.findIndex((c) => !(c > 0 && Number.isFinite(c)));
  if (bad >= 0) throw new Error(`log returns need positive finite closes: close ${bad} is ${closes[bad]}`);
  return closes.slice(1).map((c, i) => Math.log(c / (closes[i] ?? c)));
}

/** A horizon is a whole number of candles ≥ 1 and, for targets read from data, shorter than the data. */
export function checkHorizon(horizon: number, length = Infinity): void {
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`the horizon must be a whole number of candles ≥ 1, got ${horizon}`);
  if (horizon >= length) throw new Error(`a horizon of ${horizon} candles is longer than the data (${length} returns)`);
}

/** Prefix sums of r²: sums[i] = Σ r² over returns 0..i−1. */
function squaredPrefixSums(returns: readonly number[]): number[] {
  const sums = [0];
  for (const r of returns) sums.push((sums.at(-1) ?? 0) + r * r);
  return sums;
}

/** Σ r² over the next H returns after each t (t = 0 … n − H − 1): the realized variance to forecast. */
export function futureRealizedVariance(returns: readonly number[], horizon: number): number[] {
  checkHorizon(horizon, returns.length);
  const sums = squaredPrefixSums(returns);
  return Array.from({ length: returns.length - horizon }, (_, t) => (sums[t + 1 + horizon] ?? 0) - (sums[t + 1] ?? 0));
}

/** √(Σ r²): the realized volatility of a run of log returns. */
export function realizedVolatility(returns: readonly number[]): number {
  return Math.sqrt(returns.reduce((s, r) => s + r * r, 0));
}

function meanSquare(returns: readonly number[]): number {
  if (returns.length === 0) throw new Error('fitting a volatility baseline needs training returns');
  const value = returns.reduce((s, r) => s + r * r, 0) / returns.length;
  if (!(value > 0 && Number.isFinite(value)))
    throw new Error('the training returns have no price changes (or are not finite): no variance to fit');
  return value;
}

// ---------------------------------------------------------------------------------------------
// EWMA (RiskMetrics)

/** The RiskMetrics decay for daily data, shown for reference next to the fitted one. */
export const RISKMETRICS_LAMBDA = 0.94;

/** One-step variance forecasts: v[t] = λ·v[t−1] + (1 − λ)·r_t², the forecast for r_{t+1}; v[−1] = initialVariance. */
export function ewmaVariances(returns: readonly number[], lambda: number, initialVariance: number): number[] {
  if (!(lambda > 0 && lambda < 1)) throw new Error(`the EWMA decay λ must be in (0, 1), got ${lambda}`);
  let v = initialVariance;
  return returns.map((r) => (v = lambda * v + (1 - lambda) * r * r));
}

/** The Gaussian negative log-likelihood per return (without the constant ½ log 2π) of variances[t−1] as r_t's variance. */
function gaussianLoss(returns: readonly number[], oneStepVariances: (t: number) => number): number {
  let sum = 0;
  returns.forEach((r, t) => {
    const v = oneStepVariances(t);
    sum += 0.5 * (Math.log(v) + (r * r) / v);
  });
  return sum / returns.length;
}

export interface EwmaFit {
  lambda: number;
  /** The first forecast's variance: the training returns' mean square. */
  initialVariance: number;
  /** The mean Gaussian negative log-likelihood per return at λ (without ½ log 2π). */
  loss: number;
}

export function ewmaLoss(returns: readonly number[], lambda: number, initialVariance: number): number {
  const v = ewmaVariances(returns, lambda, initialVariance);
  return gaussianLoss(returns, (t) => (t === 0 ? initialVariance : (v[t - 1] ?? initialVariance)));
}

/**
 * λ by Gaussian maximum likelihood of the one-step forecasts on the training returns: the λ-dependent
 * part of QLIKE against r² is the same, and unlike QLIKE it stays finite on a zero return. A grid
 * over 1 − λ (61 points log-spaced from 0.5 to 5e-5, for the decay scale of any interval) finds the basin, then a
 * golden-section search between the best point's neighbours refines it.
 */
export function fitEwma(returns: readonly number[]): EwmaFit {
  const initialVariance = meanSquare(returns);
  const grid = Array.from({ length: 61 }, (_, i) => 1 - 0.5 * 10 ** (-i / 15));
  const losses = grid.map((lambda) => ewmaLoss(returns, lambda, initialVariance));
  const best = losses.indexOf(Math.min(...losses));
  const low = grid[Math.max(0, best - 1)] ?? 0.5;
  const high = grid[Math.min(grid.length - 1, best + 1)] ?? 0.9999;
  const { x } = goldenSectionMinimize((lambda) => ewmaLoss(returns, lambda, initialVariance), low, high, 1e-7);
  return { lambda: x, initialVariance, loss: ewmaLoss(returns, x, initialVariance) };
}

/** EWMA's H-candle forecast: the one-step variance is flat ahead, so H·v[t]. */
export function ewmaForecasts(returns: readonly number[], lambda: number, initialVariance: number, horizon: number): HorizonForecasts {
  checkHorizon(horizon);
  return { from: 0, variances: ewmaVariances(returns, lambda, initialVariance).map((v) => horizon * v) };
}

// ---------------------------------------------------------------------------------------------
// HAR-RV (Corsi 2009)

/** The candles each HAR component averages r² over (short < medium < long). */
export interface HarWindows {
  short: number;
  medium: number;
  long: number;
}

/**
 * Corsi's day / week / month as 1, 5 and 22 units of `unit` candles. We take unit = H, the forecast
 * horizon, as Corsi's unit is his target's (a day's RV forecasts the next day's): at 1-minute candles
 * and H = 15 that is the last 15 minutes, 75 minutes and 5.5 hours.
 */
export function harWindows(unit: number): HarWindows {
  return { short: unit, medium: 5 * unit, long: 22 * unit };
}

export interface HarFit {
  horizon: number;
  windows: HarWindows;
  /** [intercept, short, medium, long]: the forecast is intercept + Σ coefficient · mean r² over the window. */
  coefficients: number[];
  rSquared: number;
  /** Forecasts are floored here (the smallest positive training target): a linear fit can go below zero. */
  floor: number;
}

/** The regressors at t: 1 and the mean r² over the short, medium and long windows ending at t. */
function harRegressors(sums: readonly number[], t: number, windows: HarWindows): number[] {
  const meanOver = (w: number): number => ((sums[t + 1] ?? 0) - (sums[t + 1 - w] ?? 0)) / w;
  return [1, meanOver(windows.short), meanOver(windows.medium), meanOver(windows.long)];
}

function checkWindows(windows: HarWindows): void {
  const { short, medium, long } = windows;
  if (![short, medium, long].every((w) => Number.isInteger(w) && w >= 1) || !(short < medium && medium < long))
    throw new Error(`HAR windows must be whole numbers of candles with short < medium < long, got ${short}, ${medium}, ${long}`);
}

/** OLS of the next-H realized variance on the three components, over every training t with a full long window and a full target. */
export function fitHar(returns: readonly number[], horizon: number, windows: HarWindows = harWindows(horizon)): HarFit {
  checkWindows(windows);
  checkHorizon(horizon, returns.length);
  const sums = squaredPrefixSums(returns);
  const targets = futureRealizedVariance(returns, horizon);
  const rows: number[][] = [];
  const y: number[] = [];
  for (let t = windows.long - 1; t < targets.length; t++) {
    rows.push(harRegressors(sums, t, windows));
    y.push(targets[t] ?? 0);
  }
  if (rows.length < 8)
    throw new Error(
      `HAR needs more training returns than its long window (${windows.long}) plus the horizon (${horizon}): got ${returns.length}`,
    );
  const fit = ordinaryLeastSquares(rows, y);
  const positive = y.filter((v) => v > 0);
  if (positive.length === 0) throw new Error('the training returns have no price changes: no variance to fit');
  return { horizon, windows, coefficients: fit.coefficients, rSquared: fit.rSquared, floor: Math.min(...positive) };
}

/** HAR forecasts from the first t with a full long window (t = long − 1) to the last return. */
export function harForecasts(fit: HarFit, returns: readonly number[]): HorizonForecasts {
  const sums = squaredPrefixSums(returns);
  const from = fit.windows.long - 1;
  const variances: number[] = [];
  for (let t = from; t < returns.length; t++) {
    const x = harRegressors(sums, t, fit.windows);
    variances.push(
      Math.max(
        fit.floor,
        x.reduce((s, v, i) => s + v * (fit.coefficients[i] ?? 0), 0),
      ),
    );
  }
  return { from, variances };
}

// ---------------------------------------------------------------------------------------------
// GARCH(1,1)

export interface GarchParameters {
  omega: number;
  alpha: number;
  beta: number;
}

export interface GarchFit extends GarchParameters {
  /** σ²₀: the training returns' mean square. */
  initialVariance: number;
  /** The mean Gaussian negative log-likelihood per return, with ½ log 2π. */
  loss: number;
}

/** Conditional variances: σ²_t = ω + α r²_{t−1} + β σ²_{t−1}, σ²_0 = initialVariance; one per return, plus σ²_n (the next) last. */
export function garchVariances(returns: readonly number[], { omega, alpha, beta }: GarchParameters, initialVariance: number): number[] {
  const variances = [initialVariance];
  returns.forEach((r, t) => variances.push(omega + alpha * r * r + beta * (variances[t] ?? initialVariance)));
  return variances;
}

export function garchLoss(returns: readonly number[], parameters: GarchParameters, initialVariance: number): number {
  const v = garchVariances(returns, parameters, initialVariance);
  return 0.5 * Math.log(2 * Math.PI) + gaussianLoss(returns, (t) => v[t] ?? initialVariance);
}

/**
 * The constraints by construction: ω = exp(θ₀)·v̄ > 0, and α, β the weights of a three-way softmax
 * (α = e^θ₁ / (1 + e^θ₁ + e^θ₂), β likewise), so α, β > 0 and α + β < 1. ω is scaled by the
 * sample variance v̄ so the search works at any return scale.
 */
function garchFromUnconstrained(theta: readonly number[], scale: number): GarchParameters {
  const [t0 = 0, t1 = 0, t2 = 0] = theta;
  const denominator = 1 + Math.exp(t1) + Math.exp(t2);
  return { omega: Math.exp(t0) * scale, alpha: Math.exp(t1) / denominator, beta: Math.exp(t2) / denominator };
}

/**
 * GARCH(1,1) by Gaussian maximum likelihood on the training returns: Nelder–Mead in the
 * unconstrained parameters from α = 0.05, β = 0.90, ω = 0.05·v̄ (the usual start), restarted once
 * from its result, as Nelder–Mead can stall on a flat ridge. Deterministic.
 */
export function fitGarch(returns: readonly number[]): GarchFit {
  const initialVariance = meanSquare(returns);
  const objective = (theta: readonly number[]): number =>
    garchLoss(returns, garchFromUnconstrained(theta, initialVariance), initialVariance);
  const first = nelderMead(objective, [Math.log(0.05), 0, Math.log(18)], { step: 0.5, tolerance: 1e-12, maxIterations: 3000 });
  const second = nelderMead(objective, first.x, { step: 0.1, tolerance: 1e-13, maxIterations: 3000 });
  const parameters = garchFromUnconstrained(second.x, initialVariance);
  return { ...parameters, initialVariance, loss: garchLoss(returns, parameters, initialVariance) };
}

/**
 * After each t: the next variance s = σ²_{t+1} = ω + α r_t² + β σ²_t, and the j-step-ahead expected
 * variance is v̄ + φ^{j−1}(s − v̄) with φ = α + β and v̄ = ω/(1 − φ), so the sum over the next H is
 * H·v̄ + (s − v̄)(1 − φ^H)/(1 − φ).
 */
export function garchForecasts(
  returns: readonly number[],
  fit: GarchParameters & { initialVariance: number },
  horizon: number,
): HorizonForecasts {
  checkHorizon(horizon);
  const persistence = fit.alpha + fit.beta;
  if (!(fit.omega > 0 && fit.alpha >= 0 && fit.beta >= 0 && persistence < 1))
    throw new Error(`GARCH(1,1) needs ω > 0, α, β ≥ 0 and α + β < 1, got ω = ${fit.omega}, α = ${fit.alpha}, β = ${fit.beta}`);
  const longRun = fit.omega / (1 - persistence);
  const weight = (1 - persistence ** horizon) / (1 - persistence);
  const next = garchVariances(returns, fit, fit.initialVariance).slice(1);
  return { from: 0, variances: next.map((s) => horizon * longRun + (s - longRun) * weight) };
}
