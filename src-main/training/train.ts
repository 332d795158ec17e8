/**
 * Fits a FinancialCNN on normalized windows: seeded initialization and shuffling, the weighted
 * multi-task loss over its heads (./losses; class-weighted cross-entropy alone for a direction-only
 * model), Adam, early stopping on the validation loss keeping the best epoch's weights.
 * Runs on the active tfjs backend; yields to the event loop between batches so that a cancel
 * request can land.
 */
import * as tf from '@tensorflow/tfjs';
import { pickRows } from '../features/dataset';
import { headsOf } from '../model/heads';
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
 * The forecast heads start from the training labels' level rather than 0 (a log volatility is
 * about −6): the volatility bias at their mean, each VaR bias at its empirical quantile, the
 * sharp-move bias at the logit of its base rate. The direction head keeps PyTorch's initialization.
 */
export function startAtLabelLevels(spec: ModelSpec, weights: StateDict, data: TrainData): void {
  const heads = headsOf(spec);
  const setBias = (name: string, values: number[]) => {
    const bias = weights.get(name);
    if (bias !== undefined) bias.data = Float32Array.from(values);
  };
  if (heads.volatility !== undefined && data.logVolatility !== undefined && data.logVolatility.length > 0) {
    setBias('heads.volatility.bias', [data.logVolatility.reduce((a, b) => a + b, 0) / data.logVolatility.length]);
  }
  if (heads.var !== undefined && data.forwardReturn !== undefined && data.forwardReturn.length > 0) {
    const sorted = Float64Array.from(data.forwardReturn).sort();
    setBias(
      'heads.var.bias',
      heads.var.quantiles.map((q) => sorted[Math.floor(q * (sorted.length - 1))] ?? 0),
    );
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
        return multiTaskLoss(net.spec, model.headsFrom(x, -1), targets, scales);
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
