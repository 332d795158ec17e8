/**
 * Fits a FinancialCNN on normalized windows: seeded initialization and shuffling, class-weighted
 * cross-entropy, Adam, early stopping on the validation loss keeping the best epoch's weights.
 * Runs on the active tfjs backend; yields to the event loop between batches so that a cancel
 * request can land.
 */
import * as tf from '@tensorflow/tfjs';
import { pickRows } from '../features/dataset';
import { FinancialCnn, initialWeights, TrainableCnn, type BatchStats } from '../model/network';
import { seededRandom } from '../model/random';
import type { ModelSpec, StateDict } from '../model/spec';
import type { TrainSettings } from './job';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  trainLoss: number;
  validationLoss: number;
  best: boolean;
}

export interface TrainData {
  inputs: Float32Array;
  labels: Int32Array;
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

function weightedLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, classes: number): tf.Scalar {
  const oneHot = tf.oneHot(labels, classes);
  const perWindow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
  const w = tf.gather(weights, labels);
  return tf.div(tf.sum(tf.mul(perWindow, w)), tf.sum(w));
}

/** Loss of the inference network (running statistics folded in) over a whole part, in batches. */
function evaluateLoss(net: TrainableCnn, data: TrainData, weights: tf.Tensor1D, batchSize: number): number {
  const { sequence_length: T, input_channels: C, num_classes: classes } = net.spec;
  const n = data.labels.length;
  if (n === 0) return NaN;
  const model = new FinancialCnn(net.spec, net.toStateDict());
  let total = 0;
  try {
    for (let from = 0; from < n; from += batchSize) {
      const size = Math.min(batchSize, n - from);
      const loss = tf.tidy(() => {
        const x = tf.tensor3d(data.inputs.subarray(from * T * C, (from + size) * T * C), [size, T, C]);
        const y = tf.tensor1d(data.labels.subarray(from, from + size), 'int32');
        return weightedLoss(model.logits(x), y, weights, classes);
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
  const { sequence_length: T, input_channels: C, num_classes: classes } = spec;
  const net = new TrainableCnn(spec, initialWeights(spec, settings.seed));
  const random = seededRandom(settings.seed + 1);
  const optimizer = tf.train.adam(settings.learningRate);
  const cw = classWeights(trainData.labels, classes);
  const weightTensor = tf.tensor1d(cw);
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
        const xs = pickRows(trainData.inputs, T * C, indices);
        const ys = Int32Array.from(indices, (i) => trainData.labels[i] ?? 0);
        lossSum += trainStep(net, optimizer, xs, ys, weightTensor) * indices.length;
        hooks.onBatch?.(b + 1, batches, epoch);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (cancelled) break;
      const validationLoss = evaluateLoss(net, validation, weightTensor, settings.batchSize);
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

/** One optimizer step on one batch; returns the batch loss. */
export function trainStep(
  net: TrainableCnn,
  optimizer: tf.Optimizer,
  inputs: Float32Array,
  labels: Int32Array,
  classWeightTensor: tf.Tensor1D,
): number {
  const { sequence_length: T, input_channels: C, num_classes: classes } = net.spec;
  const batch = labels.length;
  const stats: BatchStats[] = [];
  const loss = tf.tidy(() => {
    const x = tf.tensor3d(inputs, [batch, T, C]);
    const y = tf.tensor1d(labels, 'int32');
    return optimizer.minimize(
      () => weightedLoss(net.trainLogits(x, stats), y, classWeightTensor, classes),
      true,
      net.variables,
    ) as tf.Scalar;
  });
  const value = loss.dataSync()[0] ?? NaN;
  loss.dispose();
  net.updateRunningStats(stats, batch * T);
  return value;
}
