/**
 * The volatility baselines against reference numbers computed from their definitions with Python's
 * standard library (exact fractions for the HAR regression; a grid then ternary search for the EWMA
 * λ; a grid then Hooke–Jeeves pattern search on ω, α, β for the GARCH likelihood).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ewmaForecasts,
  ewmaLoss,
  ewmaVariances,
  fitEwma,
  fitGarch,
  fitHar,
  futureRealizedVariance,
  garchForecasts,
  garchLoss,
  harForecasts,
  harWindows,
  logReturns,
  realizedVolatility,
} from '../../src-main/evaluation/volatility-baselines';
import { SHORT } from '../risk-fixtures';

const SHORT_MEAN_SQUARE = 0.8585852325000003;

/** 300 returns of a GARCH(1,1) with ω = 0.05, α = 0.2, β = 0.75 (Python random.seed(5), rounded to 3 decimals). */
const LONG =
  '-1.179 -1.192 0.716 -2.305 -0.196 -2.726 1.786 0.331 1.95 -0.775 0.555 -0.358 -0.826 0.154 -1.192 -0.356 0.635 0.05 -0.322 1.598 0.057 -0.515 0.132 -0.393 -0.273 -0.233 1.27 0.018 0.13 0.46 1.341 -0.193 -0.489 1.848 -1.566 -0.435 0.712 2.292 -1.294 -3.236 1.234 -0.898 -0.604 0.644 0.282 0.327 -0.435 1.189 1.483 0.035 -0.444 0.661 0.413 -0.835 -0.377 0.801 -0.076 -0.235 0.142 -0.021 -0.001 -1.068 1.246 0.172 -0.686 0.761 0.243 0.013 0.698 1.567 0.526 1.401 2.188 -1.362 -0.693 0.939 -1.965 -0.36 1.55 1.323 0.734 -2.212 3.366 1.081 1.367 0.829 -2.597 -2.533 -2.331 3.783 -2.006 -0.554 -0.511 1.009 0.807 0.391 -1.634 -4.26 0.375 0.527 2.135 -0.185 -0.961 0.593 -2.019 -1.52 -1.462 0.413 2.669 1.254 1.764 0.374 0.387 -0.555 -0.315 -2.443 -1.701 -1.878 1.284 0.971 1.552 2.154 -0.474 1.457 2.699 -0.015 1.631 -0.249 -2.143 0.182 -1.096 0.139 -0.522 0.329 -1.987 2.542 2.132 -0.587 -1.355 0.006 0.858 0.502 0.432 -1.924 -1.387 1.68 0.321 -1.807 -1.153 -1.853 -1.431 1.642 -0.317 1.431 0.244 -1.738 -0.839 2.763 -1.262 -1.632 1.921 0.146 -0.009 1.842 -2.451 0.693 -1.57 -2.093 -1.321 1.781 -0.223 -2.557 -1.879 2.615 1.964 -2.076 4.644 -0.99 -2.86 -0.337 2.014 3.366 2.457 -1.01 -1.185 -2.796 -0.156 -1.099 0.413 -1.89 -0.813 -1.26 -1.666 -1.704 -1.515 -1.752 0.87 0.14 -1.634 0.68 0.349 1.585 -0.235 -0.226 -0.666 0.114 0.41 0.136 -0.181 0.375 0.059 0.149 -0.535 0.124 -0.568 -0.509 0.099 1.226 0.785 0.003 -0.131 0.67 0.969 0.958 -0.156 0.145 -0.233 -0.189 -0.532 -0.158 -1.29 -0.982 0.37 -0.746 0.437 -0.988 -0.308 0.305 -0.746 -0.532 1.798 -0.723 -0.708 -0.547 0.03 -0.021 0.723 0.597 -0.3 -0.248 -0.927 -1.114 -0.63 0.603 0.096 0.586 0.682 -0.121 1.428 -0.476 -0.53 -0.346 0.855 -0.108 -0.536 0.309 0.762 -0.08 -0.167 0.675 0.65 0.647 -0.535 0.196 0.235 -1.106 0.925 0.082 -0.255 1.578 0.142 -0.627 -0.053 0.43 0.59 -0.041 -0.575 -0.469 -0.541 -0.699 -0.014 -0.316 0.034 -0.483 -0.518 -0.113 -0.202 0.644 -0.552 0.13'
    .split(' ')
    .map(Number);

describe('realized volatility', () => {
  it('log returns of closes 100, 110, 99 are ln 1.1 and ln 0.9; bad closes are refused', () => {
    expect(logReturns([100, 110, 99])).toEqual([Math.log(110 / 100), Math.log(99 / 110)]);
    expect(() => logReturns([100, 0, 99])).toThrow(/close 1 is 0/);
  });

  it('the next-H realized variance of returns 1, 2, 3, 4 at H = 2: 2² + 3² = 13 after the first, 3² + 4² = 25 after the second', () => {
    expect(futureRealizedVariance([1, 2, 3, 4], 2)).toEqual([13, 25]);
    expect(realizedVolatility([3, 4])).toBe(5);
    expect(() => futureRealizedVariance([1, 2, 3], 3)).toThrow(/longer than the data/);
    expect(() => futureRealizedVariance([1, 2, 3], 0)).toThrow(/whole number of candles/);
  });
});

describe('EWMA (RiskMetrics)', () => {
  it('v = λ·v + (1 − λ)·r²: from 0.02 with λ = ½, returns 0.1 and −0.2 give 0.015 then 0.0275; H-step forecasts are H·v', () => {
    const v = ewmaVariances([0.1, -0.2], 0.5, 0.02);
    expect(v[0]).toBeCloseTo(0.015, 15);
    expect(v[1]).toBeCloseTo(0.0275, 15);
    const forecasts = ewmaForecasts([0.1, -0.2], 0.5, 0.02, 3);
    expect(forecasts.from).toBe(0);
    expect(forecasts.variances[1]).toBeCloseTo(0.0825, 15);
    expect(() => ewmaVariances([0.1], 1, 0.02)).toThrow(/λ must be in \(0, 1\)/);
  });

  it('the Gaussian loss per return at λ = 0.9 and 0.94 matches Python', () => {
    expect(ewmaLoss(SHORT, 0.9, SHORT_MEAN_SQUARE)).toBeCloseTo(0.4379095843500265, 13);
    expect(ewmaLoss(SHORT, 0.94, SHORT_MEAN_SQUARE)).toBeCloseTo(0.4359477416596181, 13);
  });

  it('λ fitted by Gaussian likelihood is 0.86192424 (Python: grid step 1e-4, then ternary search)', () => {
    const fit = fitEwma(LONG);
    expect(fit.lambda).toBeCloseTo(0.8619242442274273, 6);
    expect(fit.loss).toBeCloseTo(0.5993593743002907, 11);
    expect(fit.initialVariance).toBeCloseTo(1.5751013566666667, 12);
  });

  it('refuses training returns without a price change', () => {
    expect(() => fitEwma([0, 0, 0])).toThrow(/no price changes/);
  });
});

describe('HAR-RV (Corsi 2009)', () => {
  it("Corsi's day, week and month scaled to the unit: 1, 5 and 22 units", () => {
    expect(harWindows(15)).toEqual({ short: 15, medium: 75, long: 330 });
  });

  it('OLS on windows 1, 2, 4 at H = 2 matches the exact normal equations (Python fractions)', () => {
    const fit = fitHar(SHORT, 2, { short: 1, medium: 2, long: 4 });
    const expected = [1.157216942498946, -0.12139459395609802, -0.05127377755095236, 0.6902573260721131];
    expected.forEach((b, i) => expect(fit.coefficients[i]).toBeCloseTo(b, 11));
    expect(fit.rSquared).toBeCloseTo(0.04466062329477163, 12);
    expect(fit.floor).toBeCloseTo(0.06453605, 14);
    const forecasts = harForecasts(fit, SHORT);
    // The first forecast needs a full long window: t = 4 − 1.
    expect(forecasts.from).toBe(3);
    expect(forecasts.variances).toHaveLength(SHORT.length - 3);
    expect(forecasts.variances.at(-1)).toBeCloseTo(1.2715467564474945, 11);
  });

  it('refuses windows out of order and too little data', () => {
    expect(() => fitHar(SHORT, 2, { short: 2, medium: 2, long: 4 })).toThrow(/short < medium < long/);
    expect(() => fitHar(SHORT.slice(0, 10), 2, { short: 1, medium: 2, long: 8 })).toThrow(/needs more training returns/);
  });
});

describe('GARCH(1,1)', () => {
  const parameters = { omega: 0.05, alpha: 0.12, beta: 0.83 };

  it('the Gaussian loss per return at ω = 0.05, α = 0.12, β = 0.83 matches Python', () => {
    expect(garchLoss(SHORT, parameters, SHORT_MEAN_SQUARE)).toBeCloseTo(1.3447554228272944, 13);
  });

  it('H-step forecast by hand: ω = 0.1, α = 0.1, β = 0.8 from σ² = 1 after r = 2: s = 1.3, v̄ = 1, sum over 3 = 1.3 + 1.27 + 1.243', () => {
    const forecasts = garchForecasts([2], { omega: 0.1, alpha: 0.1, beta: 0.8, initialVariance: 1 }, 3);
    expect(forecasts.variances[0]).toBeCloseTo(3.813, 14);
  });

  it('the 3-step sum after the 48 returns matches Python (next variance 0.82901694…)', () => {
    const forecasts = garchForecasts(SHORT, { ...parameters, initialVariance: SHORT_MEAN_SQUARE }, 3);
    expect(forecasts.variances).toHaveLength(SHORT.length);
    expect(forecasts.variances.at(-1)).toBeCloseTo(2.51227082739159, 12);
  });

  it('the H-step sum lies between H·s and H·v̄ (s the next variance, v̄ the long-run one) (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 0.4, noNaN: true }),
        fc.double({ min: 0, max: 0.59, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        (alpha, beta, r, horizon) => {
          const fit = { omega: 0.1, alpha, beta, initialVariance: 1 };
          const next = 0.1 + alpha * r * r + beta;
          const longRun = 0.1 / (1 - alpha - beta);
          const [sum = 0] = garchForecasts([r], fit, horizon).variances;
          expect(sum).toBeGreaterThanOrEqual(horizon * Math.min(next, longRun) * (1 - 1e-12));
          expect(sum).toBeLessThanOrEqual(horizon * Math.max(next, longRun) * (1 + 1e-12));
        },
      ),
    );
  });

  it('Gaussian maximum likelihood finds the optimum Python finds: ω 0.03230, α 0.17691, β 0.80387', () => {
    const fit = fitGarch(LONG);
    expect(fit.omega).toBeCloseTo(0.03230227604508403, 4);
    expect(fit.alpha).toBeCloseTo(0.17690677404403682, 4);
    expect(fit.beta).toBeCloseTo(0.8038727581501014, 4);
    expect(fit.loss).toBeCloseTo(1.5108289949646432, 9);
    expect(fit.alpha + fit.beta).toBeLessThan(1);
  });

  it('refuses parameters outside ω > 0, α, β ≥ 0, α + β < 1', () => {
    expect(() => garchForecasts(SHORT, { omega: 0.05, alpha: 0.2, beta: 0.8, initialVariance: 1 }, 3)).toThrow(/α \+ β < 1/);
  });
});
