/**
 * One LSTM layer over a window, batch-first ([B, T, F]), and a dense layer on the last step's hidden
 * state to the class logits, in PyTorch's layout (../shared/golden/README.md, `lstm/`): gates in
 * PyTorch's order, input, forget, cell (g), output, stacked in `lstm.weight_ih_l0` [4H, F] and
 * `lstm.weight_hh_l0` [4H, H], two biases added. The branch a `cnn-lstm` would fuse with the chart's
 * CNN; explained by gradient × input per step.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ModelFormatError, type StateDict } from './spec';

export const LstmSpecSchema = z.object({
  architecture: z.literal('LSTM'),
  sequence_length: z.number().int().min(1).max(10_000),
  input_features: z.number().int().min(1).max(256),
  hidden: z.number().int().min(1).max(4096),
  num_classes: z.number().int().min(2).max(64),
});
export type LstmSpec = z.output<typeof LstmSpecSchema>;

const TensorJson = z.object({ shape: z.array(z.number().int().nonnegative()), data: z.array(z.number()) });
const LstmJson = LstmSpecSchema.extend({ state_dict: z.record(z.string(), TensorJson) });

function expectedLstmWeights({ input_features: F, hidden: H, num_classes: K }: LstmSpec): { name: string; shape: number[] }[] {
  return [
    { name: 'lstm.weight_ih_l0', shape: [4 * H, F] },
    { name: 'lstm.weight_hh_l0', shape: [4 * H, H] },
    { name: 'lstm.bias_ih_l0', shape: [4 * H] },
    { name: 'lstm.bias_hh_l0', shape: [4 * H] },
    { name: 'fc.weight', shape: [K, H] },
    { name: 'fc.bias', shape: [K] },
  ];
}

/** Parses a PyTorch-format LSTM; a ModelFormatError names what is missing, misshapen or not finite. */
export function parsePytorchLstm(json: unknown): { spec: LstmSpec; weights: StateDict } {
  const parsed = LstmJson.safeParse(json);
  if (!parsed.success) throw new ModelFormatError(`not a PyTorch-format LSTM: ${z.prettifyError(parsed.error)}`);
  const { state_dict: raw, ...fields } = parsed.data;
  const spec = LstmSpecSchema.parse(fields);
  const weights: StateDict = new Map();
  for (const { name, shape } of expectedLstmWeights(spec)) {
    const w = raw[name];
    if (w === undefined) throw new ModelFormatError(`missing weight ${name}`);
    if (w.shape.join('x') !== shape.join('x') || w.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new ModelFormatError(`weight ${name} has shape [${w.shape.join(', ')}], the spec needs [${shape.join(', ')}]`);
    if (!w.data.every(Number.isFinite)) throw new ModelFormatError(`weight ${name} holds a non-finite value`);
    weights.set(name, { shape, data: Float32Array.from(w.data) });
  }
  return { spec, weights };
}

function matrix(weights: StateDict, name: string): tf.Tensor2D {
  const w = weights.get(name);
  if (w === undefined) throw new ModelFormatError(`missing weight ${name}`);
  // Kept as [in, out]: a matMul with a transposed operand is slow on wasm.
  return tf.tidy(() => tf.transpose(tf.tensor2d(w.data, [w.shape[0] ?? 0, w.shape[1] ?? 0])));
}

export class LstmNetwork {
  readonly #inputWeights: tf.Tensor2D;
  readonly #hiddenWeights: tf.Tensor2D;
  readonly #bias: tf.Tensor1D;
  readonly #fcWeight: tf.Tensor2D;
  readonly #fcBias: tf.Tensor1D;

  constructor(
    readonly spec: LstmSpec,
    weights: StateDict,
  ) {
    this.#inputWeights = matrix(weights, 'lstm.weight_ih_l0');
    this.#hiddenWeights = matrix(weights, 'lstm.weight_hh_l0');
    const bias = (name: string) => weights.get(name)?.data ?? new Float32Array(4 * spec.hidden);
    this.#bias = tf.tensor1d(Float32Array.from(bias('lstm.bias_ih_l0'), (v, i) => v + (bias('lstm.bias_hh_l0')[i] ?? 0)));
    this.#fcWeight = matrix(weights, 'fc.weight');
    this.#fcBias = tf.tensor1d(weights.get('fc.bias')?.data ?? new Float32Array(spec.num_classes));
  }

  /** Class logits of x [B, T, F]. */
  logits(x: tf.Tensor3D): tf.Tensor2D {
    const [batch, T, F] = x.shape;
    const H = this.spec.hidden;
    // Every step's input projection at once: [B·T, F] × [F, 4H].
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * T, F]), this.#inputWeights), this.#bias), [batch, T, 4 * H]);
    let h: tf.Tensor2D = tf.zeros([batch, H]);
    let c: tf.Tensor2D = tf.zeros([batch, H]);
    for (let t = 0; t < T; t++) {
      const gates = tf.add(
        tf.reshape(tf.slice(projected, [0, t, 0], [batch, 1, 4 * H]), [batch, 4 * H]),
        tf.matMul(h, this.#hiddenWeights),
      );
      const [i, f, g, o] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
    }
    return tf.add(tf.matMul(h, this.#fcWeight), this.#fcBias);
  }

  /** ∂logit_class/∂x · x for every window of x [B, T, F], [B, T, F] flat. */
  gradientTimesInput(x: tf.Tensor3D, target: number): Float32Array {
    const product = tf.tidy(() => {
      const mask = tf.oneHot(tf.fill([x.shape[0]], target, 'int32'), this.spec.num_classes);
      return tf.mul(tf.grad((input) => tf.sum(tf.mul(this.logits(input as tf.Tensor3D), mask)))(x), x);
    });
    try {
      return product.dataSync() as Float32Array;
    } finally {
      product.dispose();
    }
  }

  dispose(): void {
    tf.dispose([this.#inputWeights, this.#hiddenWeights, this.#bias, this.#fcWeight, this.#fcBias]);
  }
}
