/**
 * Perturbation tests of a relevance map over time, pure (no model: the caller scores the windows
 * built here). Definitions, reproduced in our own terms:
 * - ROAD (Rong et al., 2022): remove the most relevant (MoRF) or least relevant (LeRF) fraction of
 *   the candles, 10 % to 90 %, and fill them by noisy linear imputation, so that the shape of the
 *   mask does not itself tell the model anything. The curves are the target's score after each
 *   removal, their areas their means over the fractions, and the combined score
 *   (mean LeRF − mean MoRF) / 2: positive when removing what the map calls relevant hurts more than
 *   removing what it calls irrelevant.
 * - Deletion and insertion AUC (Petsiuk et al., 2018) with the same imputation: the score as the
 *   most relevant candles are removed, from none to all (lower is better), and as they are put back
 *   into a fully imputed window, most relevant first (higher is better); trapezoid areas over [0, 1].
 * - Comprehensiveness and sufficiency (DeYoung et al., 2020, as time_interpret computes them): the
 *   score's drop when the top fraction is removed (higher is better), and when all but the top
 *   fraction is removed (lower is better).
 *
 * A candle is removed in one of two spaces. Where a model's input positions are its candles (the
 * FinancialCNN), in the input itself (`imputeSteps`). Where they are an image's cells, imputing cells
 * would not remove a candle (a GAF cell mixes two candles; a chart column block is blank or drawn,
 * never "between"), and blanking them (the geometry's blankCandles) draws an image no window gives,
 * which is the mask-shape leak ROAD's imputation exists to avoid. So there the candles themselves are
 * imputed (`imputeCandles`) and the window is encoded again by the model's own encoding.
 */
import type { Candle } from '../../src-shared/domain/market';

/** ROAD's removal fractions: 10 % to 90 % in steps of 10 %. */
export const ROAD_FRACTIONS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Comprehensiveness and sufficiency read the top 20 % of the candles. */
export const TOP_FRACTION = 0.2;

/**
 * The noise added to each imputed value, in the units of the normalized inputs (every channel has
 * standard deviation 1 on the training period): ROAD's 0.01 on pixels in 0..1 is about 4 % of a
 * pixel's spread, and 0.05 is that share here.
 */
export const IMPUTATION_NOISE = 0.05;

/** A standard normal draw from a uniform source (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Copies a window (T × C, time-major) and fills the removed time steps, channel by channel, by the
 * linear imputation along time: each removed value is the mean of its two neighbours, the nearest
 * kept ones included (a linear system whose solution is the straight line between the kept steps
 * either side of a gap, and the nearest kept value before the first or after the last). A window
 * with no kept step is filled with 0, the training mean. Then noise·N(0, 1) is added to each
 * filled value (none drawn when noise is 0).
 */
export function imputeSteps(
  window: ArrayLike<number>,
  channels: number,
  removed: ArrayLike<boolean>,
  noise: number,
  random: () => number,
): Float32Array {
  const T = removed.length;
  if (window.length !== T * channels) throw new Error(`expected ${T}×${channels} values, got ${window.length}`);
  const out = Float32Array.from(window);
  let previousKept = -1;
  for (let t = 0; t <= T; t++) {
    if (t < T && removed[t]) continue;
    // A gap of removed steps runs from previousKept + 1 to t − 1.
    for (let gap = previousKept + 1; gap < t; gap++) {
      for (let c = 0; c < channels; c++) {
        const before = previousKept >= 0 ? (window[previousKept * channels + c] ?? 0) : undefined;
        const after = t < T ? (window[t * channels + c] ?? 0) : undefined;
        const filled =
          before !== undefined && after !== undefined
            ? before + ((after - before) * (gap - previousKept)) / (t - previousKept)
            : (before ?? after ?? 0);
        out[gap * channels + c] = noise === 0 ? filled : filled + noise * gaussian(random);
      }
    }
    previousKept = t;
  }
  return out;
}

/** The values a candle is imputed in: logs of its prices, and of 1 + its volume (it may be 0). */
const CANDLE_VALUES = 5;

function candleValues(c: Candle): number[] {
  return [Math.log(c.open), Math.log(c.high), Math.log(c.low), Math.log(c.close), Math.log1p(c.volume)];
}

/**
 * Copies a window's history (the warm-up its encoding reads, then its T candles) with the window's
 * removed candles (`removed`, one per window candle) filled by ROAD's noisy linear imputation in
 * candle space: log open, high, low, close and log(1 + volume), each on a straight line between the
 * nearest kept candles either side (the candle before the window always counts as kept, so a window
 * with every candle removed continues its previous candle). The noise is `noise` times each value's
 * standard deviation over the window and the candle before it: the image kinds scale every window on
 * its own, so the window's spread is the unit, as the training period's is for normalized inputs.
 * High and low are then widened to hold open and close, so every imputed candle is a candle.
 */
export function imputeCandles(history: readonly Candle[], removed: ArrayLike<boolean>, noise: number, random: () => number): Candle[] {
  const T = removed.length;
  if (history.length < T + 1) throw new Error(`a window of ${T} candles needs the candle before it: got ${history.length} candles`);
  const from = history.length - T - 1;
  const span = history.slice(from);
  const values = span.map(candleValues);
  const mean = Array.from({ length: CANDLE_VALUES }, (_, v) => values.reduce((sum, row) => sum + (row[v] ?? 0), 0) / values.length);
  const spread = mean.map((m, v) => Math.sqrt(values.reduce((sum, row) => sum + ((row[v] ?? 0) - m) ** 2, 0) / values.length));
  // Imputed in standardized units, so that one noise level fits every value.
  const standardized = values.flatMap((row) => row.map((x, v) => (x - (mean[v] ?? 0)) / ((spread[v] ?? 0) || 1)));
  const imputed = imputeSteps(standardized, CANDLE_VALUES, [false, ...Array.from(removed)], noise, random);
  const out = history.slice(0, from + 1);
  for (let t = 1; t <= T; t++) {
    const candle = span[t] as Candle;
    if (!removed[t - 1]) {
      out.push(candle);
      continue;
    }
    const [open, high, low, close, volume] = Array.from(
      { length: CANDLE_VALUES },
      (_, v) => (imputed[t * CANDLE_VALUES + v] ?? 0) * (spread[v] ?? 0) + (mean[v] ?? 0),
    ) as [number, number, number, number, number];
    out.push({
      ...candle,
      open: Math.exp(open),
      close: Math.exp(close),
      high: Math.exp(Math.max(high, open, close)),
      low: Math.exp(Math.min(low, open, close)),
      volume: Math.max(0, Math.expm1(volume)),
    });
  }
  return out;
}

/** Time steps by relevance, most relevant first; equal relevance keeps time order. */
export function relevanceOrder(relevance: ArrayLike<number>): number[] {
  return Array.from({ length: relevance.length }, (_, t) => t).sort((a, b) => (relevance[b] ?? 0) - (relevance[a] ?? 0) || a - b);
}

/** Steps removed at a fraction: the first round(f·T) of the order (MoRF), or the last (LeRF). */
export function removedAt(order: readonly number[], fraction: number, first: 'most' | 'least'): boolean[] {
  const count = Math.round(fraction * order.length);
  const removed = new Array<boolean>(order.length).fill(false);
  const chosen = first === 'most' ? order.slice(0, count) : order.slice(order.length - count);
  for (const t of chosen) removed[t] = true;
  return removed;
}

/** How many perturbed windows one window needs: itself, fully imputed, MoRF and LeRF at each fraction. */
export function variantCount(fractions: readonly number[]): number {
  return 2 + 2 * fractions.length;
}

/**
 * One window's perturbed copies, in the order perturbationCurves reads their scores: the window's
 * own input, every candle removed, MoRF at each fraction, LeRF at each fraction. `remove` gives the
 * window's input without the candles it is given (imputeSteps in the input, or imputeCandles and the
 * kind's encoding); each copy is as long as `input`.
 */
export function perturbedWindows(
  input: ArrayLike<number>,
  relevance: ArrayLike<number>,
  fractions: readonly number[],
  remove: (removed: boolean[]) => ArrayLike<number>,
): Float32Array {
  const T = relevance.length;
  const size = input.length;
  const order = relevanceOrder(relevance);
  const out = new Float32Array(variantCount(fractions) * size);
  const put = (values: ArrayLike<number>, at: number) => {
    if (values.length !== size) throw new Error(`a perturbed input has ${values.length} values, the window's ${size}`);
    out.set(values, at * size);
  };
  put(input, 0);
  put(remove(new Array<boolean>(T).fill(true)), 1);
  fractions.forEach((f, i) => {
    put(remove(removedAt(order, f, 'most')), 2 + i);
    put(remove(removedAt(order, f, 'least')), 2 + fractions.length + i);
  });
  return out;
}

/** Scores of a window's perturbed copies, averaged over windows where given as a mean. */
export interface PerturbationCurves {
  fractions: number[];
  /** The target's score on the untouched window. */
  original: number;
  /** Its score with every candle imputed. */
  imputed: number;
  /** Score after removing the most relevant fraction, one per fraction. */
  morf: number[];
  /** Score after removing the least relevant fraction, one per fraction. */
  lerf: number[];
}

/** Reads the scores of perturbedWindows' copies, in its order. */
export function perturbationCurves(scores: ArrayLike<number>, fractions: readonly number[]): PerturbationCurves {
  if (scores.length !== variantCount(fractions)) throw new Error(`expected ${variantCount(fractions)} scores, got ${scores.length}`);
  const at = (i: number) => scores[i] ?? NaN;
  return {
    fractions: [...fractions],
    original: at(0),
    imputed: at(1),
    morf: fractions.map((_, i) => at(2 + i)),
    lerf: fractions.map((_, i) => at(2 + fractions.length + i)),
  };
}

/** The mean of several windows' curves (every figure below is linear in them, so it is also the mean figure). */
export function meanCurves(curves: readonly PerturbationCurves[]): PerturbationCurves {
  const first = curves[0];
  if (first === undefined) throw new Error('no curves to average');
  const mean = (pick: (c: PerturbationCurves) => number) => curves.reduce((sum, c) => sum + pick(c), 0) / curves.length;
  return {
    fractions: first.fractions,
    original: mean((c) => c.original),
    imputed: mean((c) => c.imputed),
    morf: first.morf.map((_, i) => mean((c) => c.morf[i] ?? NaN)),
    lerf: first.lerf.map((_, i) => mean((c) => c.lerf[i] ?? NaN)),
  };
}

function trapezoid(xs: readonly number[], ys: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < xs.length; i++) area += (((ys[i] ?? 0) + (ys[i - 1] ?? 0)) / 2) * ((xs[i] ?? 0) - (xs[i - 1] ?? 0));
  return area;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export interface PerturbationFigures {
  /** ROAD's areas: the mean score over the fractions after removing the most / least relevant. */
  morfArea: number;
  lerfArea: number;
  /** (lerfArea − morfArea) / 2; higher is better. */
  roadCombined: number;
  /** Area under the score as the most relevant candles are removed, 0 to all; lower is better. */
  deletionAuc: number;
  /** Area under the score as they are put back into the imputed window, most relevant first; higher is better. */
  insertionAuc: number;
  /** original − score with the top fraction removed; higher is better. */
  comprehensiveness: number;
  /** original − score with all but the top fraction removed; lower is better. */
  sufficiency: number;
}

/** The figures of one set of curves; `top` must be one of its fractions, and 1 − top too. */
export function perturbationFigures(curves: PerturbationCurves, top = TOP_FRACTION): PerturbationFigures {
  const { fractions, original, imputed, morf, lerf } = curves;
  const index = (f: number) => {
    const i = fractions.findIndex((x) => Math.abs(x - f) < 1e-9);
    if (i < 0) throw new Error(`the curves have no fraction ${f}`);
    return i;
  };
  const morfArea = mean(morf);
  const lerfArea = mean(lerf);
  // Deletion: x = fraction removed, most relevant first. Insertion: x = fraction kept, most
  // relevant first, which is LeRF at 1 − x.
  const deletionAuc = trapezoid([0, ...fractions, 1], [original, ...morf, imputed]);
  const kept = [...fractions].reverse().map((f) => 1 - f);
  const insertionAuc = trapezoid([0, ...kept, 1], [imputed, ...[...lerf].reverse(), original]);
  return {
    morfArea,
    lerfArea,
    roadCombined: (lerfArea - morfArea) / 2,
    deletionAuc,
    insertionAuc,
    comprehensiveness: original - (morf[index(top)] ?? NaN),
    sufficiency: original - (lerf[index(1 - top)] ?? NaN),
  };
}
