/**
 * Fits a FinancialCNN on normalized windows: seeded initialization and shuffling, the weighted
 * multi-task loss over its heads (./losses; class-weighted cross-entropy alone for a direction-only
 * model), Adam, early stopping on the validation loss keeping the best epoch's weights.
 * Runs on the active tfjs backend; yields to the event loop between batches so that a cancel
 * request can land.
 */
import * as tf from '@tensorflow/tfjs';
import { pickRows } from '../features/dataset';
import { headsOf, type VolatilityAnchorValue } from '../model/heads';
import { createNetwork, createTrainable } from '../model/kinds';
import { initialWeights, type BatchStats, type TrainableCnn } from '../model/network';
import { seededRandom } from '../model/random';
import type { ModelSpec, StateDict } from '../model/spec';
import type { TrainSettings } from './job';
import { multiTaskLoss, type HeadTargets, type LossScales } from './losses';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  trainLoss: number;
  validationLoss: number;
  best: boolean;
}

/** Windows and their labels; the forecast heads' labels are given when the model has those heads. */
export interface TrainData {
  inputs: Float32Array;
  labels: Int32Array;
  logVolatility?: Float32Array;
  forwardReturn?: Float32Array;
  sharp?: Float32Array;
}

export interface TrainResult {
  weights: StateDict;
  classWeights: number[];
  history: EpochProgress[];
  bestEpoch: number;
  cancelled: boolean;
}

export class TrainingCancelled extends Error {
  override name = 'TrainingCancelled';
}

/** Inverse class frequency, normalized so that a balanced set has weight 1 everywhere. */
export function classWeights(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts.map((n) => (n > 0 ? labels.length / (classes * n) : 0));
}

/** The labels of `data` as tensors, each array taken through `pick` (a batch's rows). */
function targetsOf(data: TrainData, pick: <A extends Float32Array | Int32Array>(values: A) => A): HeadTargets {
  const float = (values: Float32Array | undefined) => (values === undefined ? undefined : tf.tensor1d(pick(values)));
  return {
    labels: tf.tensor1d(pick(data.labels), 'int32'),
    logVolatility: float(data.logVolatility),
    forwardReturn: float(data.forwardReturn),
    sharp: float(data.sharp),
  };
}

function mean(values: Float32Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function spread(values: Float32Array | undefined, power: 1 | 2): number {
  if (values === undefined || values.length === 0) return 1;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const value = power === 2 ? variance : Math.sqrt(variance);
  return value > 1e-12 ? value : 1;
}

/** The regression losses' scales, from the training part's labels (see ./losses). */
export function lossScales(data: TrainData, classWeightTensor: tf.Tensor1D): LossScales {
  return { classWeights: classWeightTensor, volatility: spread(data.logVolatility, 2), forwardReturn: spread(data.forwardReturn, 1) };
}

/**
 * The spec's forecast heads as training fits them (./heads): the volatility head from `anchor` (the
 * close-to-close return channel and its normalization) when given; the VaR head in units of the
 * volatility forecast when the volatility head is beside it (per_volatility), else of the spread of
 * the training part's H-candle returns.
 */
export function fittedHeads(spec: ModelSpec, data: TrainData, anchor: VolatilityAnchorValue | undefined): ModelSpec {
  const heads = spec.heads;
  if (heads === undefined) return spec;
  const volatility = heads.volatility === undefined ? undefined : { ...heads.volatility, ...(anchor === undefined ? {} : { anchor }) };
  const perVolatility = volatility !== undefined;
  const varHead =
    heads.var === undefined
      ? undefined
      : { ...heads.var, scale: perVolatility ? 1 : spread(data.forwardReturn, 1), per_volatility: perVolatility };
  return {
    ...spec,
    heads: { ...heads, ...(volatility === undefined ? {} : { volatility }), ...(varHead === undefined ? {} : { var: varHead }) },
  };
}

/**
 * The volatility anchor (./heads) of each of `n` windows of flat [n, positions, C] inputs, as the
 * network computes it: from each window's last T positions (its time steps, or a cnn-lstm's LSTM steps).
 */
function anchorLevels(inputs: Float32Array, n: number, T: number, C: number, anchor: VolatilityAnchorValue): Float32Array {
  const positions = inputs.length / (n * C);
  return Float32Array.from({ length: n }, (_, w) => {
    let sum = 0;
    for (let t = positions - T; t < positions; t++)
      sum += ((inputs[(w * positions + t) * C + anchor.channel] ?? 0) * anchor.std + anchor.mean) ** 2;
    return 0.5 * Math.log(sum / T + 1e-12);
  });
}

/** x with softplus(x) = y, for y > 0. */
function inverseSoftplus(y: number): number {
  return y > 20 ? y : Math.log(Math.expm1(y));
}

/** The smallest gap, in units of the head's scale, between two VaR quantiles' starting points. */
const MIN_QUANTILE_GAP = 1e-3;

/**
 * The forecast heads start from the training labels' level rather than 0 (a log volatility is
 * about −6): the volatility bias at their mean, the VaR biases where the ordered quantiles
 * (../model/var-order) come out at their empirical quantiles, the sharp-move bias at the logit of its
 * base rate. The direction head keeps PyTorch's initialization.
 */
export function startAtLabelLevels(spec: ModelSpec, weights: StateDict, data: TrainData): void {
  const heads = headsOf(spec);
  const setBias = (name: string, values: number[]) => {
    const bias = weights.get(name);
    if (bias !== undefined) bias.data = Float32Array.from(values);
  };
  if (heads.volatility !== undefined && data.logVolatility !== undefined && data.logVolatility.length > 0) {
    // From an anchor, the dense output is the log change from the window's trailing volatility.
    const anchor = heads.volatility.anchor;
    const from =
      anchor === undefined ? 0 : mean(anchorLevels(data.inputs, data.labels.length, spec.sequence_length, spec.input_channels, anchor));
    setBias('heads.volatility.bias', [mean(data.logVolatility) - from]);
  }
  if (heads.var !== undefined && data.forwardReturn !== undefined && data.forwardReturn.length > 0) {
    const sorted = Float64Array.from(data.forwardReturn).sort();
    const { quantiles, scale, per_volatility: perVolatility } = heads.var;
    // Per volatility, the quantiles start in units of the volatility head's starting forecast.
    const unit = scale * (perVolatility && data.logVolatility !== undefined ? Math.exp(mean(data.logVolatility)) : 1);
    const level = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))] ?? 0) / unit;
    // The highest level's bias is its quantile; each lower one's, the softplus gap below the next higher.
    const bias = quantiles.map((q) => {
      const above = quantiles.filter((other) => other > q);
      if (above.length === 0) return level(q);
      return inverseSoftplus(Math.max(MIN_QUANTILE_GAP, level(Math.min(...above)) - level(q)));
    });
    setBias('heads.var.bias', bias);
  }
  if (heads.sharp !== undefined && data.sharp !== undefined && data.sharp.length > 0) {
    const rate = Math.min(0.999, Math.max(0.001, data.sharp.reduce((a, b) => a + b, 0) / data.sharp.length));
    setBias('heads.sharp.bias', [Math.log(rate / (1 - rate))]);
  }
}

/** Loss of the inference network (running statistics folded in) over a whole part, in batches. */
function evaluateLoss(net: TrainableCnn, data: TrainData, scales: LossScales, batchSize: number): number {
  const { input_channels: C } = net.spec;
  const P = net.positions;
  const n = data.labels.length;
  if (n === 0) return NaN;
  const model = createNetwork(net.spec, net.toStateDict());
  let total = 0;
  try {
    for (let from = 0; from < n; from += batchSize) {
      const size = Math.min(batchSize, n - from);
      const loss = tf.tidy(() => {
        const x = tf.tensor3d(data.inputs.subarray(from * P * C, (from + size) * P * C), [size, P, C]);
        const targets = targetsOf(data, (values) => values.subarray(from, from + size) as typeof values);
        return multiTaskLoss(net.spec, model.headsFrom(x, -1, x), targets, scales);
      });
      total += (loss.dataSync()[0] ?? 0) * size;
      loss.dispose();
    }
  } finally {
    model.dispose();
  }
  return total / n;
}

export async function train(
  spec: ModelSpec,
  trainData: TrainData,
  validation: TrainData,
  settings: TrainSettings,
  hooks: {
    onEpoch?: (p: EpochProgress) => void;
    /** After each batch of an epoch (1-based, of `settings.epochs`). */
    onBatch?: (done: number, total: number, epoch: number) => void;
    cancelled?: () => boolean;
  } = {},
): Promise<TrainResult> {
  const { input_channels: C, num_classes: classes } = spec;
  const initial = initialWeights(spec, settings.seed);
  startAtLabelLevels(spec, initial, trainData);
  const net = createTrainable(spec, initial);
  const random = seededRandom(settings.seed + 1);
  const optimizer = tf.train.adam(settings.learningRate);
  const cw = classWeights(trainData.labels, classes);
  const weightTensor = tf.tensor1d(cw);
  const scales = lossScales(trainData, weightTensor);
  const n = trainData.labels.length;
  const history: EpochProgress[] = [];
  let best = { loss: Infinity, epoch: 0, weights: net.toStateDict() };
  let cancelled = false;
  try {
    for (let epoch = 1; epoch <= settings.epochs && !cancelled; epoch++) {
      const order = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      let lossSum = 0;
      const batches = Math.ceil(n / settings.batchSize);
      for (let b = 0; b < batches; b++) {
        if (hooks.cancelled?.()) {
          cancelled = true;
          break;
        }
        const indices = order.slice(b * settings.batchSize, (b + 1) * settings.batchSize);
        // PyTorch's batch-norm cannot train on one window; neither can ours.
        if (indices.length < 2) continue;
        lossSum += trainStep(net, optimizer, batchOf(trainData, indices, net.positions * C), scales) * indices.length;
        hooks.onBatch?.(b + 1, batches, epoch);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (cancelled) break;
      const validationLoss = evaluateLoss(net, validation, scales, settings.batchSize);
      const improved = validationLoss < best.loss;
      if (improved) best = { loss: validationLoss, epoch, weights: net.toStateDict() };
      const progress = { epoch, epochs: settings.epochs, trainLoss: lossSum / n, validationLoss, best: improved };
      history.push(progress);
      hooks.onEpoch?.(progress);
      if (epoch - best.epoch >= settings.patience) break;
    }
    return { weights: best.weights, classWeights: cw, history, bestEpoch: best.epoch, cancelled };
  } finally {
    net.dispose();
    optimizer.dispose();
    weightTensor.dispose();
  }
}

/** The windows `indices` of `data`, in that order. */
export function batchOf(data: TrainData, indices: readonly number[], rowSize: number): TrainData {
  const floats = (values: Float32Array | undefined) =>
    values === undefined ? undefined : Float32Array.from(indices, (i) => values[i] ?? 0);
  return {
    inputs: pickRows(data.inputs, rowSize, indices),
    labels: Int32Array.from(indices, (i) => data.labels[i] ?? 0),
    logVolatility: floats(data.logVolatility),
    forwardReturn: floats(data.forwardReturn),
    sharp: floats(data.sharp),
  };
}

/** One optimizer step on one batch; returns the batch loss. */
export function trainStep(net: TrainableCnn, optimizer: tf.Optimizer, batchData: TrainData, scales: LossScales): number {
  const { input_channels: C } = net.spec;
  const P = net.positions;
  const batch = batchData.labels.length;
  const stats: BatchStats[] = [];
  const loss = tf.tidy(() => {
    const x = tf.tensor3d(batchData.inputs, [batch, P, C]);
    const targets = targetsOf(batchData, (values) => values);
    return optimizer.minimize(() => multiTaskLoss(net.spec, net.trainOutputs(x, stats), targets, scales), true, net.variables) as tf.Scalar;
  });
  const value = loss.dataSync()[0] ?? NaN;
  loss.dispose();
  net.updateRunningStats(stats, batch * P);
  return value;
}
