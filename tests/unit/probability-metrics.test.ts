/**
 * The sharp-move figures and baseline against numbers worked out by hand, and the logistic fit
 * against a plain Newton–Raphson in Python (no standardization, stopped at steps below 1e-14).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src-main/model/random';
import {
  brierScore,
  expectedCalibrationError,
  fitLogisticRegression,
  logisticProbability,
  probabilityFigures,
  reliabilityCurve,
  rocAuc,
  rocAucInterval,
  sharpMoveBaselineFeatures,
} from '../../src-main/evaluation/probability-metrics';

describe('ROC AUC', () => {
  it('counts ties as half (Mann–Whitney): positives 0.35, 0.8, 0.4 against negatives 0.1, 0.4, 0.4 win 1 + 3 + (1 + ½ + ½) of 9 pairs', () => {
    expect(rocAuc([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4])).toBeCloseTo(6 / 9, 15);
  });

  it('is 1 for a perfectly separating score, 0 for its reverse, ½ for a constant (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ min: 2, max: 3, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (negatives, positives) => {
          const outcomes = [...negatives.map(() => 0), ...positives.map(() => 1)];
          const scores = [...negatives, ...positives];
          expect(rocAuc(outcomes, scores)).toBe(1);
          expect(
            rocAuc(
              outcomes,
              scores.map((s) => -s),
            ),
          ).toBe(0);
          expect(
            rocAuc(
              outcomes,
              scores.map(() => 0.3),
            ),
          ).toBe(0.5);
        },
      ),
    );
  });

  it('AUC(−s) = 1 − AUC(s) for any scores with both outcomes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 40 }),
        (pairs) => {
          const outcomes = pairs.map(([y]) => y);
          if (!outcomes.includes(0) || !outcomes.includes(1)) return;
          const scores = pairs.map(([, s]) => s);
          expect(
            rocAuc(
              outcomes,
              scores.map((s) => -s),
            ),
          ).toBeCloseTo(1 - rocAuc(outcomes, scores), 12);
        },
      ),
    );
  });

  it('equals the share of positive–negative pairs the positive wins, ties half (property, by counting every pair)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: -4, max: 4 })), { minLength: 2, maxLength: 40 }),
        (pairs) => {
          const outcomes = pairs.map(([y]) => y);
          if (!outcomes.includes(0) || !outcomes.includes(1)) return;
          let wins = 0;
          let count = 0;
          for (const [y, s] of pairs)
            for (const [z, t] of pairs)
              if (y === 1 && z === 0) {
                count++;
                wins += s > t ? 1 : s === t ? 0.5 : 0;
              }
          expect(
            rocAuc(
              outcomes,
              pairs.map(([, s]) => s),
            ),
          ).toBeCloseTo(wins / count, 14);
        },
      ),
    );
  });

  it('its bootstrap interval holds the value, is reproducible by seed, and is [1, 1] for a separating score', () => {
    const outcomes = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const scores = outcomes.map((y, i) => y * 0.3 + ((i * 37) % 11) / 11);
    const interval = rocAucInterval(outcomes, scores);
    expect(interval.low).toBeLessThanOrEqual(interval.value);
    expect(interval.high).toBeGreaterThanOrEqual(interval.value);
    expect(interval.high - interval.low).toBeGreaterThan(0);
    expect(rocAucInterval(outcomes, scores)).toEqual(interval);
    expect(rocAucInterval(outcomes, scores, 8)).not.toEqual(interval);
    expect(rocAucInterval([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toEqual({ value: 1, low: 1, high: 1 });
  });

  it('with overlapping windows, the block bootstrap keeps the interval as wide as the independent events allow', () => {
    // 400 independent events, each then seen by 10 consecutive windows (as H-candle targets overlap):
    // the repeats add no information, so the interval should stay about as wide as the 400 events'.
    const random = seededRandom(3);
    const outcomes = Array.from({ length: 400 }, () => (random() < 0.3 ? 1 : 0));
    const scores = outcomes.map((y) => y * 0.4 + random());
    const repeat = (values: number[]): number[] => values.flatMap((v) => new Array<number>(10).fill(v));
    const width = ({ low, high }: { low: number; high: number }): number => high - low;
    const independent = width(rocAucInterval(outcomes, scores));
    const drawnOneByOne = width(rocAucInterval(repeat(outcomes), repeat(scores)));
    const drawnInBlocks = width(rocAucInterval(repeat(outcomes), repeat(scores), 7, 300, 10));
    expect(drawnOneByOne).toBeLessThan(0.5 * independent);
    expect(drawnInBlocks).toBeGreaterThan(0.7 * independent);
    expect(drawnInBlocks).toBeLessThan(1.3 * independent);
    // A block of 1 draws exactly as before.
    expect(rocAucInterval(outcomes, scores, 7, 300, 1)).toEqual(rocAucInterval(outcomes, scores));
    expect(() => rocAucInterval(outcomes, scores, 7, 300, 0)).toThrow(/block must be a whole number ≥ 1/);
  });

  it('refuses one class only, outcomes other than 0/1 and non-finite scores', () => {
    expect(() => rocAuc([1, 1], [0.2, 0.3])).toThrow(/both outcomes/);
    expect(() => rocAuc([0, 2], [0.2, 0.3])).toThrow(/outcome 1 is 2/);
    expect(() => rocAuc([0, 1], [0.2, Number.NaN])).toThrow(/forecast 1 is NaN/);
  });
});

describe('calibration', () => {
  it('Brier: ((0.8 − 1)² + (0.3 − 0)²)/2 = 0.065; probabilities outside [0, 1] are refused', () => {
    expect(brierScore([1, 0], [0.8, 0.3])).toBeCloseTo(0.065, 15);
    expect(() => brierScore([1, 0], [1.2, 0.3])).toThrow(/probability 0 is 1.2/);
  });

  it('reliability with 2 bins: [0.1, 0.2] → mean 0.15, observed ½; [0.6, 0.9] → mean 0.75, observed 1; ECE = ½·0.35 + ½·0.25 = 0.3', () => {
    const curve = reliabilityCurve([0, 1, 1, 1], [0.1, 0.2, 0.6, 0.9], 2);
    expect(curve).toHaveLength(2);
    expect(curve[0]).toMatchObject({ low: 0, high: 0.5, count: 2, observedFrequency: 0.5 });
    expect(curve[0]?.meanPredicted).toBeCloseTo(0.15, 15);
    expect(curve[1]).toMatchObject({ low: 0.5, high: 1, count: 2, observedFrequency: 1 });
    expect(curve[1]?.meanPredicted).toBeCloseTo(0.75, 15);
    expect(expectedCalibrationError(curve)).toBeCloseTo(0.3, 15);
  });

  it('puts 1.0 in the last bin and leaves empty bins with null means', () => {
    const curve = reliabilityCurve([1, 0], [1, 0.05], 4);
    expect(curve.map((b) => b.count)).toEqual([1, 0, 0, 1]);
    expect(curve[1]).toMatchObject({ meanPredicted: null, observedFrequency: null });
  });

  it('a forecast that says the observed frequency in every bin has ECE 0', () => {
    const figures = probabilityFigures([0, 0, 0, 1, 1, 0, 1, 1], [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75], 2);
    expect(figures.expectedCalibrationError).toBeCloseTo(0, 15);
    expect(figures).toMatchObject({ n: 8, positives: 4 });
    // 2·0.25² + 0.75² for the low bin, 0.75² + 2·0.25²… : every point is off by 0.25 or 0.75.
    expect(figures.brier).toBeCloseTo((6 * 0.0625 + 2 * 0.5625) / 8, 15);
  });
});

describe('the sharp-move baseline', () => {
  it('features: log trailing volatility and the UTC hour on a circle (18:30 → sin −0.99144, cos 0.13053)', () => {
    const [logVolatility = 0, sin = 0, cos = 0] = sharpMoveBaselineFeatures(0.01, Date.UTC(2024, 0, 5, 18, 30));
    expect(logVolatility).toBeCloseTo(-4.605170185988091, 14);
    expect(sin).toBeCloseTo(-0.9914448613738105, 13);
    expect(cos).toBeCloseTo(0.13052619222005127, 13);
    expect(() => sharpMoveBaselineFeatures(0, 0)).toThrow(/positive finite trailing volatility/);
  });

  it('one binary feature has the closed form: intercept logit(¼) = −ln 3, slope logit(¾) − logit(¼) = 2 ln 3', () => {
    const features = [0, 0, 0, 0, 1, 1, 1, 1].map((x) => [x]);
    const fit = fitLogisticRegression(features, [1, 0, 0, 0, 1, 1, 1, 0]);
    expect(fit.coefficients[0]).toBeCloseTo(-Math.log(3), 6);
    expect(fit.coefficients[1]).toBeCloseTo(2 * Math.log(3), 6);
    expect(logisticProbability(fit, [1])).toBeCloseTo(0.75, 6);
    expect(fit.converged).toBe(true);
  });

  it('two features match a plain Newton–Raphson in Python', () => {
    const x1 = [0.5, 1.2, -0.3, 2.0, 1.1, -1.0, 0.2, 1.7, -0.5, 0.9, 1.5, -0.2];
    const x2 = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0];
    const y = [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0];
    const fit = fitLogisticRegression(
      x1.map((a, i) => [a, x2[i] ?? 0]),
      y,
    );
    [-2.2620117202128287, 2.4359758586376414, 0.14320556733685344].forEach((b, i) => expect(fit.coefficients[i]).toBeCloseTo(b, 5));
    expect(logisticProbability(fit, [0.5, 1])).toBeCloseTo(0.2888823812094033, 6);
  });

  it('stays finite on perfectly separated outcomes and refuses rows of the wrong width', () => {
    const fit = fitLogisticRegression([[0], [1], [2], [3]], [0, 0, 1, 1]);
    expect(fit.coefficients.every(Number.isFinite)).toBe(true);
    expect(fit.converged).toBe(false);
    expect(logisticProbability(fit, [0])).toBeLessThan(0.01);
    expect(logisticProbability(fit, [3])).toBeGreaterThan(0.99);
    expect(() => fitLogisticRegression([[0], [1, 2]], [0, 1])).toThrow(/row 1/);
  });
});
