/**
 * VaR baselines and backtests against numbers worked out by hand or computed from the definitions
 * with Python's standard library; Kupiec's acceptance regions against Jorion's table (Value at Risk,
 * "nonrejection regions for the number of failures", 95% confidence).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  christoffersenIndependence,
  conditionalCoverage,
  ewmaNormalVar,
  futureReturns,
  historicalSimulationVar,
  kupiecTest,
  pinballLosses,
  sortedQuantile,
  varFigures,
  varViolations,
} from '../../src-main/evaluation/var-tests';
import { SHORT } from '../risk-fixtures';

describe('VaR baselines', () => {
  it('the next-H return after each t: returns 0.1, −0.2, 0.3, 0.05 at H = 2 give −0.2 + 0.3 and 0.3 + 0.05', () => {
    const next = futureReturns([0.1, -0.2, 0.3, 0.05], 2);
    expect(next[0]).toBeCloseTo(0.1, 15);
    expect(next[1]).toBeCloseTo(0.35, 15);
  });

  it('type-7 quantiles: of 1…5 at 0.1 is 1 + 0.4·(2 − 1) = 1.4; at 0.25 it is 2', () => {
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4, 15);
    expect(sortedQuantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(sortedQuantile([7], 0.01)).toBe(7);
  });

  it('historical simulation (H = 2, window 5, 10%) matches Python: from t = 5, 43 forecasts', () => {
    const hs = historicalSimulationVar(SHORT, 2, 5, 0.1);
    expect(hs.from).toBe(5);
    expect(hs.quantiles).toHaveLength(43);
    expect(hs.quantiles[0]).toBeCloseTo(-2.10878, 12);
    expect(hs.quantiles[9]).toBeCloseTo(-0.88402, 12);
    expect(hs.quantiles.at(-1)).toBeCloseTo(-0.01628, 12);
  });

  it('historical simulation equals sorting every window afresh (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 12, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.double({ min: 0.01, max: 0.49, noNaN: true }),
        (returns, horizon, window, p) => {
          const hs = historicalSimulationVar(returns, horizon, window, p);
          hs.quantiles.forEach((q, i) => {
            const t = hs.from + i;
            const past = Array.from({ length: window }, (_, j) => {
              const end = t - window + 1 + j;
              return returns.slice(end - horizon + 1, end + 1).reduce((s, r) => s + r, 0);
            });
            expect(q).toBeCloseTo(
              sortedQuantile(
                past.sort((a, b) => a - b),
                p,
              ),
              12,
            );
          });
        },
      ),
    );
  });

  it('EWMA-normal (λ = 0.9, H = 2, 5%) is Φ⁻¹(0.05)·√(2·v), matching Python', () => {
    const ewma = ewmaNormalVar(SHORT, 0.9, 0.8585852325000003, 2, 0.05);
    expect(ewma.from).toBe(0);
    expect(ewma.quantiles[0]).toBeCloseTo(-2.0457989685962192, 12);
    expect(ewma.quantiles.at(-1)).toBeCloseTo(-2.1364947984332394, 12);
  });

  it('refuses a VaR quantile outside (0, 0.5), a short window and a horizon longer than the data', () => {
    for (const p of [0, 0.5, 0.99, -0.01, Number.NaN])
      expect(() => historicalSimulationVar(SHORT, 2, 5, p)).toThrow(/VaR quantile must be in \(0, 0.5\)/);
    expect(() => ewmaNormalVar(SHORT, 0.9, 1, 2, 0.5)).toThrow(/VaR quantile/);
    expect(() => historicalSimulationVar(SHORT, 2, 1, 0.05)).toThrow(/window must be a whole number ≥ 2/);
    expect(() => historicalSimulationVar(SHORT, 48, 5, 0.05)).toThrow(/longer than the data/);
    expect(() => historicalSimulationVar(SHORT, 10, 40, 0.05)).toThrow(/needs more than 48 returns/);
  });
});

describe('VaR backtests', () => {
  it('a violation is a return below the VaR', () => {
    expect(varViolations([-0.03, -0.02, 0.01], [-0.02, -0.02, -0.02])).toEqual([true, false, false]);
    expect(() => varViolations([1], [1, 2])).toThrow(/one quantile per realized return/);
  });

  it('Kupiec: 5 violations in 250 at 1% give LR 1.9568097882, p 0.1618549172 (Python); 1 in 100 gives 0; 0 in 100 gives −200 ln 0.99', () => {
    const test = kupiecTest(5, 250, 0.01);
    expect(test.statistic).toBeCloseTo(1.956809788230622, 12);
    expect(test.pValue).toBeCloseTo(0.16185491719604272, 12);
    expect(kupiecTest(1, 100, 0.01).statistic).toBeCloseTo(0, 14);
    expect(kupiecTest(0, 100, 0.01).statistic).toBeCloseTo(2.01006717070029, 12);
    expect(kupiecTest(0, 100, 0.01).pValue).toBeCloseTo(0.15625839953485104, 12);
  });

  it.each([
    // Jorion's table: p = 5%: 6 < N < 21, 16 < N < 36, 37 < N < 65; p = 1%: 1 < N < 11, 4 < N < 17.
    [255, 0.05, 7, 20],
    [510, 0.05, 17, 35],
    [1000, 0.05, 38, 64],
    [510, 0.01, 2, 10],
    [1000, 0.01, 5, 16],
    // Jorion prints N < 7 here, but zero violations in 255 at 1% has LR −510 ln 0.99 = 5.13 > 3.84: rejected.
    [255, 0.01, 1, 6],
  ])('Kupiec accepts %i forecasts at %f with %i to %i violations', (n, p, min, max) => {
    expect(kupiecTest(3, n, p).acceptance).toEqual({ min, max });
  });

  it('Kupiec refuses impossible counts', () => {
    expect(() => kupiecTest(11, 10, 0.05)).toThrow(/whole number in \[0, 10\]/);
    expect(() => kupiecTest(0, 0, 0.05)).toThrow(/at least one forecast/);
  });

  it('Christoffersen by hand: 0110001100 has n00 = 3, n01 = 2, n10 = 2, n11 = 2: LR 0.0900142642, p 0.7641590225', () => {
    const sequence = [0, 1, 1, 0, 0, 0, 1, 1, 0, 0].map(Boolean);
    const test = christoffersenIndependence(sequence);
    // 2[3 ln ⅗ + 2 ln ⅖ + 2 ln ½ + 2 ln ½] − 2[5 ln 5/9 + 4 ln 4/9]
    expect(test.statistic).toBeCloseTo(0.09001426417969327, 12);
    expect(test.pValue).toBeCloseTo(0.7641590224574419, 12);
    // Conditional coverage at 5%: Kupiec(4 of 10) + the above, χ²(2).
    const cc = conditionalCoverage(sequence, 0.05);
    expect(cc.statistic).toBeCloseTo(11.211158645077097, 11);
    expect(cc.pValue).toBeCloseTo(0.0036772895903186826, 12);
  });

  it('Christoffersen is 0 when a violation is as likely after a violation as after none (0011000100: π01 = π11 = ⅓)', () => {
    expect(christoffersenIndependence([0, 0, 1, 1, 0, 0, 0, 1, 0, 0].map(Boolean)).statistic).toBeCloseTo(0, 14);
    expect(christoffersenIndependence([false, false, false]).statistic).toBe(0);
  });

  it('pinball at 5%: (0.05 − 1)(−0.03 + 0.02) = 0.0095 below the quantile, 0.05·(0.01 + 0.02) = 0.0015 above', () => {
    const [below = 0, above = 0] = pinballLosses([-0.03, 0.01], [-0.02, -0.02], 0.05);
    expect(below).toBeCloseTo(0.0095, 15);
    expect(above).toBeCloseTo(0.0015, 15);
  });

  it('the pinball loss is ≥ 0 and its mean is smallest at the empirical quantile (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 5, maxLength: 50 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (ys, q) => {
          const p = 0.05;
          const meanLoss = (level: number): number =>
            pinballLosses(ys, new Array<number>(ys.length).fill(level), p).reduce((s, l) => s + l, 0) / ys.length;
          pinballLosses(ys, new Array<number>(ys.length).fill(q), p).forEach((l) => expect(l).toBeGreaterThanOrEqual(0));
          // An order statistic at rank ⌈p·n⌉ minimizes the mean pinball loss.
          const best = [...ys].sort((a, b) => a - b)[Math.max(0, Math.ceil(p * ys.length) - 1)] ?? 0;
          expect(meanLoss(best)).toBeLessThanOrEqual(meanLoss(q) + 1e-12);
        },
      ),
    );
  });

  it('all figures together: 1 violation in 4 at 5%', () => {
    const figures = varFigures([-0.03, 0.01, 0.0, -0.01], [-0.02, -0.02, -0.02, -0.02], 0.05);
    expect(figures).toMatchObject({ n: 4, stride: 1, violations: 1, violationRate: 0.25 });
    expect(figures.kupiec.statistic).toBeCloseTo(kupiecTest(1, 4, 0.05).statistic, 15);
    // (0.0095 + 0.0015 + 0.001 + 0.0005) / 4
    expect(figures.pinball).toBeCloseTo(0.003125, 15);
  });

  it('with stride H, counts coverage on non-overlapping forecasts only (the 1st and 3rd of 4 at stride 2) and the pinball loss on all', () => {
    const figures = varFigures([-0.03, 0.01, 0.0, -0.01], [-0.02, -0.02, -0.02, -0.02], 0.05, 2);
    expect(figures).toMatchObject({ n: 2, stride: 2, violations: 1, violationRate: 0.5 });
    expect(figures.kupiec.statistic).toBeCloseTo(kupiecTest(1, 2, 0.05).statistic, 15);
    expect(figures.christoffersenIndependence.statistic).toBeCloseTo(christoffersenIndependence([true, false]).statistic, 15);
    expect(figures.pinball).toBeCloseTo(0.003125, 15);
    expect(() => varFigures([0], [0], 0.05, 0)).toThrow(/stride must be a whole number ≥ 1/);
  });
});
