/**
 * Explanations of the FinancialCNN behind one interface: Grad-CAM, Grad-CAM++, LayerCAM (gradients
 * from tfjs autodiff) and Score-CAM (no gradients: forward passes on masked inputs), plus a
 * per-input-channel attribution (gradient × input summed over time). Each method's weighting of the
 * maps is its entry in ./cam's CAM_WEIGHTINGS; this file runs the passes the entry needs: one
 * forward and one backward pass give the CAM's gradients and the attribution's together. The
 * target is one output of one head (../model/heads): a direction class logit, the log volatility,
 * a VaR quantile or the sharp-move logit; each row of a batch may explain its own (explainTargets:
 * every output live scoring explains, in one pass).
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadForecasts } from '../../src-shared/domain/forecasts';
import type { CamMethodName } from '../../src-shared/domain/signal';
import { headForecasts, headLayout, headSlot, outputCount, type HeadName } from '../model/heads';
import type { FinancialCnn } from '../model/network';
import type { ModelSpec } from '../model/spec';
import { argmax, CAM_WEIGHTINGS, gradientCams, normalizeCam, scoreCamMasks, softmax, weightedCam, type FeatureMaps } from './cam';

export interface ExplainOptions {
  method: CamMethodName;
  /** Conv block whose output is explained; default the last. */
  layer?: number;
  /** Head explained; default direction when the model has it, else its first head. */
  head?: HeadName;
  /** Output of that head explained: a class for direction (default the predicted one), else default 0. */
  target?: number;
  /** Also compute the per-channel attribution (a full backward pass). */
  attribution?: boolean;
}

export interface Explanation {
  /** Direction logits and their softmax; empty for a model without the direction head. */
  logits: number[];
  probabilities: number[];
  /** The predicted class; −1 without the direction head. */
  predicted: number;
  /** Every head's raw outputs, in the model's output row order (../model/heads). */
  outputs: number[];
  /** The forecast heads' outputs as forecasts (empty for a direction-only model). */
  forecasts: HeadForecasts;
  head: HeadName;
  /** The output of `head` explained. */
  target: number;
  /** The CAM before normalization, one value per candle of the window (decoded from the input's positions). */
  camRaw: number[];
  /** Min-max normalized CAM in 0..1, per candle. */
  cam: number[];
  /**
   * The min-max normalized CAM over the model's own input positions: the time steps of the
   * FinancialCNN (then equal to `cam`), the T × T cells of an image kind (row-major).
   */
  inputCam: number[];
  /** The CAM over the input positions before normalization (not a copy): decoded by the kind and normalized, it is `cam`. */
  inputCamRaw: ArrayLike<number>;
  /** Per input channel, gradient × input summed over the input's positions; empty unless asked. */
  attribution: number[];
  /** Per candle, gradient × input per input channel, decoded from the positions as the CAM is; empty unless asked. */
  attributionByStep: number[][];
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

/** Every head's outputs for a batch [B, positions, C] given flat, position-major per window: [B, outputs] flat, all finite. */
export function predictOutputs(model: FinancialCnn, inputs: Float32Array, batch: number): Float32Array {
  const outputs = read(() => model.outputs(tf.tensor3d(inputs, [batch, model.positions, model.spec.input_channels])));
  requireFinite(outputs, 'outputs');
  return outputs;
}

/** One window of zeros through `model`: weights that overflow float32 are refused when a model is imported, not live. */
export function checkOneWindow(model: FinancialCnn): void {
  predictOutputs(model, new Float32Array(model.positions * model.spec.input_channels), 1);
}

/** Direction logits for a batch [B, positions, C] given flat, position-major per window; every head's outputs must be finite. */
export function predictLogits(model: FinancialCnn, inputs: Float32Array, batch: number): Float32Array {
  const outputs = predictOutputs(model, inputs, batch);
  const { offset, size } = headSlot(model.spec, 'direction');
  const width = outputCount(model.spec);
  if (width === size) return outputs;
  return Float32Array.from({ length: batch * size }, (_, i) => outputs[Math.floor(i / size) * width + offset + (i % size)] ?? NaN);
}

/** One window's forecasts from its output row, refused when not finite (a volatility's exp can overflow). */
export function forecastsOf(spec: ModelSpec, row: ArrayLike<number>): HeadForecasts {
  const forecasts = headForecasts(spec, row);
  const values = [forecasts.volatility, forecasts.sharpMove, ...(forecasts.var ?? []).map((v) => v.logReturn)];
  requireFinite(
    values.filter((v) => v !== undefined),
    'forecasts',
  );
  return forecasts;
}

/** Explains `batch` windows (flat [B, positions, C] input) at once; the CAMs are decoded onto the candles. */
export function explainBatch(model: FinancialCnn, inputs: Float32Array, batch: number, options: ExplainOptions): Explanation[] {
  const { head, target, ...rest } = options;
  return explainRows(model, inputs, new Array<ExplainTarget>(batch).fill({ head, target }), rest);
}

/** One output explained: a head (default as ExplainOptions') and its output (a class, default the predicted one; else default 0). */
export type ExplainTarget = Pick<ExplainOptions, 'head' | 'target'>;

/**
 * One window (flat [positions, C]) explained for each of `targets` in one pass: the window is
 * repeated once per target, each row explaining its own (the rows are independent, so each row's
 * numbers are those of the window explained alone for that target).
 */
export function explainTargets(
  model: FinancialCnn,
  window: Float32Array,
  targets: readonly ExplainTarget[],
  options: Omit<ExplainOptions, 'head' | 'target'>,
): Explanation[] {
  const rows = new Float32Array(targets.length * window.length);
  targets.forEach((_, i) => rows.set(window, i * window.length));
  return explainRows(model, rows, targets, options, true);
}

/**
 * Explains row b of the flat [B, positions, C] `inputs` for `targets[b]`; `repeated`: every row is
 * the same window, whose conv blocks then run once.
 */
function explainRows(
  model: FinancialCnn,
  inputs: Float32Array,
  targets: readonly ExplainTarget[],
  options: Omit<ExplainOptions, 'head' | 'target'>,
  repeated = false,
): Explanation[] {
  const { spec } = model;
  const { sequence_length: T, input_channels: C, num_classes: classes } = spec;
  const P = model.positions;
  const batch = targets.length;
  const layer = options.layer ?? model.layerCount - 1;
  if (!Number.isInteger(layer) || layer < 0 || layer >= model.layerCount)
    throw new Error(`layer must be 0..${model.layerCount - 1}, got ${layer}`);
  const layout = headLayout(spec);
  const hasDirection = layout.some((s) => s.name === 'direction');
  const slots = targets.map(({ head, target }) => {
    const slot = headSlot(spec, head ?? (hasDirection ? 'direction' : (layout[0]?.name ?? 'direction')));
    if (target !== undefined && !(Number.isInteger(target) && target >= 0 && target < slot.size)) {
      const what = slot.name === 'direction' ? 'target class' : `target output of the ${slot.name} head`;
      throw new Error(`${what} must be 0..${slot.size - 1}, got ${target}`);
    }
    return slot;
  });
  // Each row's explained column of the output row: fixed, or (direction, no target) the window's predicted class.
  const fixedColumns = targets.map(({ target }, b) => {
    const slot = slots[b] as (typeof slots)[number];
    return slot.name === 'direction' && target === undefined ? undefined : slot.offset + (target ?? 0);
  });
  const width = outputCount(spec);
  if (inputs.length !== batch * P * C) throw new Error(`expected ${batch}×${P}×${C} input values, got ${inputs.length}`);
  const weighting = CAM_WEIGHTINGS[options.method];
  const x = tf.tensor3d(inputs, [batch, P, C]);
  const held: tf.Tensor[] = [x];
  try {
    let outputs: Float32Array;
    let activations: tf.Tensor3D;
    let gradient: tf.Tensor3D | undefined;
    let inputGradient: tf.Tensor3D | undefined;
    let camsFor: (columns: number[]) => ArrayLike<number>[];
    if (weighting.needs === 'gradients' || options.attribution === true) {
      const windows = repeated ? tf.slice(x, 0, 1) : x;
      if (repeated) held.push(windows);
      const taped = tapedPass(model, x, windows, layer, fixedColumns, options.attribution === true);
      held.push(taped.activations, taped.gradient, ...(taped.inputGradient === undefined ? [] : [taped.inputGradient]));
      ({ outputs, activations, gradient, inputGradient } = taped);
    } else {
      // Score-CAM alone needs no gradient: the conv blocks and the heads, outside any tape.
      activations = tf.tidy(() => model.activation(x, layer));
      held.push(activations);
      outputs = read(() => model.outputsFrom(activations, layer, x));
    }
    if (weighting.needs === 'gradients') {
      const g = gradient as tf.Tensor3D;
      const cams = read(() => gradientCams(activations, weighting.weights(activations, g)));
      camsFor = () => Array.from({ length: batch }, (_, b) => cams.subarray(b * P, (b + 1) * P));
    } else {
      const K = activations.shape[2];
      camsFor = (columns) => {
        const A = activations.dataSync() as Float32Array;
        return columns.map((column, b) => {
          // One window's maps serve every row repeating it.
          const w = activations.shape[0] === batch ? b : 0;
          const maps = { T: P, K, A: A.subarray(w * P * K, (w + 1) * P * K) };
          return weightedCam(maps, weighting.weights(maskedScores(model, x, b, maps, column)));
        });
      };
    }
    const rows = Array.from({ length: batch }, (_, b) => outputs.subarray(b * width, (b + 1) * width));
    const perWindow = rows.map((row) => (hasDirection ? row.subarray(0, classes) : new Float32Array()));
    const predicted = perWindow.map((l) => (hasDirection ? argmax(l) : -1));
    const columns = predicted.map((p, b) => fixedColumns[b] ?? p);
    const inputCams = camsFor(columns);
    const cams = inputCams.map((cam) => model.geometry.toCandles(cam, T));
    // Checked before their forecasts are read: the forecasts of an overflowed output would say less.
    requireFinite(outputs, 'outputs');
    const attributions = inputGradient === undefined ? undefined : inputAttribution(model, x, inputGradient);
    const explained = perWindow.map((l, b) => ({
      logits: Array.from(l),
      probabilities: hasDirection ? softmax(l) : [],
      predicted: predicted[b] ?? -1,
      outputs: Array.from(rows[b] ?? []),
      forecasts: forecastsOf(spec, rows[b] ?? []),
      head: (slots[b] as (typeof slots)[number]).name,
      target: (columns[b] ?? 0) - (slots[b] as (typeof slots)[number]).offset,
      camRaw: Array.from(cams[b] ?? []),
      cam: normalizeCam(cams[b] ?? []),
      inputCam: normalizeCam(inputCams[b] ?? []),
      inputCamRaw: inputCams[b] ?? [],
      attribution: attributions?.totals[b] ?? [],
      attributionByStep: attributions?.bySteps[b] ?? [],
    }));
    for (const e of explained) {
      requireFinite(e.logits, 'logits');
      requireFinite(e.probabilities, 'probabilities');
      requireFinite(e.camRaw, 'CAM');
      requireFinite(e.cam, 'CAM');
      requireFinite(e.inputCam, 'CAM');
      requireFinite(e.attribution, 'channel attribution');
      for (const step of e.attributionByStep) requireFinite(step, 'channel attribution');
    }
    return explained;
  } finally {
    tf.dispose(held);
  }
}

/**
 * Gradient × input for each window's target output, from that output's gradient with respect to
 * the input: per candle (each channel's products over the input positions decoded as a CAM is) and
 * input channel, and summed over the positions per channel; or as the kind's geometry splits them into named channels.
 */
function inputAttribution(model: FinancialCnn, x: tf.Tensor3D, gradient: tf.Tensor3D): { totals: number[][]; bySteps: number[][][] } {
  const [batch, P, C] = x.shape;
  const T = model.spec.sequence_length;
  const products = tf.mul(gradient, x);
  try {
    const steps = products.dataSync() as Float32Array;
    const windows = Array.from({ length: batch }, (_, b) => steps.subarray(b * P * C, (b + 1) * P * C));
    const { attribution } = model.geometry;
    if (attribution !== undefined) {
      const parts = windows.map((window) => attribution(window, C, T));
      return { totals: parts.map((p) => p.totals), bySteps: parts.map((p) => p.byCandle) };
    }
    const sums = read(() => tf.sum(products, 1));
    return {
      totals: Array.from({ length: batch }, (_, b) => Array.from(sums.subarray(b * C, (b + 1) * C))),
      bySteps: windows.map((window) => {
        const byChannel = Array.from({ length: C }, (_, c) =>
          model.geometry.toCandles(
            Float32Array.from({ length: P }, (_, p) => window[p * C + c] ?? NaN),
            T,
          ),
        );
        return Array.from({ length: T }, (_, t) => byChannel.map((values) => values[t] ?? NaN));
      }),
    };
  } finally {
    products.dispose();
  }
}

/**
 * The 0/1 mask [B, outputs] of each row's target column of `outputs`: `columns[b]`, or (undefined)
 * the row's predicted direction class, chosen on the backend (argMax and oneHot carry no gradient).
 */
function targetMask(outputs: tf.Tensor2D, columns: readonly (number | undefined)[], classes: number): tf.Tensor2D {
  const [batch, width] = outputs.shape;
  const fixed = new Float32Array(batch * width);
  columns.forEach((column, b) => {
    if (column !== undefined) fixed[b * width + column] = 1;
  });
  if (columns.every((c) => c !== undefined)) return tf.tensor2d(fixed, [batch, width]);
  // The direction logits lead the row (../model/heads). An int32 one-hot, cast by the product:
  // tfjs-wasm 4.22's OneHot ignores a float32 dtype.
  const logits = width === classes ? outputs : tf.slice(outputs, [0, 0], [batch, classes]);
  const predicted = tf.oneHot(tf.argMax(logits, 1), width) as tf.Tensor2D;
  if (columns.every((c) => c === undefined)) return predicted;
  const predictedRows = tf.tensor2d(
    columns.map((c) => (c === undefined ? 1 : 0)),
    [batch, 1],
  );
  return tf.add(tf.tensor2d(fixed, [batch, width]), tf.mul(predicted, predictedRows));
}

/**
 * One forward pass of the conv blocks, outside any tape, over `windows` (x itself, or its one window
 * when every row repeats it: `activations` then has that one row); then the heads taped from the
 * block's output for each row, which gives the output row and, by autodiff, the real gradient of
 * each row's target output
 * (targetMask) with respect to the output of conv block `layer` (what the CAM methods weigh). With
 * `withInput`, the input's gradient too (gradient × input): that gradient carried back through the
 * blocks (FinancialCnn.blocksBackward), plus what the heads read of the rows `x` themselves (the
 * volatility head's anchor); without it, `x` is a constant of the heads.
 */
function tapedPass(
  model: FinancialCnn,
  x: tf.Tensor3D,
  windows: tf.Tensor3D,
  layer: number,
  columns: readonly (number | undefined)[],
  withInput: boolean,
): { outputs: Float32Array; activations: tf.Tensor3D; gradient: tf.Tensor3D; inputGradient?: tf.Tensor3D } {
  const [rows, P] = x.shape;
  const classes = model.spec.num_classes;
  const blocks = tf.tidy(() => model.blockOutputs(windows, layer));
  try {
    const last = blocks.at(-1) as tf.Tensor4D;
    const activations = tf.tidy(() => model.activationOf(last));
    const K = activations.shape[2];
    let taped: tf.Tensor2D | undefined;
    // Without the input's gradient, a cnn-lstm's LSTM is a constant of the tape: once per window.
    const state = withInput ? undefined : tf.tidy(() => repeatRows(model.recurrentState(windows), rows));
    const [gradient, inputGradient] = tf.tidy(() => {
      // One window's maps reach each row as themselves plus a zero offset of the row's own, whose
      // gradient is the row's (wasm's Tile, the other way, takes tens of ms on an image).
      const offset = windows.shape[0] === rows ? undefined : tf.zeros<tf.Rank.R3>([rows, P, K]);
      const { grads } = tf.engine().gradients(
        () => {
          taped = tf.keep(model.outputsFrom(offset === undefined ? activations : tf.add(activations, offset), layer, x, state));
          return tf.sum(tf.mul(taped, targetMask(taped, columns, classes)));
        },
        [offset ?? activations, ...(withInput ? [x] : [])],
        undefined,
        true,
      );
      const [dA, direct] = grads as [tf.Tensor3D, tf.Tensor3D | undefined];
      if (!withInput) return [dA];
      const throughBlocks = model.blocksBackward(blocks, dA);
      return [dA, direct === undefined ? throughBlocks : tf.add(throughBlocks, direct)];
    }) as [tf.Tensor3D, tf.Tensor3D | undefined];
    state?.dispose();
    return {
      outputs: read(() => taped as tf.Tensor2D),
      activations,
      gradient,
      ...(inputGradient === undefined ? {} : { inputGradient }),
    };
  } finally {
    tf.dispose(blocks);
  }
}

/** `state` [1 or rows, H] for each of `rows` rows (one window's, repeated: a few values, so Tile is cheap). */
function repeatRows(state: tf.Tensor2D | undefined, rows: number): tf.Tensor2D | undefined {
  return state === undefined || state.shape[0] === rows ? state : tf.tile(state, [rows, 1]);
}

/**
 * Score-CAM's score of each row's output `column`, [B, 1]: a direction class's softmax probability
 * (the golden definition); for the forecast heads, what grows with the risk forecast: the
 * volatility (exp of its log), the loss at a VaR quantile (minus its log return), the sharp-move
 * probability.
 */
export function headScores(spec: ModelSpec, outputs: tf.Tensor2D, column: number): tf.Tensor2D {
  const [rows] = outputs.shape;
  const slot = headLayout(spec).find((s) => column >= s.offset && column < s.offset + s.size);
  const picked = () => tf.slice(outputs, [0, column], [rows, 1]);
  switch (slot?.name) {
    case 'direction': {
      const logits = slot.size === outputs.shape[1] ? outputs : tf.slice(outputs, [0, slot.offset], [rows, slot.size]);
      return tf.slice(tf.softmax(logits), [0, column - slot.offset], [rows, 1]);
    }
    case 'volatility':
      return tf.exp(picked());
    case 'var':
      return tf.neg(picked());
    case 'sharp':
      return tf.sigmoid(picked());
    case undefined:
      throw new RangeError(`the model has no output ${column}`);
  }
}

/**
 * Score-CAM's reading: each feature map of window `index`, normalized to 0..1 over time, masks the
 * input's time steps; the target's score (headScores) on each masked input, one per map.
 */
function maskedScores(model: FinancialCnn, x: tf.Tensor3D, index: number, maps: FeatureMaps, column: number): Float32Array {
  const [, T, C] = x.shape;
  const masks = scoreCamMasks(maps);
  return read(() => {
    const window = tf.slice(x, [index, 0, 0], [1, T, C]);
    const maskTensor = tf.tensor3d(Float32Array.from(masks.flatMap((m) => Array.from(m))), [maps.K, T, 1]);
    return headScores(model.spec, model.outputs(tf.mul(window, maskTensor)), column);
  });
}
