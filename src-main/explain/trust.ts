/**
 * The trust report of a model's explanations, batched on the tfjs backend: for every method and
 * every head, the perturbation figures (./perturbation: ROAD, deletion and insertion AUC,
 * comprehensiveness, sufficiency) and the cascading model-parameter randomization check
 * (./map-checks' Spearman correlation of the maps before and after). The planted-pattern benchmark
 * (src-main/training/planted-benchmark) adds the pointing game and the data randomization check.
 * Candles are removed in the input where a model's positions are its candles, and in candle space,
 * then encoded again, where they are not (an image kind) or when asked (./perturbation says why).
 */
import * as tf from '@tensorflow/tfjs';
import { CAM_METHODS, type CamMethodName } from '../../src-shared/domain/signal';
import {
  TRUST_METHOD_LABELS,
  TRUST_METHODS,
  type MethodTrust,
  type TrustMethodName,
  type TrustReport,
} from '../../src-shared/domain/trust-report';
import { headLayout, headSlot, type HeadName } from '../model/heads';
import type { Candle } from '../../src-shared/domain/market';
import { createNetwork, modelKind, positionsAreCandles } from '../model/kinds';
import type { ModelPipeline } from '../model/kinds/kind';
import { initialWeights, type FinancialCnn } from '../model/network';
import { seededRandom } from '../model/random';
import { kindOf, type ModelSpec, type StateDict } from '../model/spec';
import { normalizeCam } from './cam';
import { explainBatch, headScores } from './explainer';
import { randomIndices } from './faithfulness';
import { spearman } from './map-checks';
import {
  IMPUTATION_NOISE,
  imputeCandles,
  imputeSteps,
  meanCurves,
  perturbationCurves,
  perturbationFigures,
  relevanceOrder,
  perturbedWindows,
  removedAt,
  ROAD_FRACTIONS,
  TOP_FRACTION,
  variantCount,
  type PerturbationCurves,
} from './perturbation';

/** Windows explained per explainBatch call. */
const EXPLAIN_BATCH = 64;
/** Perturbed windows per forward pass. */
const SCORE_BATCH = 360;

/** Each window's relevance map (0..1 over time) and the output column it explains. */
export interface RelevanceMaps {
  maps: number[][];
  columns: number[];
}

/**
 * Gradient × input as a map over time: the positive part of Σ_c ∂y/∂x[t,c] · x[t,c], normalized as
 * the CAMs are. It reads the input itself, not a conv block, so it is the reference the CAMs are
 * compared with.
 */
function gradientTimesInput(byStep: readonly (readonly number[])[]): number[] {
  return normalizeCam(
    byStep.map((channels) =>
      Math.max(
        0,
        channels.reduce((a, b) => a + b, 0),
      ),
    ),
  );
}

/**
 * The maps of `count` windows (flat [N, T, C]) by one method for one head's output: each window's
 * `targets[n]` (an output of the head), or by default the predicted class (direction) or output 0.
 */
export function relevanceMaps(
  model: FinancialCnn,
  inputs: Float32Array,
  count: number,
  method: TrustMethodName,
  head: HeadName,
  targets?: readonly number[],
): RelevanceMaps {
  const size = model.positions * model.spec.input_channels;
  const slot = headSlot(model.spec, head);
  const maps: number[][] = new Array<number[]>(count);
  const columns: number[] = new Array<number>(count);
  const explainRows = (rows: number[], target: number | undefined) => {
    const batch = new Float32Array(rows.length * size);
    rows.forEach((n, i) => batch.set(inputs.subarray(n * size, (n + 1) * size), i * size));
    const explained = explainBatch(model, batch, rows.length, {
      method: method === 'gradxinput' ? 'gradcam' : method,
      head,
      target,
      attribution: method === 'gradxinput',
    });
    explained.forEach((e, i) => {
      const n = rows[i] as number;
      maps[n] = method === 'gradxinput' ? gradientTimesInput(e.attributionByStep) : e.cam;
      columns[n] = slot.offset + e.target;
    });
  };
  for (let from = 0; from < count; from += EXPLAIN_BATCH) {
    const rows = Array.from({ length: Math.min(EXPLAIN_BATCH, count - from) }, (_, i) => from + i);
    if (targets === undefined) explainRows(rows, undefined);
    else
      for (const target of new Set(rows.map((n) => targets[n] ?? 0)))
        explainRows(
          rows.filter((n) => targets[n] === target),
          target,
        );
  }
  return { maps, columns };
}

/** The target's score (./explainer's headScores: a class probability, the volatility, …) of each window's column. */
export function targetScores(model: FinancialCnn, inputs: Float32Array, count: number, columns: readonly number[]): Float64Array {
  const scores = new Float64Array(count);
  const outputs = tf.tidy(() => model.outputs(tf.tensor3d(inputs, [count, model.positions, model.spec.input_channels])));
  try {
    for (const column of new Set(columns)) {
      const picked = tf.tidy(() => headScores(model.spec, outputs, column));
      const values = picked.dataSync();
      picked.dispose();
      columns.forEach((c, n) => {
        if (c === column) scores[n] = values[n] ?? NaN;
      });
    }
  } finally {
    outputs.dispose();
  }
  return scores;
}

/**
 * The windows' candles, for removing candles in candle space: each window's history (what its
 * kind's encoding reads, the window last), the model's pipeline that encodes it and the candle length.
 */
export interface CandleSpace {
  pipeline: ModelPipeline;
  histories: readonly (readonly Candle[])[];
  stepMs: number;
}

export interface PerturbationOptions {
  fractions?: readonly number[];
  noise?: number;
  seed?: number;
  /** Remove candles in candle space from these windows; by default in the input, which needs a kind whose positions are candles. */
  candles?: CandleSpace;
}

/**
 * The candle space of `pipeline`'s windows whose last candles start at `windowEnds`: each window's
 * history cut from `candles` (unbroken around each window, as a dataset's windows are).
 */
export function candleSpace(
  pipeline: ModelPipeline,
  candles: readonly Candle[],
  windowEnds: readonly number[],
  stepMs: number,
): CandleSpace {
  const { historyLength } = modelKind(pipeline.spec).window(pipeline);
  const index = new Map(candles.map((c, i) => [c.time, i]));
  const histories = windowEnds.map((end) => {
    const last = index.get(end);
    if (last === undefined || last + 1 < historyLength) throw new Error(`no ${historyLength} candles up to the window ending at ${end}`);
    return candles.slice(last + 1 - historyLength, last + 1);
  });
  return { pipeline, histories, stepMs };
}

/** The input of the n-th window with the candles `removed` (one per window candle) imputed. */
export type CandleRemoval = (n: number, removed: readonly boolean[], random: () => number) => Float32Array;

/** One window's history with the removed candles imputed, encoded again by its model's kind. */
export function reencodedWithout(
  { pipeline, stepMs }: Omit<CandleSpace, 'histories'>,
  history: readonly Candle[],
  removed: readonly boolean[],
  noise: number,
  random: () => number,
): Float32Array {
  return modelKind(pipeline.spec).encode(pipeline, imputeCandles(history, removed, noise, random), stepMs);
}

/**
 * How candles are removed from the windows `inputs` (flat [N, positions, C]): in candle space with
 * `candles`, else along time in the input itself, for a kind whose positions are its candles only.
 */
export function candleRemoval(spec: ModelSpec, inputs: Float32Array, noise: number, candles?: CandleSpace): CandleRemoval {
  if (candles !== undefined)
    return (n, removed, random) => {
      const history = candles.histories[n];
      if (history === undefined) throw new Error(`no candles for window ${n} (${candles.histories.length} given)`);
      return reencodedWithout(candles, history, removed, noise, random);
    };
  if (!positionsAreCandles(spec))
    throw new Error(
      `a ${kindOf(spec)}'s input positions are not its candles: its candles are removed in candle space, from the windows' candles`,
    );
  const size = spec.sequence_length * spec.input_channels;
  return (n, removed, random) => imputeSteps(inputs.subarray(n * size, (n + 1) * size), spec.input_channels, removed, noise, random);
}

/** The mean perturbation curves of windows explained by `maps` (./perturbation), scored in batches. */
export function perturbationTest(
  model: FinancialCnn,
  inputs: Float32Array,
  { maps, columns }: RelevanceMaps,
  options: PerturbationOptions = {},
): PerturbationCurves {
  const { fractions = ROAD_FRACTIONS, noise = IMPUTATION_NOISE, seed = 1 } = options;
  const size = model.positions * model.spec.input_channels;
  const remove = candleRemoval(model.spec, inputs, noise, options.candles);
  const variants = variantCount(fractions);
  const random = seededRandom(seed);
  const perWindow: PerturbationCurves[] = [];
  const windowsPerPass = Math.max(1, Math.floor(SCORE_BATCH / variants));
  for (let from = 0; from < maps.length; from += windowsPerPass) {
    const count = Math.min(windowsPerPass, maps.length - from);
    const batch = new Float32Array(count * variants * size);
    const batchColumns: number[] = [];
    for (let i = 0; i < count; i++) {
      const n = from + i;
      const input = inputs.subarray(n * size, (n + 1) * size);
      batch.set(
        perturbedWindows(input, maps[n] ?? [], fractions, (removed) => remove(n, removed, random)),
        i * variants * size,
      );
      for (let v = 0; v < variants; v++) batchColumns.push(columns[n] ?? 0);
    }
    const scores = targetScores(model, batch, count * variants, batchColumns);
    for (let i = 0; i < count; i++) perWindow.push(perturbationCurves(scores.subarray(i * variants, (i + 1) * variants), fractions));
  }
  return meanCurves(perWindow);
}

/** Random draws of the same number of candles that one signal's deletion test averages. */
const SIGNAL_DELETION_DRAWS = 8;

/**
 * One signal's own deletion test: the drop of its target's score when its top 20 % of candles by
 * the map are imputed (./perturbation's noisy linear imputation), against the mean drop when as many
 * candles drawn at random are. Seeded by nothing but the window, so a signal gets the same figures
 * every time it is explained. `remove` imputes the removed candles (one per window candle) and gives
 * the window's input without them: by default along time in `window` itself, which only a kind whose
 * positions are candles allows; ./perturbation's candle space with reencodedWithout.
 */
export function windowDeletion(
  model: FinancialCnn,
  window: Float32Array,
  map: readonly number[],
  column: number,
  remove?: (removed: readonly boolean[], random: () => number) => Float32Array,
): { fraction: number; topDrop: number; randomDrop: number } {
  const T = model.spec.sequence_length;
  let removeCandles = remove;
  if (removeCandles === undefined) {
    const inWindow = candleRemoval(model.spec, window, IMPUTATION_NOISE);
    removeCandles = (removed, random) => inWindow(0, removed, random);
  }
  const random = seededRandom(1);
  const count = Math.round(TOP_FRACTION * T);
  const drawn = Array.from({ length: SIGNAL_DELETION_DRAWS }, () => {
    const removed = new Array<boolean>(T).fill(false);
    for (const t of randomIndices(T, count, random)) removed[t] = true;
    return removed;
  });
  const masks = [removedAt(relevanceOrder(map), TOP_FRACTION, 'most'), ...drawn];
  const size = window.length;
  const batch = new Float32Array((1 + masks.length) * size);
  batch.set(window, 0);
  masks.forEach((removed, i) => batch.set(removeCandles(removed, random), (1 + i) * size));
  const scores = targetScores(model, batch, 1 + masks.length, new Array<number>(1 + masks.length).fill(column));
  const original = scores[0] ?? NaN;
  const randomDrop = scores.subarray(2).reduce((sum, s) => sum + (original - s), 0) / SIGNAL_DELETION_DRAWS;
  return { fraction: TOP_FRACTION, topDrop: original - (scores[1] ?? NaN), randomDrop };
}

/** Cumulative stages of the cascading randomization: the heads first, then each conv block from the top. */
export function randomizationStages(spec: ModelSpec): { randomized: string; prefixes: string[] }[] {
  const stages = [{ randomized: 'heads', prefixes: ['fc.', 'heads.'] }];
  for (let i = spec.convs.length - 1; i >= 0; i--) {
    const previous = stages.at(-1)?.prefixes ?? [];
    stages.push({ randomized: `conv ${i + 1}`, prefixes: [...previous, `convs.${i}.`, `bns.${i}.`] });
  }
  return stages;
}

/** The weights with every weight under one of `prefixes` re-initialized (PyTorch's default, seeded). */
export function randomizedWeights(spec: ModelSpec, weights: StateDict, prefixes: readonly string[], seed: number): StateDict {
  const fresh = initialWeights(spec, seed);
  return new Map([...weights].map(([name, w]) => [name, prefixes.some((p) => name.startsWith(p)) ? (fresh.get(name) ?? w) : w]));
}

/**
 * Added to the report's seed for the re-initialized weights: a model trained with the same seed
 * (the planted benchmark's) would otherwise be "randomized" back to its own initial weights.
 */
const RANDOMIZATION_SEED_OFFSET = 1_000_003;

/** Mean Spearman correlation of paired maps; a constant map (no ranking) counts as 0. */
export function meanSpearman(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length === 0) return 0;
  return a.reduce((sum, map, n) => sum + (spearman(map, b[n] ?? []) ?? 0), 0) / a.length;
}

/**
 * The cascading model-parameter randomization check: at each stage, the maps of the randomized model
 * for the same outputs the trained one explained, correlated with the trained model's maps.
 */
export function cascadingRandomization(
  model: { spec: ModelSpec; weights: StateDict },
  inputs: Float32Array,
  trained: RelevanceMaps,
  method: TrustMethodName,
  head: HeadName,
  seed: number,
): { randomized: string; spearman: number }[] {
  const offset = headSlot(model.spec, head).offset;
  const targets = trained.columns.map((c) => c - offset);
  return randomizationStages(model.spec).map(({ randomized, prefixes }) => {
    const network = createNetwork(model.spec, randomizedWeights(model.spec, model.weights, prefixes, seed + RANDOMIZATION_SEED_OFFSET));
    try {
      const maps = relevanceMaps(network, inputs, trained.maps.length, method, head, targets).maps;
      return { randomized, spearman: meanSpearman(trained.maps, maps) };
    } finally {
      network.dispose();
    }
  });
}

export interface TrustOptions extends PerturbationOptions {
  methods?: readonly TrustMethodName[];
  heads?: readonly HeadName[];
}

/** Up to `windows` of `count` windows, evenly spaced over them: a period's sample for the trust report. */
export function evenlySpaced(count: number, windows: number): number[] {
  const step = Math.max(1, Math.floor(count / windows));
  return Array.from({ length: Math.min(windows, Math.ceil(count / step)) }, (_, n) => n * step);
}

/**
 * The trust report of a model on `count` windows (flat [N, positions, C], as its kind encodes them),
 * every method × head; candles removed in candle space when `options.candles` gives the windows' candles.
 */
export function trustReport(
  model: { spec: ModelSpec; weights: StateDict },
  inputs: Float32Array,
  count: number,
  options: TrustOptions = {},
): TrustReport {
  const { methods = TRUST_METHODS, heads = headLayout(model.spec).map((s) => s.name), noise = IMPUTATION_NOISE, seed = 1 } = options;
  if (count === 0) throw new Error('no window to measure the explanations on');
  const network = createNetwork(model.spec, model.weights);
  const rows: MethodTrust[] = [];
  try {
    for (const head of heads) {
      for (const method of methods) {
        const maps = relevanceMaps(network, inputs, count, method, head);
        const curves = perturbationTest(network, inputs, maps, { ...options, noise, seed });
        rows.push({
          method,
          head,
          windows: count,
          curves,
          ...perturbationFigures(curves),
          randomization: cascadingRandomization(model, inputs, maps, method, head, seed),
          dataRandomization: null,
          pointingGame: null,
          patternMass: null,
        });
      }
    }
  } finally {
    network.dispose();
  }
  return {
    windows: count,
    noise,
    seed,
    space: options.candles === undefined ? 'inputs' : 'candles',
    rows,
    defaultMethod: defaultMethod(rows),
  };
}

/**
 * The app's default method: the CAM method (gradient × input is a reference the heatmap does not
 * offer) with the best ROAD combined score on the first head measured, and the sentence saying so.
 */
export function defaultMethod(rows: readonly MethodTrust[]): TrustReport['defaultMethod'] {
  const head = rows[0]?.head;
  const measured = rows.filter((r) => r.head === head).sort((a, b) => b.roadCombined - a.roadCombined);
  const best = measured.find((r): r is MethodTrust & { method: CamMethodName } => isCamMethod(r.method));
  if (best === undefined) return { method: 'gradcam', why: 'No CAM method was measured, so Grad-CAM stays the default.' };
  const others = measured
    .filter((r) => r !== best)
    .map((r) => `${TRUST_METHOD_LABELS[r.method]} ${r.roadCombined.toFixed(4)}`)
    .join(', ');
  const verdict =
    best.roadCombined > 0
      ? ''
      : ' Even so, removing its most relevant candles hurts no more than removing its least relevant: its heatmap cannot be trusted here.';
  return {
    method: best.method,
    why: `${TRUST_METHOD_LABELS[best.method]} has the best ROAD combined score of the CAM methods on the ${head} head over ${best.windows} test windows: ${best.roadCombined.toFixed(4)}${others === '' ? '' : ` (${others})`}.${verdict}`,
  };
}

function isCamMethod(method: TrustMethodName): method is CamMethodName {
  return (CAM_METHODS as readonly string[]).includes(method);
}
