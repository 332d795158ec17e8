/**
 * A one-layer LSTM over a window, on tfjs, in PyTorch's layout: batch-first inputs [batch, time,
 * features]; `weight_ih_l0` [4H, F] and `weight_hh_l0` [4H, H] stack the gates in PyTorch's order
 * (input, forget, cell, output) and the two biases are added; the logits come from one dense layer on
 * the last step's hidden state. The golden format (../shared/golden/lstm) is also its in-memory form.
 * The LSTM branch is explained by gradient × input per step.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ModelFormatError, type StateDict } from './spec';

export const LstmSpecSchema = z.object({
  sequence_length: z.number().int().min(1).max(10_000),
  input_features: z.number().int().min(1).max(256),
  hidden: z.number().int().min(1).max(4096),
  num_classes: z.number().int().min(2).max(64),
});
export type LstmSpec = z.output<typeof LstmSpecSchema>;

/** PyTorch's gate order inside the stacked weights: block k of H rows is gate GATES[k]. */
export const GATES = ['input', 'forget', 'cell', 'output'] as const;

/** Every weight of the spec, with its PyTorch name and shape. */
export function expectedLstmWeights(spec: LstmSpec): { name: string; shape: number[] }[] {
  const { input_features: F, hidden: H, num_classes: classes } = spec;
  return [
    { name: 'lstm.weight_ih_l0', shape: [4 * H, F] },
    { name: 'lstm.weight_hh_l0', shape: [4 * H, H] },
    { name: 'lstm.bias_ih_l0', shape: [4 * H] },
    { name: 'lstm.bias_hh_l0', shape: [4 * H] },
    { name: 'fc.weight', shape: [classes, H] },
    { name: 'fc.bias', shape: [classes] },
  ];
}

const TensorJson = z.object({ shape: z.array(z.number().int().nonnegative()), data: z.array(z.number()) });

/** The golden / PyTorch export of the LSTM: the spec's fields beside a state_dict. */
export const PytorchLstmJson = LstmSpecSchema.extend({
  architecture: z.literal('LSTM'),
  layout: z.string().optional(),
  state_dict: z.record(z.string(), TensorJson),
});

/** Names, shapes and finite values of `weights` against the spec; throws ModelFormatError on any mismatch. */
export function checkLstmWeights(spec: LstmSpec, weights: StateDict): void {
  const expected = expectedLstmWeights(spec);
  for (const { name, shape } of expected) {
    const w = weights.get(name);
    if (w === undefined) throw new ModelFormatError(`missing weight ${name}`);
    if (w.shape.join('x') !== shape.join('x'))
      throw new ModelFormatError(`weight ${name} has shape [${w.shape.join(', ')}], the spec needs [${shape.join(', ')}]`);
    if (w.data.length !== shape.reduce((a, b) => a * b, 1))
      throw new ModelFormatError(`weight ${name} has ${w.data.length} values for shape [${shape.join(', ')}]`);
    if (!w.data.every(Number.isFinite)) throw new ModelFormatError(`weight ${name} holds a non-finite value`);
  }
  const extra = [...weights.keys()].filter((k) => !expected.some((e) => e.name === k));
  if (extra.length > 0) throw new ModelFormatError(`unexpected weights: ${extra.slice(0, 5).join(', ')}`);
}

/** Parses a PyTorch-format LSTM (the golden README's format); throws ModelFormatError on any mismatch. */
export function parsePytorchLstm(json: unknown): { spec: LstmSpec; weights: StateDict } {
  const parsed = PytorchLstmJson.safeParse(json);
  if (!parsed.success) throw new ModelFormatError(`not an LSTM model file: ${z.prettifyError(parsed.error)}`);
  if (parsed.data.layout !== undefined && !parsed.data.layout.startsWith('batch_first'))
    throw new ModelFormatError(`unsupported layout "${parsed.data.layout}": the LSTM reads batch-first inputs [T, F]`);
  const spec = LstmSpecSchema.parse(parsed.data);
  const weights: StateDict = new Map(
    Object.entries(parsed.data.state_dict).map(([name, t]) => [name, { shape: t.shape, data: Float32Array.from(t.data) }]),
  );
  checkLstmWeights(spec, weights);
  return { spec, weights };
}

function weight(weights: StateDict, name: string): Float32Array {
  const w = weights.get(name);
  if (w === undefined) throw new ModelFormatError(`missing weight ${name}`);
  return w.data;
}

/**
 * Inference network. Weights are kept transposed ([in, out]): a matMul with a transposed operand is
 * slow on wasm. The input projection of every step is one matMul over [B·T, F] before the recurrence.
 */
export class Lstm {
  readonly #inputWeight: tf.Tensor2D;
  readonly #hiddenWeight: tf.Tensor2D;
  readonly #bias: tf.Tensor1D;
  readonly #fcWeight: tf.Tensor2D;
  readonly #fcBias: tf.Tensor1D;

  constructor(
    readonly spec: LstmSpec,
    weights: StateDict,
  ) {
    checkLstmWeights(spec, weights);
    const { input_features: F, hidden: H, num_classes: classes } = spec;
    const biasIh = weight(weights, 'lstm.bias_ih_l0');
    const biasHh = weight(weights, 'lstm.bias_hh_l0');
    [this.#inputWeight, this.#hiddenWeight, this.#fcWeight] = tf.tidy(() => [
      tf.transpose(tf.tensor2d(weight(weights, 'lstm.weight_ih_l0'), [4 * H, F])),
      tf.transpose(tf.tensor2d(weight(weights, 'lstm.weight_hh_l0'), [4 * H, H])),
      tf.transpose(tf.tensor2d(weight(weights, 'fc.weight'), [classes, H])),
    ]);
    this.#bias = tf.tensor1d(Float32Array.from(biasIh, (b, i) => b + (biasHh[i] ?? 0)));
    this.#fcBias = tf.tensor1d(weight(weights, 'fc.bias'));
  }

  /** Logits [B, classes] of inputs [B, T, F]. */
  logits(x: tf.Tensor3D): tf.Tensor2D {
    const [batch, time, features] = x.shape;
    const H = this.spec.hidden;
    if (time !== this.spec.sequence_length || features !== this.spec.input_features)
      throw new RangeError(`the LSTM reads [B, ${this.spec.sequence_length}, ${this.spec.input_features}], got [${x.shape.join(', ')}]`);
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * time, features]), this.#inputWeight), this.#bias), [
      batch,
      time,
      4 * H,
    ]);
    // h₀ = c₀ = 0: the first step has no recurrent or forget term.
    let h: tf.Tensor2D | undefined;
    let c: tf.Tensor2D | undefined;
    for (let t = 0; t < time; t++) {
      const fromInput = tf.reshape<tf.Rank.R2>(tf.slice(projected, [0, t, 0], [batch, 1, 4 * H]), [batch, 4 * H]);
      const z: tf.Tensor2D = h === undefined ? fromInput : tf.add<tf.Tensor2D>(fromInput, tf.matMul(h, this.#hiddenWeight));
      const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const written: tf.Tensor2D = tf.mul(tf.sigmoid(i), tf.tanh(g));
      const cell: tf.Tensor2D = c === undefined ? written : tf.add(tf.mul(tf.sigmoid(f), c), written);
      h = tf.mul<tf.Tensor2D>(tf.sigmoid(o), tf.tanh(cell));
      c = cell;
    }
    if (h === undefined) throw new RangeError('the LSTM needs at least one step');
    return tf.add(tf.matMul(h, this.#fcWeight), this.#fcBias);
  }

  /** Logits of a flat batch-first batch [B·T·F], flat [B·classes]. */
  predictLogits(inputs: Float32Array, batch: number): Float32Array {
    return tf.tidy(() => this.logits(this.#batch(inputs, batch)).dataSync() as Float32Array);
  }

  /**
   * Gradient × input of the `target` logit per step and feature, ∂logit/∂x · x, flat [B·T·F] in the
   * inputs' order. The windows of a batch are independent, so one gradient of the batch's summed
   * logit gives each window's own.
   */
  gradientTimesInput(inputs: Float32Array, batch: number, target: number): Float32Array {
    if (!Number.isInteger(target) || target < 0 || target >= this.spec.num_classes)
      throw new RangeError(`target ${target} is not a class of this LSTM (0…${this.spec.num_classes - 1})`);
    return tf.tidy(() => {
      const x = this.#batch(inputs, batch);
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.slice(this.logits(input as tf.Tensor3D), [0, target], [batch, 1])))(x);
      return tf.mul(gradient, x).dataSync() as Float32Array;
    });
  }

  #batch(inputs: Float32Array, batch: number): tf.Tensor3D {
    const { sequence_length: T, input_features: F } = this.spec;
    if (inputs.length !== batch * T * F)
      throw new RangeError(`${batch} windows of [${T}, ${F}] take ${batch * T * F} values, got ${inputs.length}`);
    return tf.tensor3d(inputs, [batch, T, F]);
  }

  dispose(): void {
    tf.dispose([this.#inputWeight, this.#hiddenWeight, this.#bias, this.#fcWeight, this.#fcBias]);
  }
}
