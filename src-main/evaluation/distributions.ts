/**
 * The distribution functions the forecast tests need, pure: erf/erfc, the normal cdf and its
 * inverse, and the chi-square survival functions for 1 and 2 degrees of freedom (closed forms).
 */

const SERIES_LIMIT = 2.5;
const CONTINUED_FRACTION_DEPTH = 120;

/** erf(x) by its Maclaurin series; accurate to ~1e-15 for |x| ≤ 2.5, where the terms stay small. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(x) for x ≥ 2.5 by its continued fraction (relative accuracy, so far tails keep their digits). */
function erfcContinuedFraction(x: number): number {
  let tail = x;
  for (let n = CONTINUED_FRACTION_DEPTH; n >= 1; n--) tail = x + n / 2 / tail;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / tail;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) <= SERIES_LIMIT) return erfSeries(x);
  const tail = erfcContinuedFraction(Math.abs(x));
  return x > 0 ? 1 - tail : tail - 1;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SERIES_LIMIT) return erfcContinuedFraction(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Φ(x), the standard normal cdf, computed through erfc so the lower tail keeps relative accuracy. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

// Acklam's rational approximation of the normal quantile (relative error 1.15e-9), then one Halley step.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0);
}

function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(C, q) / (polynomial(D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(A, r) * q) / (polynomial(B, r) * r + 1);
}

/** Φ⁻¹(p) for 0 < p < 1 (upper half by symmetry, so 1 − p is never rounded away). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`the normal quantile needs a probability strictly between 0 and 1, got ${p}`);
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklam(p);
  const error = normalCdf(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** P(X > x) for X ~ χ²(1): erfc(√(x/2)). */
export function chiSquare1Survival(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/** P(X > x) for X ~ χ²(2): exp(−x/2). */
export function chiSquare2Survival(x: number): number {
  return x <= 0 ? 1 : Math.exp(-x / 2);
}

/** The 95% quantile of χ²(1), 1.959964…², the critical value of the 5% likelihood-ratio tests. */
export const CHI_SQUARE_1_CRITICAL_95 = normalQuantile(0.975) ** 2;
