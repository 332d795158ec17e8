/**
 * The pure statistics behind the forecast heads' baselines and tests: distributions, the small
 * linear algebra and optimizers, and the volatility forecast tests. Reference numbers were computed
 * by hand or with Python's standard library (math.erf/erfc, statistics.NormalDist) from the
 * definitions; each is worked out or named beside its assertion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHI_SQUARE_1_CRITICAL_95,
  chiSquare1Survival,
  chiSquare2Survival,
  erf,
  erfc,
  normalCdf,
  normalQuantile,
} from '../../src-main/evaluation/distributions';
import {
  dieboldMariano,
  logVolatilityErrors,
  mincerZarnowitz,
  neweyWestVariance,
  qlikeLosses,
} from '../../src-main/evaluation/forecast-tests';
import { ordinaryLeastSquares, solveLinearSystem } from '../../src-main/evaluation/linear-algebra';
import { goldenSectionMinimize, nelderMead } from '../../src-main/evaluation/optimize';

describe('distributions', () => {
  it('erf and erfc match Python math.erf / math.erfc, with relative accuracy in the far tail', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(erf(0)).toBe(0);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 13);
    expect(erfc(5) / 1.5374597944280349e-12).toBeCloseTo(1, 13);
    expect(erfc(-3)).toBeCloseTo(1.9999779095030015, 15);
    // Either side of the switch from the series to the continued fraction (2.5).
    expect(erf(2.4999)).toBeCloseTo(0.9995928300996666, 14);
    expect(erf(2.5001)).toBeCloseTo(0.9995932657565293, 14);
  });

  it('the normal cdf: Φ(1.959963984540054) = 0.975, Φ(−3) = 0.0013498980316301, Φ(0) = ½', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-3) / 0.0013498980316301).toBeCloseTo(1, 12);
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-8.5) / 9.479534822203355e-18).toBeCloseTo(1, 10);
  });

  it('the normal quantile matches NormalDist().inv_cdf (Wichura AS241) to 1e-12, both tails', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 12);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514722, 12);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 11);
    expect(normalQuantile(0.999999)).toBeCloseTo(4.753424308817089, 11);
    expect(() => normalQuantile(0)).toThrow(/strictly between 0 and 1/);
    expect(() => normalQuantile(1)).toThrow(/strictly between 0 and 1/);
    expect(() => normalQuantile(Number.NaN)).toThrow(/strictly between 0 and 1/);
  });

  // Up to x = 4: above, Φ(x) rounds to within 1e-16 of 1 and loses the digits to invert.
  it('the normal quantile inverts the cdf (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 4, noNaN: true }), (x) => {
        expect(normalQuantile(normalCdf(x))).toBeCloseTo(x, 8);
      }),
    );
  });

  it('chi-square survival: 5% at 3.841458820694124 (1 df) and 5.991464547107979 (2 df)', () => {
    expect(CHI_SQUARE_1_CRITICAL_95).toBeCloseTo(3.841458820694124, 12);
    expect(chiSquare1Survival(3.841458820694124)).toBeCloseTo(0.05, 13);
    expect(chiSquare2Survival(5.991464547107979)).toBeCloseTo(0.05, 14);
    // χ²(1) at 1: P(|Z| > 1) = erfc(1/√2) = 0.31731050786291415.
    expect(chiSquare1Survival(1)).toBeCloseTo(0.31731050786291415, 14);
    expect(chiSquare1Survival(0)).toBe(1);
    expect(chiSquare2Survival(0)).toBe(1);
  });
});

describe('linear algebra', () => {
  it('solves [[2, 1], [1, 3]]·x = [3, 5]: by Cramer, x = (9 − 5)/5 = 0.8, y = (10 − 3)/5 = 1.4', () => {
    const [x = 0, y = 0] = solveLinearSystem(
      [
        [2, 1],
        [1, 3],
      ],
      [3, 5],
    );
    expect(x).toBeCloseTo(0.8, 14);
    expect(y).toBeCloseTo(1.4, 14);
  });

  it('pivots past a zero on the diagonal and refuses a singular system', () => {
    expect(
      solveLinearSystem(
        [
          [0, 1],
          [1, 0],
        ],
        [2, 3],
      ),
    ).toEqual([3, 2]);
    expect(() =>
      solveLinearSystem(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toThrow(/singular/);
  });

  it('OLS of y = [1, 3, 2, 5] on x = [1, 2, 3, 4]: slope Sxy/Sxx = 5.5/5 = 1.1, intercept 2.75 − 1.1·2.5 = 0, R² = 1 − 2.7/8.75', () => {
    const fit = ordinaryLeastSquares(
      [1, 2, 3, 4].map((x) => [1, x]),
      [1, 3, 2, 5],
    );
    expect(fit.coefficients[0]).toBeCloseTo(0, 12);
    expect(fit.coefficients[1]).toBeCloseTo(1.1, 12);
    // Residuals −0.1, 0.8, −1.3, 0.6: RSS 2.7; TSS about 2.75: 8.75.
    expect(fit.rSquared).toBeCloseTo(1 - 2.7 / 8.75, 12);
    expect(() => ordinaryLeastSquares([[1, 2]], [1])).toThrow(/at least as many rows as unknowns/);
  });

  it('solves regressors of very different sizes: the same example with x in units of 1e-8 (squared minute returns) has slope 1.1e8', () => {
    // Unscaled, XᵀX is [[4, 1e-7], [1e-7, 3e-15]]: its second pivot (5e-16) looked singular beside the 4.
    const fit = ordinaryLeastSquares(
      [1, 2, 3, 4].map((x) => [1, x * 1e-8]),
      [1, 3, 2, 5],
    );
    expect(fit.coefficients[0]).toBeCloseTo(0, 9);
    expect((fit.coefficients[1] ?? 0) / 1.1e8).toBeCloseTo(1, 12);
    expect(fit.rSquared).toBeCloseTo(1 - 2.7 / 8.75, 12);
    expect(() =>
      ordinaryLeastSquares(
        [
          [1, 1],
          [1, Number.NaN],
        ],
        [1, 2],
      ),
    ).toThrow(/row 1 is \[1, NaN\]/);
  });
});

describe('optimizers', () => {
  it('golden-section finds the minimum of (x − 2)² on [0, 5]', () => {
    expect(goldenSectionMinimize((x) => (x - 2) ** 2, 0, 5).x).toBeCloseTo(2, 8);
  });

  it("Nelder–Mead finds Rosenbrock's minimum (1, 1) from (−1.2, 1)", () => {
    const rosenbrock = ([x = 0, y = 0]: readonly number[]): number => 100 * (y - x * x) ** 2 + (1 - x) ** 2;
    const { x } = nelderMead(rosenbrock, [-1.2, 1], { tolerance: 1e-14, maxIterations: 5000 });
    expect(x[0]).toBeCloseTo(1, 4);
    expect(x[1]).toBeCloseTo(1, 4);
  });
});

describe('volatility forecast losses', () => {
  it('QLIKE = σ²/h − log(σ²/h) − 1: 2 − ln 2 − 1 at σ² = 2, h = 1; ½ + ln 2 − 1 at σ² = 1, h = 2', () => {
    const [over = 0, under = 0, exact = 1] = qlikeLosses([2, 1, 3], [1, 2, 3]);
    expect(over).toBeCloseTo(0.3068528194400547, 15);
    expect(under).toBeCloseTo(0.1931471805599453, 15);
    expect(exact).toBe(0);
  });

  it('QLIKE is ≥ 0, 0 only at h = σ², and punishes under-forecasting more (property)', () => {
    const positive = fc.double({ min: 1e-8, max: 1e3, noNaN: true });
    fc.assert(
      fc.property(positive, positive, (realized, forecast) => {
        const [loss = -1] = qlikeLosses([realized], [forecast]);
        expect(loss).toBeGreaterThanOrEqual(0);
        if (Math.abs(realized / forecast - 1) > 1e-6) expect(loss).toBeGreaterThan(0);
        // The same factor c > 1 too low costs more than too high: c − ln c − 1 > 1/c + ln c − 1.
        const [tooLow = 0, tooHigh = 0] = qlikeLosses([realized, realized], [realized / 2, realized * 2]);
        expect(tooLow).toBeGreaterThan(tooHigh);
      }),
    );
  });

  it('MSE of log volatility: (½ ln 2)² when the variance is off by a factor 2 either way', () => {
    const errors = logVolatilityErrors([2, 1], [1, 2]);
    expect(errors[0]).toBeCloseTo(0.1201132534795503, 15);
    expect(errors[1]).toBeCloseTo(0.1201132534795503, 15);
  });

  it('refuses a zero or non-finite variance, and unequal lengths, saying which', () => {
    expect(() => qlikeLosses([1, 0], [1, 1])).toThrow(/realized\[1\] is 0/);
    expect(() => qlikeLosses([1, 1], [1, Number.NaN])).toThrow(/forecast\[1\] is NaN/);
    expect(() => qlikeLosses([1], [1, 1])).toThrow(/as many forecasts as targets/);
  });

  it('Mincer–Zarnowitz on the OLS example: intercept 0, slope 1.1, R² 0.691428…', () => {
    const mz = mincerZarnowitz([1, 3, 2, 5], [1, 2, 3, 4]);
    expect(mz.intercept).toBeCloseTo(0, 12);
    expect(mz.slope).toBeCloseTo(1.1, 12);
    expect(mz.rSquared).toBeCloseTo(0.6914285714285714, 12);
  });
});

describe('Diebold–Mariano with a Newey–West variance', () => {
  // d = [1, 2, 3, 4]: mean 2.5, deviations ±1.5, ±0.5; γ₀ = 5/4, γ₁ = (0.75 − 0.25 + 0.75)/4 = 0.3125,
  // γ₂ = (−0.75 − 0.75)/4 = −0.375 (autocovariances divided by n).
  const first = [1.5, 2.5, 3.5, 4.5];
  const second = [0.5, 0.5, 0.5, 0.5];

  it('Newey–West at lag 1: γ₀ + 2·½·γ₁ = 1.5625; at lag 2: γ₀ + 2·⅔·γ₁ + 2·⅓·γ₂ = 17/12', () => {
    expect(neweyWestVariance([1, 2, 3, 4], 0)).toBeCloseTo(1.25, 14);
    expect(neweyWestVariance([1, 2, 3, 4], 1)).toBeCloseTo(1.5625, 14);
    expect(neweyWestVariance([1, 2, 3, 4], 2)).toBeCloseTo(17 / 12, 14);
  });

  it('lag 1: DM = 2.5/√(1.5625/4) = 4, p = 2Φ(−4) = 6.334248366623993e-5', () => {
    const test = dieboldMariano(first, second, 1);
    expect(test.meanDifference).toBeCloseTo(2.5, 14);
    expect(test.statistic).toBeCloseTo(4, 12);
    expect(test.pValue / 6.334248366623993e-5).toBeCloseTo(1, 10);
    expect(test).toMatchObject({ lag: 1, n: 4 });
  });

  it('lag 2 (H = 3 overlapping targets): DM = 2.5/√(17/48) = 4.20084025208403, p = 2.6592618550786606e-5', () => {
    const test = dieboldMariano(first, second, 2);
    expect(test.statistic).toBeCloseTo(4.20084025208403, 12);
    expect(test.pValue / 2.6592618550786606e-5).toBeCloseTo(1, 9);
  });

  it('swapping the two forecasts negates the statistic and keeps the p-value (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })), {
          minLength: 3,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 5 }),
        (pairs, lag) => {
          const a = pairs.map(([x]) => x);
          const b = pairs.map(([, y]) => y);
          const ab = dieboldMariano(a, b, lag);
          const ba = dieboldMariano(b, a, lag);
          expect(ba.statistic).toBeCloseTo(-ab.statistic, 8);
          expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
          expect(ab.pValue).toBeGreaterThanOrEqual(0);
          expect(ab.pValue).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('equal losses give DM 0 and p 1; a bad lag or a single pair is refused', () => {
    expect(dieboldMariano([1, 2, 3], [1, 2, 3], 2)).toMatchObject({ statistic: 0, pValue: 1 });
    expect(() => dieboldMariano([1, 2], [1, 2], -1)).toThrow(/lag must be a whole number/);
    expect(() => dieboldMariano([1], [2], 0)).toThrow(/at least two/);
    expect(() => dieboldMariano([1, Number.POSITIVE_INFINITY], [2, 2], 0)).toThrow(/finite losses/);
  });
});
