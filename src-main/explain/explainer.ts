/**
 * Explanations of the FinancialCNN behind one interface: Grad-CAM, Grad-CAM++, LayerCAM (gradients
 * from tfjs autodiff) and Score-CAM (no gradients: forward passes on masked inputs), plus a
 * per-input-channel attribution (gradient × input summed over time). The CAM arithmetic is in ./cam.
 */
import * as tf from '@tensorflow/tfjs';
import type { CAM_METHODS } from '../ipc/contract';
import type { FinancialCnn } from '../model/network';
import {
  argmax,
  gradCamPlusPlusRaw,
  gradCamRaw,
  layerCamRaw,
  normalizeCam,
  scoreCamMasks,
  softmax,
  weightedCam,
  type LayerMaps,
} from './cam';

export type CamMethodName = (typeof CAM_METHODS)[number];

export interface ExplainOptions {
  method: CamMethodName;
  /** Conv block whose output is explained; default the last. */
  layer?: number;
  /** Class explained; default the predicted one. */
  target?: number;
  /** Also compute the per-channel attribution (a full backward pass). */
  attribution?: boolean;
}

export interface Explanation {
  logits: number[];
  probabilities: number[];
  predicted: number;
  target: number;
  /** The CAM before normalization, one value per time step. */
  camRaw: number[];
  /** Min-max normalized CAM in 0..1. */
  cam: number[];
  /** Per input channel, gradient × input summed over time; empty unless asked. */
  attribution: number[];
  /** Per time step, gradient × input per input channel (what `attribution` sums); empty unless asked. */
  attributionByStep: number[][];
}

function targetMask(targets: number[], classes: number): tf.Tensor2D {
  const mask = new Float32Array(targets.length * classes);
  targets.forEach((t, b) => (mask[b * classes + t] = 1));
  return tf.tensor2d(mask, [targets.length, classes]);
}

/**
 * Reads a tensor made inside `compute`'s tidy scope, then frees it. Values are read outside the
 * scope on purpose: tidy walks what it returns, element by element for a typed array.
 */
function read(compute: () => tf.Tensor): Float32Array {
  const tensor = tf.tidy(compute);
  try {
    return tensor.dataSync() as Float32Array;
  } finally {
    tensor.dispose();
  }
}

/** Logits for a batch [B, T, C] given flat, time-major per window. */
export function predictLogits(model: FinancialCnn, inputs: Float32Array, batch: number): Float32Array {
  const { sequence_length: T, input_channels: C } = model.spec;
  return read(() => model.logits(tf.tensor3d(inputs, [batch, T, C])));
}

/** Explains `batch` windows (flat [B, T, C] input) at once. */
export function explainBatch(model: FinancialCnn, inputs: Float32Array, batch: number, options: ExplainOptions): Explanation[] {
  const { sequence_length: T, input_channels: C, num_classes: classes } = model.spec;
  const layer = options.layer ?? model.layerCount - 1;
  if (!Number.isInteger(layer) || layer < 0 || layer >= model.layerCount)
    throw new Error(`layer must be 0..${model.layerCount - 1}, got ${layer}`);
  if (options.target !== undefined && !(Number.isInteger(options.target) && options.target >= 0 && options.target < classes)) {
    throw new Error(`target class must be 0..${classes - 1}, got ${options.target}`);
  }
  if (inputs.length !== batch * T * C) throw new Error(`expected ${batch}×${T}×${C} input values, got ${inputs.length}`);
  const x = tf.tensor3d(inputs, [batch, T, C]);
  try {
    const activations = tf.tidy(() => model.activation(x, layer));
    const logits = read(() => model.logitsFrom(activations, layer));
    const K = activations.shape[2];
    const perWindow = Array.from({ length: batch }, (_, b) => logits.subarray(b * classes, (b + 1) * classes));
    const predicted = perWindow.map(argmax);
    const targets = predicted.map((p) => options.target ?? p);
    const A = activations.dataSync() as Float32Array;
    let cams: Float64Array[];
    if (options.method === 'scorecam') {
      cams = targets.map((target, b) => scoreCam(model, x, b, { T, K, A: A.subarray(b * T * K, (b + 1) * T * K) }, target));
    } else {
      const g = read(() => {
        const mask = targetMask(targets, classes);
        // The real gradient of the target logits with respect to the block's output, by autodiff.
        return tf.grad((a) => tf.sum(tf.mul(model.logitsFrom(a as tf.Tensor3D, layer), mask)))(activations);
      });
      const combine = options.method === 'gradcam' ? gradCamRaw : options.method === 'gradcampp' ? gradCamPlusPlusRaw : layerCamRaw;
      cams = targets.map((_, b) => combine({ T, K, A: A.subarray(b * T * K, (b + 1) * T * K), g: g.subarray(b * T * K, (b + 1) * T * K) }));
    }
    activations.dispose();
    const attributions = options.attribution ? inputAttribution(model, x, targets) : undefined;
    return perWindow.map((l, b) => ({
      logits: Array.from(l),
      probabilities: softmax(l),
      predicted: predicted[b] ?? 0,
      target: targets[b] ?? 0,
      camRaw: Array.from(cams[b] ?? []),
      cam: normalizeCam(cams[b] ?? []),
      attribution: attributions?.totals[b] ?? [],
      attributionByStep: attributions?.bySteps[b] ?? [],
    }));
  } finally {
    x.dispose();
  }
}

/**
 * Gradient × input for each window's target class: per time step and input channel, and summed over
 * time per channel.
 */
function inputAttribution(model: FinancialCnn, x: tf.Tensor3D, targets: number[]): { totals: number[][]; bySteps: number[][][] } {
  const [batch, T, C] = x.shape;
  const products = tf.tidy(() => {
    const mask = targetMask(targets, model.spec.num_classes);
    const gradient = tf.grad((input) => tf.sum(tf.mul(model.logits(input as tf.Tensor3D), mask)))(x);
    return tf.mul(gradient, x);
  });
  try {
    const sums = read(() => tf.sum(products, 1));
    const steps = products.dataSync() as Float32Array;
    return {
      totals: Array.from({ length: batch }, (_, b) => Array.from(sums.subarray(b * C, (b + 1) * C))),
      bySteps: Array.from({ length: batch }, (_, b) =>
        Array.from({ length: T }, (_, t) => Array.from(steps.subarray((b * T + t) * C, (b * T + t + 1) * C))),
      ),
    };
  } finally {
    products.dispose();
  }
}

/**
 * Score-CAM: each feature map, normalized to 0..1 over time, masks the input's time steps; the
 * target's softmax score on that masked input weighs the map.
 */
function scoreCam(
  model: FinancialCnn,
  x: tf.Tensor3D,
  index: number,
  maps: Pick<LayerMaps, 'T' | 'K' | 'A'>,
  target: number,
): Float64Array {
  const [, T, C] = x.shape;
  const masks = scoreCamMasks(maps);
  const scores = read(() => {
    const window = tf.slice(x, [index, 0, 0], [1, T, C]);
    const maskTensor = tf.tensor3d(Float32Array.from(masks.flatMap((m) => Array.from(m))), [maps.K, T, 1]);
    const probabilities = tf.softmax(model.logits(tf.mul(window, maskTensor)));
    return tf.slice(probabilities, [0, target], [maps.K, 1]);
  });
  return weightedCam(maps, scores);
}
