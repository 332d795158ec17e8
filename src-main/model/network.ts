/**
 * The FinancialCNN on tfjs: conv1d blocks (batch-norm, ReLU), global average pooling over time,
 * a dense layer to the class logits. Inputs are [batch, time, channels].
 *
 * Two convolutions, one per job, each the same on every backend:
 * - Inference and explanations (FinancialCnn) use tfjs's fused conv2d over a height-1 image, with
 *   batch-norm folded in: on wasm that is XNNPACK, about twice as fast as the alternative below.
 *   Its gradient with respect to the input (Conv2DBackpropInput) exists on every backend, which is
 *   all the CAMs and the input attribution need.
 * - Training (TrainableCnn) needs the gradient with respect to the filter, and the wasm backend has
 *   no Conv2DBackpropFilter kernel, so stock tf.conv1d cannot train there. Training expresses conv1d
 *   as an im2col unfold (K shifted slices of the padded input, concatenated along channels) times
 *   the [K·in, out] weight matrix: the same convolution, whose gradients need only Pad, Slice,
 *   Concat and MatMul, which every backend has. We chose this over registering a hand-written
 *   Conv2DBackpropFilter kernel for wasm, which would be a third convolution to keep right.
 * A unit test checks that the two convolutions agree.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec, StateDict } from './spec';
import { checkStateDict, expectedWeights } from './spec';

/** [B, T, C] → [B·T, K·C]: the K time-shifted views of the zero-padded input, side by side. */
export function unfold(x: tf.Tensor3D, kernel: number, padding: number): tf.Tensor2D {
  const [batch, time, channels] = x.shape;
  const padded =
    padding > 0
      ? tf.pad(x, [
          [0, 0],
          [padding, padding],
          [0, 0],
        ])
      : x;
  const views: tf.Tensor3D[] = [];
  for (let k = 0; k < kernel; k++) views.push(tf.slice(padded, [0, k, 0], [batch, time, channels]));
  const joined = views.length === 1 ? (views[0] as tf.Tensor3D) : tf.concat(views, 2);
  return tf.reshape(joined, [batch * time, kernel * channels]);
}

/** PyTorch conv weight [out, in, k] → im2col matrix [k·in, out], scaled per output channel. */
function im2colWeight(weight: { shape: number[]; data: Float32Array }, scale?: Float64Array): tf.Tensor2D {
  const [out = 0, inC = 0, k = 0] = weight.shape;
  const matrix = new Float32Array(k * inC * out);
  for (let f = 0; f < out; f++) {
    const s = scale?.[f] ?? 1;
    for (let c = 0; c < inC; c++)
      for (let j = 0; j < k; j++) matrix[(j * inC + c) * out + f] = (weight.data[(f * inC + c) * k + j] ?? 0) * s;
  }
  return tf.tensor2d(matrix, [k * inC, out]);
}

function im2colToPytorch(matrix: Float32Array, out: number, inC: number, k: number): Float32Array {
  const weight = new Float32Array(out * inC * k);
  for (let f = 0; f < out; f++)
    for (let c = 0; c < inC; c++) for (let j = 0; j < k; j++) weight[(f * inC + c) * k + j] = matrix[(j * inC + c) * out + f] ?? 0;
  return weight;
}

function get(weights: StateDict, name: string): Float32Array {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`missing weight ${name}`);
  return w.data;
}

interface FoldedConv {
  /** [1, K, in, out]: the im2col matrix's data, read as a height-1 conv2d filter. */
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/**
 * Inference network. Batch-norm in inference mode is an affine map per channel, so it is folded into
 * the conv weights and bias (γ/√(var+ε) scales, β − mean·scale shifts): one fused matMul + bias + ReLU
 * per block.
 */
export class FinancialCnn {
  readonly #convs: FoldedConv[];
  readonly #fcWeight: tf.Tensor2D;
  readonly #fcBias: tf.Tensor1D;

  constructor(
    readonly spec: ModelSpec,
    weights: StateDict,
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
      const weight = weights.get(`convs.${i}.weight`);
      if (weight === undefined) throw new Error(`missing weight convs.${i}.weight`);
      const matrix = im2colWeight(weight, scale);
      const filter: tf.Tensor4D = tf.reshape(matrix, [1, conv.kernel_size, matrix.shape[0] / conv.kernel_size, conv.filters]);
      matrix.dispose();
      return { filter, bias: tf.tensor1d(bias) };
    });
    const fc = weights.get('fc.weight');
    if (fc === undefined) throw new Error('missing weight fc.weight');
    // Kept as [features, classes]: tfjs-wasm 4.22's fused matMul adds the bias wrongly with transposeB.
    this.#fcWeight = tf.tidy(() => tf.transpose(tf.tensor2d(fc.data, [fc.shape[0] ?? 0, fc.shape[1] ?? 0])) as tf.Tensor2D);
    this.#fcBias = tf.tensor1d(get(weights, 'fc.bias'));
  }

  get layerCount(): number {
    return this.#convs.length;
  }

  /** Output of conv block `layer` (after its ReLU), [B, T, filters]. */
  activation(x: tf.Tensor3D, layer: number): tf.Tensor3D {
    return this.#blocks(x, 0, layer);
  }

  /** Logits from the output of conv block `layer`. */
  logitsFrom(a: tf.Tensor3D, layer: number): tf.Tensor2D {
    const last = this.#blocks(a, layer + 1, this.#convs.length - 1);
    return tf.fused.matMul({ a: tf.mean(last, 1) as tf.Tensor2D, b: this.#fcWeight, bias: this.#fcBias }) as tf.Tensor2D;
  }

  logits(x: tf.Tensor3D): tf.Tensor2D {
    return this.logitsFrom(x, -1);
  }

  #blocks(x: tf.Tensor3D, from: number, to: number): tf.Tensor3D {
    if (from > to) return x;
    const [batch, time, channels] = x.shape;
    // 'same' padding is the spec's padding: stride 1, odd kernel, (K - 1) / 2 zeros on each side.
    let out: tf.Tensor4D = tf.reshape(x, [batch, 1, time, channels]);
    for (let i = from; i <= to; i++) {
      const conv = this.#convs[i] as FoldedConv;
      out = tf.fused.conv2d({ x: out, filter: conv.filter, strides: 1, pad: 'same', bias: conv.bias, activation: 'relu' });
    }
    return tf.reshape(out, [batch, time, out.shape[3]]);
  }

  dispose(): void {
    for (const c of this.#convs) tf.dispose([c.filter, c.bias]);
    tf.dispose([this.#fcWeight, this.#fcBias]);
  }
}

interface TrainableConv {
  kernel: number;
  padding: number;
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

/** PyTorch's batch-norm momentum for the running statistics. */
const BN_MOMENTUM = 0.1;

/**
 * Training network: the same unfold + matMul convolution, batch-norm on batch statistics with
 * running statistics kept as PyTorch does (momentum 0.1, unbiased variance), so that `toStateDict`
 * gives weights that FinancialCnn (and PyTorch) read unchanged.
 */
export class TrainableCnn {
  readonly #convs: TrainableConv[];
  readonly #fcWeight: tf.Variable<tf.Rank.R2>;
  readonly #fcBias: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly spec: ModelSpec,
    weights: StateDict,
  ) {
    checkStateDict(spec, weights);
    this.#convs = spec.convs.map((conv, i) => {
      const w = weights.get(`convs.${i}.weight`);
      if (w === undefined) throw new Error(`missing weight convs.${i}.weight`);
      return {
        kernel: conv.kernel_size,
        padding: conv.padding,
        weight: tf.variable(im2colWeight(w)),
        bias: tf.variable(tf.tensor1d(get(weights, `convs.${i}.bias`))),
        gamma: tf.variable(tf.tensor1d(get(weights, `bns.${i}.weight`))),
        beta: tf.variable(tf.tensor1d(get(weights, `bns.${i}.bias`))),
        runningMean: Float32Array.from(get(weights, `bns.${i}.running_mean`)),
        runningVar: Float32Array.from(get(weights, `bns.${i}.running_var`)),
      };
    });
    const fc = weights.get('fc.weight');
    if (fc === undefined) throw new Error('missing weight fc.weight');
    this.#fcWeight = tf.variable(tf.tensor2d(fc.data, [fc.shape[0] ?? 0, fc.shape[1] ?? 0]));
    this.#fcBias = tf.variable(tf.tensor1d(get(weights, 'fc.bias')));
  }

  get variables(): tf.Variable[] {
    return [...this.#convs.flatMap((c) => [c.weight, c.bias, c.gamma, c.beta]), this.#fcWeight, this.#fcBias];
  }

  /**
   * Logits in training mode (batch statistics). `batchStats` receives each block's batch mean and
   * variance so the caller can update the running statistics after the step.
   */
  trainLogits(x: tf.Tensor3D, batchStats: { mean: tf.Tensor1D; variance: tf.Tensor1D }[]): tf.Tensor2D {
    let out = x;
    for (const conv of this.#convs) {
      const [batch, time] = out.shape;
      const filters = conv.weight.shape[1];
      const y = tf.add(tf.matMul(unfold(out, conv.kernel, conv.padding), conv.weight), conv.bias);
      const { mean, variance } = tf.moments(y, 0);
      batchStats.push({ mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D });
      const normalized = tf.batchNorm(y, mean, variance, conv.beta, conv.gamma, this.spec.batchnorm_eps);
      out = tf.reshape(tf.relu(normalized), [batch, time, filters]);
    }
    return tf.add(tf.matMul(tf.mean(out, 1), this.#fcWeight, false, true), this.#fcBias);
  }

  /** Folds one step's batch statistics into the running ones, as PyTorch does. */
  updateRunningStats(batchStats: { mean: tf.Tensor1D; variance: tf.Tensor1D }[], count: number): void {
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
    let inChannels = this.spec.input_channels;
    this.#convs.forEach((conv, i) => {
      const filters = conv.weight.shape[1];
      weights.set(`convs.${i}.weight`, {
        shape: [filters, inChannels, conv.kernel],
        data: im2colToPytorch(conv.weight.dataSync() as Float32Array, filters, inChannels, conv.kernel),
      });
      weights.set(`convs.${i}.bias`, { shape: [filters], data: Float32Array.from(conv.bias.dataSync()) });
      weights.set(`bns.${i}.weight`, { shape: [filters], data: Float32Array.from(conv.gamma.dataSync()) });
      weights.set(`bns.${i}.bias`, { shape: [filters], data: Float32Array.from(conv.beta.dataSync()) });
      weights.set(`bns.${i}.running_mean`, { shape: [filters], data: Float32Array.from(conv.runningMean) });
      weights.set(`bns.${i}.running_var`, { shape: [filters], data: Float32Array.from(conv.runningVar) });
      inChannels = filters;
    });
    weights.set('fc.weight', { shape: [...this.#fcWeight.shape], data: Float32Array.from(this.#fcWeight.dataSync()) });
    weights.set('fc.bias', { shape: [...this.#fcBias.shape], data: Float32Array.from(this.#fcBias.dataSync()) });
    return weights;
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Seeded mulberry32: the one source of randomness for initialization, shuffling and masks. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** PyTorch's default initialization (Kaiming-uniform weights and bias in ±1/√fan_in), seeded. */
export function initialWeights(spec: ModelSpec, seed: number): StateDict {
  const random = seededRandom(seed);
  const weights: StateDict = new Map();
  for (const { name, shape } of expectedWeights(spec)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const fanIn = name.startsWith('convs.') ? (shape[1] ?? 1) * (shape[2] ?? 1) : (shape[1] ?? 1);
    let data: Float32Array;
    if (name.startsWith('bns.')) data = new Float32Array(size).fill(name.endsWith('.weight') || name.endsWith('running_var') ? 1 : 0);
    else {
      const bound = 1 / Math.sqrt(name.endsWith('.bias') ? fanInOf(weights, name) : fanIn);
      data = Float32Array.from({ length: size }, () => (random() * 2 - 1) * bound);
    }
    weights.set(name, { shape, data });
  }
  return weights;
}

function fanInOf(weights: StateDict, biasName: string): number {
  const shape = weights.get(biasName.replace(/bias$/, 'weight'))?.shape ?? [1];
  return (shape[1] ?? 1) * (shape[2] ?? 1);
}
