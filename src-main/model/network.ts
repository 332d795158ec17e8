/**
 * The FinancialCNN on tfjs: conv1d blocks (batch-norm, ReLU), global average pooling over time,
 * then one dense layer per head (./heads): the direction logits, and optionally the log realized
 * volatility, the VaR quantiles (ordered by construction, ./var-order) and the sharp-move logit. Inputs are [batch, time, channels].
 * A cnn-lstm's heads read the pooled trunk beside an LSTM's last hidden state (./lstm's LstmBranch).
 *
 * Every convolution goes through `conv1d` below, for inference, explanations and training alike,
 * on every backend. tfjs runs conv1d as conv2d over a height-1 image, and the wasm backend has no
 * Conv2DBackpropFilter kernel (and only a slow Conv2DBackpropInput), so stock tfjs cannot train
 * this model on wasm. `conv1d` gives the convolution its own gradient made of ops every backend
 * has and XNNPACK makes fast on wasm: the input gradient is a forward conv2d of the output gradient
 * with the flipped, transposed filter; the filter gradient is one plain matMul of the unfolded
 * input (im2col, built channels-first so that no 2-D transpose is needed) with the output gradient.
 * On tfjs-wasm 4.22, matMuls with a transposed operand (over 10x), 2-D transposes and reductions
 * over a leading axis (several times) are slower than plain matMuls, 3-D transposes and reductions
 * over a middle axis, so the gradients here avoid them (see `sumOverBatchAndTime`). Unit tests
 * check these gradients against tfjs's own autodiff on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, StateDict } from './spec';
import { headLayout, headSlot, type HeadName, type VolatilityAnchorValue } from './heads';
import { LstmBranch } from './lstm';
import { seededRandom } from './random';
import { orderedQuantiles } from './var-order';
import { checkStateDict, expectedWeights, recurrentSteps } from './spec';

/** The filter that turns an output gradient into an input gradient: time reversed, in/out swapped. */
function flippedFilter(filter: tf.Tensor4D): tf.Tensor4D {
  return tf.reverse(tf.transpose(filter, [0, 1, 3, 2]), 1);
}

/**
 * Per-channel sum of x [B, T, C] over batch and time: over time first (a middle axis, cheap), then
 * over the small [B, C]; one reduction over both leading axes takes a slow transpose on wasm.
 */
function sumOverBatchAndTime(x: tf.Tensor3D): tf.Tensor1D {
  return tf.sum(tf.sum(x, 1), 0);
}

/**
 * Mean over time of x [B, T, K] → [B, K] (global average pooling), as one average-pool window over
 * the whole series: XNNPACK's pooling on wasm, where a reduction over a middle axis transposes first
 * (3× slower). Its gradient spreads ∂L/∂out / T over time by a product with a tensor filled on the
 * backend; tf.mean's builds its ones in JavaScript and copies them over, and wasm's Tile (a plain
 * broadcast) is slower still.
 */
export function meanOverTime(x: tf.Tensor3D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input] = args as [tf.Tensor3D];
    const [batch, time, k] = input.shape;
    return {
      value: tf.reshape(tf.avgPool(tf.reshape(input, [batch, 1, time, k]) as tf.Tensor4D, [1, time], 1, 'valid'), [batch, k]),
      gradFunc: (dy: tf.Tensor) => tf.mul(tf.reshape(dy, [batch, 1, k]), tf.fill([batch, time, k], 1 / time)),
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * ∂L/∂filter for y = x ⋆ filter ('same', stride 1): Σ over batch and time of the padded input
 * shifted by each tap times ∂L/∂y, as one matMul [K·in, B·T] × [B·T, out].
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: number): tf.Tensor4D {
  const [batch, , time, inC] = x.shape;
  const outC = dy.shape[3];
  const padding = (kernel - 1) / 2;
  // [in, B, T + K - 1]: a 3-D transpose, fast on wasm where the 2-D one is not.
  const channelsFirst = tf.pad(tf.transpose(tf.reshape(x, [batch, time, inC]), [2, 0, 1]), [
    [0, 0],
    [0, 0],
    [padding, padding],
  ]);
  // Row j·in + c is input channel c shifted by tap j: the filter's [K, in] order.
  const unfolded = tf.concat(
    Array.from({ length: kernel }, (_, j) => tf.slice(channelsFirst, [0, 0, j], [inC, batch, time])),
    0,
  );
  const gradient = tf.matMul(tf.reshape(unfolded, [kernel * inC, batch * time]), tf.reshape(dy, [batch * time, outC]));
  return tf.reshape(gradient, [1, kernel, inC, outC]);
}

/**
 * conv1d with 'same' padding over x [B, 1, T, in] with filter [1, K, in, out] (K odd) and bias
 * [out], optionally followed by ReLU, differentiable on every backend (see the file comment).
 */
export function conv1d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  return sameConvolution(x, filter, bias, relu, (g, input, weights) => [
    tf.conv2d(g, flippedFilter(weights), 1, 'same'),
    filterGradient(input, g, weights.shape[1]),
  ]);
}

/**
 * The fused 'same' convolution with bias and optional ReLU, differentiable by our own rule: the
 * bias gradient summed over batch and positions, the input's and the filter's from
 * `inputAndFilter` (where the 1-D and 2-D convolutions differ).
 */
function sameConvolution(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  relu: boolean,
  inputAndFilter: (g: tf.Tensor4D, input: tf.Tensor4D, weights: tf.Tensor4D) => [tf.Tensor4D, tf.Tensor4D],
): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, weights, offset, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.fused.conv2d({ x: input, filter: weights, strides: 1, pad: 'same', bias: offset, activation: relu ? 'relu' : 'linear' });
    save([input, weights, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, savedWeights, output] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g = (relu ? tf.mul(dy, tf.step(output)) : dy) as tf.Tensor4D;
        const [batch, height, width, outC] = g.shape;
        return [...inputAndFilter(g, savedInput, savedWeights), sumOverBatchAndTime(tf.reshape(g, [batch, height * width, outC]))];
      },
    };
  });
  return op(x, filter, bias) as tf.Tensor4D;
}

/**
 * ∂L/∂filter for a 2-D 'same' convolution of x [B, H, W, in] giving ∂L/∂y = dy [B, H, W, out]:
 * per tap (i, j), the channels-first padded input shifted by the tap, [in, B·H·W], times dy
 * [B·H·W, out], a plain matMul as in the 1-D `filterGradient`. One matMul per tap rather than one of
 * the whole unfolded input: that unfolding would hold k² copies of an image batch.
 */
function filterGradient2d(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: number): tf.Tensor4D {
  const [batch, height, width, inC] = x.shape;
  const outC = dy.shape[3];
  const padding = (kernel - 1) / 2;
  const channelsFirst = tf.pad(tf.transpose(x, [3, 0, 1, 2]), [
    [0, 0],
    [0, 0],
    [padding, padding],
    [padding, padding],
  ]);
  const gradient = tf.reshape(dy, [batch * height * width, outC]);
  const taps = Array.from({ length: kernel * kernel }, (_, tap) => {
    const shifted = tf.slice(channelsFirst, [0, 0, Math.floor(tap / kernel), tap % kernel], [inC, batch, height, width]);
    return tf.matMul(tf.reshape(shifted, [inC, batch * height * width]), gradient);
  });
  return tf.reshape(tf.stack(taps), [kernel, kernel, inC, outC]);
}

/**
 * conv2d with 'same' padding over x [B, H, W, in] with filter [K, K, in, out] (K odd) and bias
 * [out], optionally followed by ReLU: `conv1d`'s gradient rule in two dimensions (the input
 * gradient a forward conv2d with the filter flipped on both axes, the filter gradient
 * `filterGradient2d`), so image kinds train on every backend too.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  return sameConvolution(x, filter, bias, relu, (g, input, weights) => [
    tf.conv2d(g, tf.reverse(tf.transpose(weights, [0, 1, 3, 2]), [0, 1]), 1, 'same'),
    filterGradient2d(input, g, weights.shape[0]),
  ]);
}

/**
 * How a model kind's input positions relate to its convolutions and to the candles of its window
 * (../kinds): the FinancialCNN's positions are the T time steps; an image kind's are the T × T
 * cells of its image, row-major. Inputs, feature maps and CAMs are [B, positions, channels] for
 * every kind, so the CAM table (../explain/cam) works on any of them unchanged.
 */
export interface InputGeometry {
  /** Positions per window of `spec`. */
  positions(spec: ModelSpec): number;
  /** [B, positions, C] → the 4-D [B, H, W, C] the convolutions read. */
  toImage(x: tf.Tensor3D, spec: ModelSpec): tf.Tensor4D;
  /** A PyTorch conv weight → the conv2d filter [kh, kw, in, out], each output channel scaled. */
  filterFromPytorch(weight: { shape: number[]; data: Float32Array }, scale?: Float64Array): tf.Tensor4D;
  /** The inverse, for a filter of `filterShape` → PyTorch's weight and shape. */
  filterToPytorch(filter: Float32Array, filterShape: number[]): { shape: number[]; data: Float32Array };
  /** 'same' convolution with bias, optionally ReLU, differentiable on every backend (training's; inference's is `inferenceBlock`). */
  conv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean): tf.Tensor4D;
  /** Values over one window's positions (a CAM) → one value per candle of its window of T. */
  toCandles(values: ArrayLike<number>, T: number): number[];
  /** A copy of one window's input [positions, C] with what `candles` contributed set to 0. */
  blankCandles(window: Float32Array, channels: number, T: number, candles: readonly number[]): Float32Array;
  /**
   * Gradient × input over one window's positions, [positions, C] → per named channel of the kind
   * (../kinds' window().channels: a cnn-lstm's chart and LSTM steps share its one input channel) the
   * total and the value per candle, [T][channels]. Absent: one per input channel, summed over the
   * positions and decoded by `toCandles`.
   */
  attribution?(products: Float32Array, channels: number, T: number): { totals: number[]; byCandle: number[][] };
}

/** PyTorch conv weight [out, in, k] → conv2d filter [1, k, in, out], scaled per output channel. */
function filterFromPytorch(weight: { shape: number[]; data: Float32Array }, scale?: Float64Array): tf.Tensor4D {
  const [out = 0, inC = 0, k = 0] = weight.shape;
  const filter = new Float32Array(k * inC * out);
  for (let f = 0; f < out; f++) {
    const s = scale?.[f] ?? 1;
    for (let c = 0; c < inC; c++)
      for (let j = 0; j < k; j++) filter[(j * inC + c) * out + f] = (weight.data[(f * inC + c) * k + j] ?? 0) * s;
  }
  return tf.tensor4d(filter, [1, k, inC, out]);
}

function filterToPytorch(filter: Float32Array, out: number, inC: number, k: number): Float32Array {
  const weight = new Float32Array(out * inC * k);
  for (let f = 0; f < out; f++)
    for (let c = 0; c < inC; c++) for (let j = 0; j < k; j++) weight[(f * inC + c) * k + j] = filter[(j * inC + c) * out + f] ?? 0;
  return weight;
}

/** The FinancialCNN's geometry: positions are time steps, one per candle. */
export const SERIES_GEOMETRY: InputGeometry = {
  positions: (spec) => spec.sequence_length,
  toImage: (x) => tf.reshape(x, [x.shape[0], 1, x.shape[1], x.shape[2]]),
  filterFromPytorch,
  filterToPytorch: (filter, [, k = 0, inC = 0, out = 0]) => ({ shape: [out, inC, k], data: filterToPytorch(filter, out, inC, k) }),
  conv: conv1d,
  toCandles: (values) => Array.from(values),
  blankCandles(window, channels, _T, candles) {
    const out = Float32Array.from(window);
    for (const t of candles) out.fill(0, t * channels, (t + 1) * channels);
    return out;
  },
};

function get(weights: StateDict, name: string): Float32Array {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`missing weight ${name}`);
  return w.data;
}

function convWeight(weights: StateDict, i: number): { shape: number[]; data: Float32Array } {
  const w = weights.get(`convs.${i}.weight`);
  if (w === undefined) throw new Error(`missing weight convs.${i}.weight`);
  return w;
}

/** A head's dense layer in the state dict: `fc.*` for direction (PyTorch's name), else `heads.<name>.*`. */
function headPrefix(name: HeadName): string {
  return name === 'direction' ? 'fc' : `heads.${name}`;
}

function headMatrix(weights: StateDict, name: HeadName): { data: Float32Array; rows: number; columns: number } {
  const w = weights.get(`${headPrefix(name)}.weight`);
  if (w === undefined) throw new Error(`missing weight ${headPrefix(name)}.weight`);
  return { data: w.data, rows: w.shape[0] ?? 0, columns: w.shape[1] ?? 0 };
}

/** Each head's outputs for a batch, [B, head size]; only the model's heads are present. */
export type HeadOutputs = Partial<Record<HeadName, tf.Tensor2D>>;

/** Floor of the anchor's mean squared return: a window without a price change would give log 0. */
const MIN_ANCHOR_VARIANCE = 1e-12;

/**
 * The volatility head's anchor (./heads): ½·log mean r² over each window of `input` [B, positions, C],
 * [B, 1], r read from its last T positions: a window's time steps, or a cnn-lstm's LSTM steps.
 */
function volatilityAnchor(input: tf.Tensor3D, anchor: VolatilityAnchorValue, time: number): tf.Tensor2D {
  const [batch, positions] = input.shape;
  const returns = tf.add(
    tf.mul(tf.reshape(tf.slice(input, [0, positions - time, anchor.channel], [batch, time, 1]), [batch, time]), anchor.std),
    anchor.mean,
  );
  return tf.mul<tf.Tensor2D>(tf.log(tf.add(tf.mean(tf.square(returns), 1, true), MIN_ANCHOR_VARIANCE)), 0.5);
}

/**
 * Every head's outputs from its linear layer's: the log volatility from its anchor when it has one
 * (read from the window, `input`); the VaR quantiles ordered (./var-order) and, with
 * `per_volatility`, times the volatility head's forecast e^(log volatility); the others as they are.
 */
function headOutputs(spec: ModelSpec, linear: HeadOutputs, input: tf.Tensor3D | undefined): HeadOutputs {
  const anchor = spec.heads?.volatility?.anchor;
  let volatility = linear.volatility;
  if (anchor !== undefined && volatility !== undefined) {
    if (input === undefined) throw new Error("the volatility head's anchor needs the window the output is of");
    volatility = tf.add<tf.Tensor2D>(volatility, volatilityAnchor(input, anchor, spec.sequence_length));
  }
  const withVolatility = volatility === undefined ? linear : { ...linear, volatility };
  const head = spec.heads?.var;
  const raw = linear.var;
  if (head === undefined || raw === undefined) return withVolatility;
  const quantiles = orderedQuantiles(raw, head.quantiles, head.scale);
  if (!head.per_volatility) return { ...withVolatility, var: quantiles };
  if (volatility === undefined)
    throw new Error('the VaR head is in units of the volatility forecast, but the model has no volatility head');
  return { ...withVolatility, var: tf.mul<tf.Tensor2D>(quantiles, tf.exp(volatility)) };
}

/** Every head's outputs side by side in layout order (./heads), [B, outputs]. */
function outputRow(spec: ModelSpec, heads: HeadOutputs): tf.Tensor2D {
  const parts = headLayout(spec).map((slot) => heads[slot.name] as tf.Tensor2D);
  return parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 1);
}

interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  /** The filter flipped on both spatial axes, in/out swapped: what turns an output gradient into an input gradient. */
  flipped: tf.Tensor4D;
}

/**
 * One inference block, 'same' conv + bias + ReLU, whose gradient is the input's alone (the
 * explanations' gradient × input): the geometry's `conv` also computes the filter's and the bias's,
 * which training needs and an explanation throws away (most of its backward pass on an image).
 * The input gradient is `conv1d`'s and `conv2d`'s. The forward runs the fused kernel itself, under a
 * gradient tape too, where tf.fused.conv2d would split it into conv, bias add and ReLU (other
 * rounding): outputs and maps read under the tape are bit for bit those of a plain forward pass.
 */
function inferenceBlock(x: tf.Tensor4D, conv: FoldedConv): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    const y = tf
      .engine()
      .runKernel(
        'FusedConv2D',
        { x: input, filter: conv.filter, bias: conv.bias },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], activation: 'relu' },
      ) as tf.Tensor4D;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [output]: tf.Tensor[]) => blockInputGradient(dy as tf.Tensor4D, output as tf.Tensor4D, conv),
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * ∂L/∂input of an inference block from ∂L/∂output `dy` [B, H, W, out] and the block's `output`
 * [B or 1, H, W, out] (ReLU's mask; one window's serves B rows of cotangents of it).
 */
function blockInputGradient(dy: tf.Tensor4D, output: tf.Tensor4D, conv: FoldedConv): tf.Tensor4D {
  return tf.conv2d(tf.mul(dy, tf.step(output)) as tf.Tensor4D, conv.flipped, 1, 'same');
}

/**
 * The positions of x [B, positions, C] the conv trunk reads: all of them, but for a cnn-lstm the
 * ones before its LSTM steps (recurrentInput: the last `recurrentSteps`).
 */
function trunkInput(x: tf.Tensor3D, spec: ModelSpec, positions: number): tf.Tensor3D {
  const cells = positions - recurrentSteps(spec);
  return x.shape[1] === cells ? x : tf.slice(x, [0, 0, 0], [x.shape[0], cells, x.shape[2]]);
}

function recurrentInput(x: tf.Tensor3D, spec: ModelSpec): tf.Tensor3D {
  const steps = recurrentSteps(spec);
  return tf.slice(x, [0, x.shape[1] - steps, 0], [x.shape[0], steps, x.shape[2]]);
}

/**
 * What the heads read: the pooled trunk [B, F], then a cnn-lstm's last hidden state of the window
 * `input` (or that `state`, when it was computed already), [B, F + H].
 */
function headInput(
  pooled: tf.Tensor2D,
  lstm: LstmBranch | undefined,
  spec: ModelSpec,
  input: tf.Tensor3D | undefined,
  state: tf.Tensor2D | undefined,
): tf.Tensor2D {
  if (lstm === undefined) return pooled;
  if (state !== undefined) return tf.concat([pooled, state], 1);
  if (input === undefined) throw new Error('the LSTM branch needs the window the output is of');
  return tf.concat([pooled, lstm.hidden(recurrentInput(input, spec))], 1);
}

/**
 * Inference network. Batch-norm in inference mode is an affine map per channel, so it is folded into
 * the conv weights and bias (γ/√(var+ε) scales, β − mean·scale shifts): one conv + bias + ReLU
 * per block.
 */
export class FinancialCnn {
  readonly #convs: FoldedConv[];
  readonly #heads: { name: HeadName; weight: tf.Tensor2D; bias: tf.Tensor1D }[];
  readonly #lstm: LstmBranch | undefined;

  /** `geometry`: the model kind's (../kinds); the FinancialCNN's by default. */
  constructor(
    readonly spec: ModelSpec,
    weights: StateDict,
    readonly geometry: InputGeometry = SERIES_GEOMETRY,
  ) {
    checkStateDict(spec, weights);
    this.#convs = spec.convs.map((conv, i) => {
      const gamma = get(weights, `bns.${i}.weight`);
      const beta = get(weights, `bns.${i}.bias`);
      const mean = get(weights, `bns.${i}.running_mean`);
      const variance = get(weights, `bns.${i}.running_var`);
      const convBias = get(weights, `convs.${i}.bias`);
      const scale = Float64Array.from(gamma, (g, f) => g / Math.sqrt((variance[f] ?? 0) + spec.batchnorm_eps));
      const bias = Float32Array.from(scale, (s, f) => ((convBias[f] ?? 0) - (mean[f] ?? 0)) * s + (beta[f] ?? 0));
      const filter = geometry.filterFromPytorch(convWeight(weights, i), scale);
      // Both axes: a 1-D filter's first axis has size 1.
      const flipped = tf.tidy(() => tf.reverse(tf.transpose(filter, [0, 1, 3, 2]), [0, 1]));
      return { filter, bias: tf.tensor1d(bias), flipped };
    });
    this.#heads = headLayout(spec).map(({ name }) => {
      const { data, rows, columns } = headMatrix(weights, name);
      // Kept as [features, outputs]: a matMul with a transposed operand is slow on wasm (and
      // tfjs-wasm 4.22's fused matMul adds the bias wrongly with transposeB).
      const weight = tf.tidy(() => tf.transpose(tf.tensor2d(data, [rows, columns])));
      return { name, weight, bias: tf.tensor1d(get(weights, `${headPrefix(name)}.bias`)) };
    });
    this.#lstm = spec.lstm === undefined ? undefined : new LstmBranch(weights, false);
  }

  get layerCount(): number {
    return this.#convs.length;
  }

  /** Input positions per window ([B, positions, channels] inputs): T, or T × T for an image kind. */
  get positions(): number {
    return this.geometry.positions(this.spec);
  }

  /**
   * Output of conv block `layer` (after its ReLU), [B, positions, filters]; a cnn-lstm's LSTM steps,
   * which no conv reads, hold zeros (so a CAM over them is 0).
   */
  activation(x: tf.Tensor3D, layer: number): tf.Tensor3D {
    return this.#withRecurrentSteps(this.#blocks(x, 0, layer));
  }

  /** The outputs of conv blocks 0..`layer` as the convolutions give them, [B, H, W, filters] each; see `activationOf`. */
  blockOutputs(x: tf.Tensor3D, layer: number): tf.Tensor4D[] {
    let out = this.geometry.toImage(trunkInput(x, this.spec, this.positions), this.spec);
    return this.#convs.slice(0, layer + 1).map((conv) => (out = inferenceBlock(out, conv)));
  }

  /** A block's output [B, H, W, filters] as `activation` gives it, [B, positions, filters]. */
  activationOf(output: tf.Tensor4D): tf.Tensor3D {
    const [batch, height = 0, width = 0, filters = 0] = output.shape;
    return this.#withRecurrentSteps(tf.reshape(output, [batch, height * width, filters]));
  }

  /** The trunk's positions [B, cells, K] with a cnn-lstm's LSTM steps after them as zeros (what no conv reads). */
  #withRecurrentSteps(a: tf.Tensor3D): tf.Tensor3D {
    const steps = recurrentSteps(this.spec);
    return steps === 0
      ? a
      : tf.pad(a, [
          [0, 0],
          [0, steps],
          [0, 0],
        ]);
  }

  /**
   * The backward pass through conv blocks `outputs.length - 1`..0 (their `blockOutputs`, of one
   * window or of each row's): rows of cotangents `dA` [B, positions, filters] of the last one's
   * output → the input's gradient [B, positions, C], by the blocks' own gradient rule. One forward
   * pass of a window thus serves the gradients of several of its outputs.
   */
  blocksBackward(outputs: readonly tf.Tensor4D[], dA: tf.Tensor3D): tf.Tensor3D {
    const [rows, , filters] = dA.shape;
    const [, height = 0, width = 0] = outputs.at(-1)?.shape ?? [];
    let g: tf.Tensor4D = tf.reshape(trunkInput(dA, this.spec, this.positions), [rows, height, width, filters]);
    for (let i = outputs.length - 1; i >= 0; i--) g = blockInputGradient(g, outputs[i] as tf.Tensor4D, this.#convs[i] as FoldedConv);
    // A cnn-lstm's LSTM steps pass no conv: their gradient comes from the heads alone (the caller's).
    return this.#withRecurrentSteps(tf.reshape(g, [rows, height * width, this.spec.input_channels]));
  }

  /**
   * Every head's outputs from the output of conv block `layer`; `input` is the window itself (the
   * volatility head's anchor reads it; for layer −1 it is `a`).
   */
  headsFrom(a: tf.Tensor3D, layer: number, input?: tf.Tensor3D, state?: tf.Tensor2D): HeadOutputs {
    const window = input ?? (layer === -1 ? a : undefined);
    const pooled = headInput(meanOverTime(this.#blocks(a, layer + 1, this.#convs.length - 1)), this.#lstm, this.spec, window, state);
    // Plain matMul + add rather than the fused op: under a gradient tape, fused ops compute every
    // input's gradient, the weights' included, where plain ones compute only what is asked.
    const linear = Object.fromEntries(this.#heads.map((h) => [h.name, tf.add(tf.matMul(pooled, h.weight), h.bias)]));
    return headOutputs(this.spec, linear, window);
  }

  /**
   * The output row (every head, layout order) from the output of conv block `layer`, [B, outputs];
   * `state`: a cnn-lstm's `recurrentState` of `input`, when it was computed already.
   */
  outputsFrom(a: tf.Tensor3D, layer: number, input?: tf.Tensor3D, state?: tf.Tensor2D): tf.Tensor2D {
    return outputRow(this.spec, this.headsFrom(a, layer, input, state));
  }

  /**
   * A cnn-lstm's LSTM's last hidden state over the windows `x` [B, H]; undefined for the other kinds.
   * It depends on the input alone, so a pass that differentiates only the conv blocks' output
   * computes it once, outside the tape: the LSTM's some 14 small ops a step are not taped.
   */
  recurrentState(x: tf.Tensor3D): tf.Tensor2D | undefined {
    return this.#lstm?.hidden(recurrentInput(x, this.spec));
  }

  outputs(x: tf.Tensor3D): tf.Tensor2D {
    return this.outputsFrom(x, -1);
  }

  /** Direction logits from the output of conv block `layer`; a model without that head refuses. */
  logitsFrom(a: tf.Tensor3D, layer: number, input?: tf.Tensor3D): tf.Tensor2D {
    headSlot(this.spec, 'direction');
    return this.headsFrom(a, layer, input).direction as tf.Tensor2D;
  }

  logits(x: tf.Tensor3D): tf.Tensor2D {
    return this.logitsFrom(x, -1);
  }

  /** Conv blocks `from`..`to` over the positions the trunk reads, [B, those positions, filters]. */
  #blocks(x: tf.Tensor3D, from: number, to: number): tf.Tensor3D {
    const trunk = trunkInput(x, this.spec, this.positions);
    if (from > to) return trunk;
    const [batch, positions] = trunk.shape;
    let out = this.geometry.toImage(trunk, this.spec);
    for (let i = from; i <= to; i++) {
      out = inferenceBlock(out, this.#convs[i] as FoldedConv);
    }
    return tf.reshape(out, [batch, positions, out.shape[3]]);
  }

  dispose(): void {
    for (const c of this.#convs) tf.dispose([c.filter, c.bias, c.flipped]);
    for (const h of this.#heads) tf.dispose([h.weight, h.bias]);
    this.#lstm?.dispose();
  }
}

interface TrainableConv {
  filter: tf.Variable<tf.Rank.R4>;
  bias: tf.Variable<tf.Rank.R1>;
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/** PyTorch's batch-norm momentum for the running statistics. */
const BN_MOMENTUM = 0.1;

export interface BatchStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Batch-norm in training mode over y [B, T, C] (batch statistics, biased variance, as PyTorch
 * normalizes), then ReLU. The gradient is the textbook one written out, its sums done by
 * `sumOverBatchAndTime`: autodiff through the broadcasts would reduce over the leading axes in one
 * go, most of a training step's time on wasm. `onStats` receives the batch mean and variance (kept).
 */
export function batchNormRelu(
  y: tf.Tensor3D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (stats: BatchStats) => void,
): tf.Tensor3D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, shift, save] = args as [tf.Tensor3D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const count = input.shape[0] * input.shape[1];
    const mean = tf.div(sumOverBatchAndTime(input), count) as tf.Tensor1D;
    const centered = tf.sub(input, mean) as tf.Tensor3D;
    const variance = tf.div(sumOverBatchAndTime(tf.square(centered)), count) as tf.Tensor1D;
    onStats({ mean: tf.keep(mean), variance: tf.keep(variance) });
    const inverseStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(centered, inverseStd);
    const out = tf.relu(tf.add(tf.mul(normalized, scale), shift));
    save([normalized, inverseStd, scale, out]);
    return {
      value: out,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, invStd, gammaSaved, output] = saved as [tf.Tensor3D, tf.Tensor1D, tf.Tensor1D, tf.Tensor3D];
        const dz = tf.mul(dy, tf.step(output)) as tf.Tensor3D;
        const dBeta = sumOverBatchAndTime(dz);
        const dGamma = sumOverBatchAndTime(tf.mul(dz, xHat));
        // ∂L/∂y = γ·σ⁻¹/N · (N·dz − Σdz − x̂·Σ(dz·x̂)), N = B·T
        const dInput = tf.mul(tf.div(tf.mul(gammaSaved, invStd), count), tf.sub(tf.sub(tf.mul(dz, count), dBeta), tf.mul(xHat, dGamma)));
        return [dInput, dGamma, dBeta];
      },
    };
  });
  return op(y, gamma, beta) as tf.Tensor3D;
}

/**
 * Training network: the same convolution, batch-norm on batch statistics with
 * running statistics kept as PyTorch does (momentum 0.1, unbiased variance), so that `toStateDict`
 * gives weights that FinancialCnn (and PyTorch) read unchanged.
 */
export class TrainableCnn {
  readonly #convs: TrainableConv[];
  /** PyTorch layout, [outputs, features], per head in layout order. */
  readonly #heads: { name: HeadName; weight: tf.Variable<tf.Rank.R2>; bias: tf.Variable<tf.Rank.R1> }[];
  readonly #lstm: LstmBranch | undefined;

  constructor(
    readonly spec: ModelSpec,
    weights: StateDict,
    readonly geometry: InputGeometry = SERIES_GEOMETRY,
  ) {
    checkStateDict(spec, weights);
    this.#convs = spec.convs.map((conv, i) => {
      return {
        filter: tf.variable(geometry.filterFromPytorch(convWeight(weights, i))),
        bias: tf.variable(tf.tensor1d(get(weights, `convs.${i}.bias`))),
        gamma: tf.variable(tf.tensor1d(get(weights, `bns.${i}.weight`))),
        beta: tf.variable(tf.tensor1d(get(weights, `bns.${i}.bias`))),
        runningMean: Float32Array.from(get(weights, `bns.${i}.running_mean`)),
        runningVar: Float32Array.from(get(weights, `bns.${i}.running_var`)),
      };
    });
    this.#heads = headLayout(spec).map(({ name }) => {
      const { data, rows, columns } = headMatrix(weights, name);
      return {
        name,
        weight: tf.variable(tf.tensor2d(data, [rows, columns])),
        bias: tf.variable(tf.tensor1d(get(weights, `${headPrefix(name)}.bias`))),
      };
    });
    this.#lstm = spec.lstm === undefined ? undefined : new LstmBranch(weights, true);
  }

  /** Input positions per window, as FinancialCnn's. */
  get positions(): number {
    return this.geometry.positions(this.spec);
  }

  get variables(): tf.Variable[] {
    return [
      ...this.#convs.flatMap((c) => [c.filter, c.bias, c.gamma, c.beta]),
      ...this.#heads.flatMap((h) => [h.weight, h.bias]),
      ...(this.#lstm?.variables ?? []),
    ];
  }

  /**
   * Every head's outputs in training mode (batch statistics). `batchStats` receives each block's
   * batch mean and variance so the caller can update the running statistics after the step.
   * (Validation runs the inference network, FinancialCnn, on `toStateDict()`.)
   */
  trainOutputs(x: tf.Tensor3D, batchStats: BatchStats[]): HeadOutputs {
    let out = trunkInput(x, this.spec, this.positions);
    const [batch, positions] = out.shape;
    for (const conv of this.#convs) {
      const y = this.geometry.conv(this.geometry.toImage(out, this.spec), conv.filter, conv.bias, false);
      out = batchNormRelu(tf.reshape(y, [batch, positions, y.shape[3]]), conv.gamma, conv.beta, this.spec.batchnorm_eps, (stats) =>
        batchStats.push(stats),
      );
    }
    const pooled = headInput(meanOverTime(out), this.#lstm, this.spec, x, undefined);
    return headOutputs(
      this.spec,
      Object.fromEntries(this.#heads.map((h) => [h.name, tf.add(tf.matMul(pooled, h.weight, false, true), h.bias)])),
      x,
    );
  }

  /** Folds one step's batch statistics into the running ones, as PyTorch does. */
  updateRunningStats(batchStats: BatchStats[], count: number): void {
    const unbias = count > 1 ? count / (count - 1) : 1;
    batchStats.forEach((stats, i) => {
      const conv = this.#convs[i] as TrainableConv;
      const mean = stats.mean.dataSync();
      const variance = stats.variance.dataSync();
      for (let f = 0; f < mean.length; f++) {
        conv.runningMean[f] = (1 - BN_MOMENTUM) * (conv.runningMean[f] ?? 0) + BN_MOMENTUM * (mean[f] ?? 0);
        conv.runningVar[f] = (1 - BN_MOMENTUM) * (conv.runningVar[f] ?? 0) + BN_MOMENTUM * (variance[f] ?? 0) * unbias;
      }
      tf.dispose([stats.mean, stats.variance]);
    });
  }

  toStateDict(): StateDict {
    const weights: StateDict = new Map();
    this.#convs.forEach((conv, i) => {
      const filters = conv.filter.shape[3];
      weights.set(`convs.${i}.weight`, this.geometry.filterToPytorch(conv.filter.dataSync() as Float32Array, conv.filter.shape));
      weights.set(`convs.${i}.bias`, { shape: [filters], data: Float32Array.from(conv.bias.dataSync()) });
      weights.set(`bns.${i}.weight`, { shape: [filters], data: Float32Array.from(conv.gamma.dataSync()) });
      weights.set(`bns.${i}.bias`, { shape: [filters], data: Float32Array.from(conv.beta.dataSync()) });
      weights.set(`bns.${i}.running_mean`, { shape: [filters], data: Float32Array.from(conv.runningMean) });
      weights.set(`bns.${i}.running_var`, { shape: [filters], data: Float32Array.from(conv.runningVar) });
    });
    for (const h of this.#heads) {
      weights.set(`${headPrefix(h.name)}.weight`, { shape: [...h.weight.shape], data: Float32Array.from(h.weight.dataSync()) });
      weights.set(`${headPrefix(h.name)}.bias`, { shape: [...h.bias.shape], data: Float32Array.from(h.bias.dataSync()) });
    }
    this.#lstm?.writeStateDict(weights);
    return weights;
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/**
 * PyTorch's default initialization (Kaiming-uniform weights and bias in ±1/√fan_in; an LSTM's
 * weights and biases all in ±1/√hidden), seeded.
 */
export function initialWeights(spec: ModelSpec, seed: number): StateDict {
  const random = seededRandom(seed);
  const weights: StateDict = new Map();
  for (const { name, shape } of expectedWeights(spec)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = name.startsWith('convs.') ? receptiveField(shape) : (shape[1] ?? 1);
    let data: Float32Array;
    if (name.startsWith('bns.')) data = new Float32Array(size).fill(name.endsWith('.weight') || name.endsWith('running_var') ? 1 : 0);
    else {
      const bound =
        1 / Math.sqrt(name.startsWith('lstm.') ? (spec.lstm?.hidden ?? 1) : name.endsWith('.bias') ? fanInOf(weights, name) : fanIn);
      data = Float32Array.from({ length: size }, () => (random() * 2 - 1) * bound);
    }
    weights.set(name, { shape, data });
  }
  return weights;
}

/** A conv weight's fan-in: input channels times every kernel axis ([out, in, k] or [out, in, k, k]). */
function receptiveField(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

function fanInOf(weights: StateDict, biasName: string): number {
  return receptiveField(weights.get(biasName.replace(/bias$/, 'weight'))?.shape ?? [1, 1]);
}
