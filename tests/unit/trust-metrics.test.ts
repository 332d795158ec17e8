import { describe, expect, it } from 'vitest';
import { averageRanks, massInside, pointsInside, spearman } from '../../src-main/explain/map-checks';
import {
  gaussian,
  imputeSteps,
  perturbationCurves,
  perturbationFigures,
  perturbedWindows,
  relevanceOrder,
  removedAt,
  variantCount,
} from '../../src-main/explain/perturbation';
import { seededRandom } from '../../src-main/model/random';

const never = () => {
  throw new Error('no noise was asked for');
};

describe('noisy linear imputation along time', () => {
  it('fills a gap by the straight line between the kept steps either side', () => {
    // Steps 1 and 2 removed between 0 and 3: 0 → 3 in three steps gives 1, 2.
    expect(Array.from(imputeSteps([0, 5, 9, 3, 40], 1, [false, true, true, false, false], 0, never))).toEqual([0, 1, 2, 3, 40]);
  });

  it('extends the nearest kept value past either end, channel by channel', () => {
    // Two channels, time-major: (t0: 1, 10), (t1: 2, 20), (t2: 3, 30); steps 0 and 2 removed.
    expect(Array.from(imputeSteps([1, 10, 2, 20, 3, 30], 2, [true, false, true], 0, never))).toEqual([2, 20, 2, 20, 2, 20]);
  });

  it('fills a window with no kept step with the training mean, 0', () => {
    expect(Array.from(imputeSteps([7, 8], 1, [true, true], 0, never))).toEqual([0, 0]);
  });

  it('adds noise·N(0, 1) to the filled values only, from the given seed', () => {
    const out = imputeSteps([0, 5, 4], 1, [false, true, false], 0.5, seededRandom(3));
    const draw = gaussian(seededRandom(3));
    expect(out[0]).toBe(0);
    expect(out[2]).toBe(4);
    expect(out[1]).toBeCloseTo(2 + 0.5 * draw, 6);
  });

  it('refuses a window whose size does not match the mask', () => {
    expect(() => imputeSteps([1, 2, 3], 1, [true, false], 0, never)).toThrow(/expected 2×1 values, got 3/);
  });
});

describe('ROAD, deletion, insertion, comprehensiveness and sufficiency', () => {
  it('orders steps most relevant first, ties in time order, and removes from either end', () => {
    const order = relevanceOrder([0.9, 0.1, 0.5, 0.5]);
    expect(order).toEqual([0, 2, 3, 1]);
    expect(removedAt(order, 0.5, 'most')).toEqual([true, false, true, false]);
    expect(removedAt(order, 0.25, 'least')).toEqual([false, true, false, false]);
  });

  it('gives the values computed by hand for a linear score of a 4-candle window', () => {
    // Window x = [4, 0, 8, 2] (one channel), relevance ranks steps 0, 2, 3, 1; score = x0 + x3.
    // Fractions 1/4, 1/2, 3/4 remove 1, 2, 3 steps. By hand (noise 0):
    //   MoRF: remove {0} → [0,0,8,2]: 2; {0,2} → [0,0,1,2]: 2; {0,2,3} → all 0: 0
    //   LeRF: remove {1} → [4,6,8,2]: 6; {1,3} → [4,6,8,8]: 12; {1,3,2} → all 4: 8
    //   original 6; every step removed → 0.
    const fractions = [0.25, 0.5, 0.75];
    const window = [4, 0, 8, 2];
    const windows = perturbedWindows(window, [0.9, 0.1, 0.5, 0.3], fractions, (removed) => imputeSteps(window, 1, removed, 0, never));
    expect(windows.length).toBe(variantCount(fractions) * 4);
    const scores = Array.from({ length: variantCount(fractions) }, (_, v) => (windows[v * 4] ?? 0) + (windows[v * 4 + 3] ?? 0));
    const curves = perturbationCurves(scores, fractions);
    expect(curves).toEqual({ fractions, original: 6, imputed: 0, morf: [2, 2, 0], lerf: [6, 12, 8] });
    const figures = perturbationFigures(curves, 0.25);
    expect(figures.morfArea).toBeCloseTo(4 / 3, 12);
    expect(figures.lerfArea).toBeCloseTo(26 / 3, 12);
    expect(figures.roadCombined).toBeCloseTo(11 / 3, 12);
    // Deletion over x = 0, ¼, ½, ¾, 1 of [6, 2, 2, 0, 0]: ¼·(4 + 2 + 1 + 0) = 1.75.
    expect(figures.deletionAuc).toBeCloseTo(1.75, 12);
    // Insertion over kept x = 0, ¼, ½, ¾, 1 of [0, 8, 12, 6, 6]: ¼·(4 + 10 + 9 + 6) = 7.25.
    expect(figures.insertionAuc).toBeCloseTo(7.25, 12);
    // Comprehensiveness 6 − 2; sufficiency 6 − 8 (the top quarter alone scores higher than all).
    expect(figures.comprehensiveness).toBe(4);
    expect(figures.sufficiency).toBe(-2);
  });

  it('refuses scores that do not match the fractions, and a top fraction it has no curve for', () => {
    expect(() => perturbationCurves([1, 2, 3], [0.5])).toThrow(/expected 4 scores, got 3/);
    expect(() => perturbationFigures(perturbationCurves([1, 2, 3, 4], [0.5]), 0.2)).toThrow(/no fraction 0.2/);
  });
});

describe('map checks', () => {
  it('ranks with ties sharing their mean rank', () => {
    expect(averageRanks([10, 30, 20, 30])).toEqual([1, 3.5, 2, 3.5]);
  });

  it("computes Spearman's ρ as by hand, and null for a constant map", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks [1,2,3,4] and [2,1,4,3]: Σd² = 4, ρ = 1 − 6·4/(4·15) = 0.6.
    expect(spearman([0.1, 0.2, 0.3, 0.4], [5, 1, 9, 7])).toBeCloseTo(0.6, 12);
    expect(spearman([0, 0, 0], [1, 2, 3])).toBeNull();
  });

  it('plays the pointing game and measures the mass inside the pattern', () => {
    const pattern = { from: 2, to: 4 };
    expect(pointsInside([0, 0.2, 1, 0.5, 0], pattern)).toBe(true);
    expect(pointsInside([1, 0.2, 0.3, 0.5, 0], pattern)).toBe(false);
    // A flat map points nowhere.
    expect(pointsInside([0, 0, 0, 0, 0], pattern)).toBe(false);
    expect(massInside([0, 1, 2, 1, 0], pattern)).toBeCloseTo(0.75, 12);
    expect(massInside([0, 0, 0, 0, 0], pattern)).toBe(0);
  });
});
