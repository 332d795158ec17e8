/**
 * Explanations of the FinancialCNN behind one interface: Grad-CAM, Grad-CAM++, LayerCAM (gradients
 * from tfjs autodiff) and Score-CAM (no gradients: forward passes on masked inputs), plus a
 * per-input-channel attribution (gradient × input summed over time). Each method's weighting of the
 * maps is its entry in ./cam's CAM_WEIGHTINGS; this file runs the passes the entry needs.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethodName } from '../../src-shared/domain/signal';
import type { FinancialCnn } from '../model/network';
import {
  argmax,
  CAM_WEIGHTINGS,
  gradientCams,
  normalizeCam,
  scoreCamMasks,
  softmax,
  weightedCam,
  type GradientWeights,
  type FeatureMaps,
} from './cam';

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

/** A model whose arithmetic overflowed (finite but huge weights): its outputs cannot be used. */
export class NonFiniteOutputError extends Error {
  override name = 'NonFiniteOutputError';
}

/**
 * The one check every path applies to a model's outputs (live scoring, explain, evaluate, backtest,
 * replay): float32 overflow gives Infinity or NaN, which JSON would silently print as null.
 */
export function requireFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] ?? NaN;
    if (!Number.isFinite(value)) {
      throw new NonFiniteOutputError(
        `the model's output is not finite (${what} holds ${value} at ${i}): its weights overflow float32 arithmetic, so it cannot be used`,
      );
    }
  }
}

/** Logits for a batch [B, T, C] given flat, time-major per window. */
export function predictLogits(model: FinancialCnn, inputs: Float32Array, batch: number): Float32Array {
  const { sequence_length: T, input_channels: C } = model.spec;
  const logits = read(() => model.logits(tf.tensor3d(inputs, [batch, T, C])));
  requireFinite(logits, 'logits');
  return logits;
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
    // The conv blocks run once, outside any gradient tape; only the head (pooling + dense) is taped.
    const activations = tf.tidy(() => model.activation(x, layer));
    const K = activations.shape[2];
    const weighting = CAM_WEIGHTINGS[options.method];
    let logits: Float32Array;
    let camsFor: (targets: number[]) => ArrayLike<number>[];
    if (weighting.needs === 'gradients') {
      const taped = tapedHead(model, activations, layer, options.target, weighting.weights);
      logits = taped.logits;
      camsFor = () => Array.from({ length: batch }, (_, b) => taped.cams.subarray(b * T, (b + 1) * T));
    } else {
      logits = read(() => model.logitsFrom(activations, layer));
      camsFor = (targets) => {
        const A = activations.dataSync() as Float32Array;
        return targets.map((target, b) => {
          const maps = { T, K, A: A.subarray(b * T * K, (b + 1) * T * K) };
          return weightedCam(maps, weighting.weights(maskedScores(model, x, b, maps, target)));
        });
      };
    }
    const perWindow = Array.from({ length: batch }, (_, b) => logits.subarray(b * classes, (b + 1) * classes));
    const predicted = perWindow.map(argmax);
    const targets = predicted.map((p) => options.target ?? p);
    const cams = camsFor(targets);
    activations.dispose();
    const attributions = options.attribution ? inputAttribution(model, x, targets) : undefined;
    const explained = perWindow.map((l, b) => ({
      logits: Array.from(l),
      probabilities: softmax(l),
      predicted: predicted[b] ?? 0,
      target: targets[b] ?? 0,
      camRaw: Array.from(cams[b] ?? []),
      cam: normalizeCam(cams[b] ?? []),
      attribution: attributions?.totals[b] ?? [],
      attributionByStep: attributions?.bySteps[b] ?? [],
    }));
    for (const e of explained) {
      requireFinite(e.logits, 'logits');
      requireFinite(e.probabilities, 'probabilities');
      requireFinite(e.camRaw, 'CAM');
      requireFinite(e.cam, 'CAM');
      requireFinite(e.attribution, 'channel attribution');
      for (const step of e.attributionByStep) requireFinite(step, 'channel attribution');
    }
    return explained;
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
 * One taped pass over the head gives the logits and the real gradient of each window's target logit
 * with respect to the block's output, by autodiff (argMax and oneHot carry no gradient); the
 * method's weights of the maps then give each window's CAM row, [B·T] flat.
 */
function tapedHead(
  model: FinancialCnn,
  activations: tf.Tensor3D,
  layer: number,
  target: number | undefined,
  weights: GradientWeights,
): { logits: Float32Array; cams: Float32Array } {
  const [batch] = activations.shape;
  const classes = model.spec.num_classes;
  let taped: tf.Tensor2D | undefined;
  const cams = read(() => {
    const g = tf.grad((a) => {
      taped = tf.keep(model.logitsFrom(a as tf.Tensor3D, layer));
      const targets = target === undefined ? tf.argMax(taped, 1) : tf.fill([batch], target, 'int32');
      // An int32 one-hot, cast by the product: tfjs-wasm 4.22's OneHot ignores a float32 dtype.
      return tf.sum(tf.mul(taped, tf.oneHot(targets, classes)));
    })(activations) as tf.Tensor3D;
    return gradientCams(activations, weights(activations, g));
  });
  return { logits: read(() => taped as tf.Tensor2D), cams };
}

/**
 * Score-CAM's reading: each feature map of window `index`, normalized to 0..1 over time, masks the
 * input's time steps; the target's softmax score on each masked input, one per map.
 */
function maskedScores(model: FinancialCnn, x: tf.Tensor3D, index: number, maps: FeatureMaps, target: number): Float32Array {
  const [, T, C] = x.shape;
  const masks = scoreCamMasks(maps);
  return read(() => {
    const window = tf.slice(x, [index, 0, 0], [1, T, C]);
    const maskTensor = tf.tensor3d(Float32Array.from(masks.flatMap((m) => Array.from(m))), [maps.K, T, 1]);
    const probabilities = tf.softmax(model.logits(tf.mul(window, maskTensor)));
    return tf.slice(probabilities, [0, target], [maps.K, 1]);
  });
}
