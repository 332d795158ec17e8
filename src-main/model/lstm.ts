/**
 * A one-layer LSTM over a window, on tfjs, in PyTorch's layout: batch-first inputs [batch, time,
 * features]; `weight_ih_l0` [4H, F] and `weight_hh_l0` [4H, H] stack the gates in PyTorch's order
 * (input, forget, cell, output) and the two biases are added; the logits come from one dense layer on
 * the last step's hidden state. The golden format (../shared/golden/lstm) is also its in-memory form.
 * The LSTM branch is explained by gradient × input per step.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkWeights, lstmLayerWeights, ModelFormatError, type StateDict } from './spec';

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
  return [...lstmLayerWeights(F, H), { name: 'fc.weight', shape: [classes, H] }, { name: 'fc.bias', shape: [classes] }];
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
  checkWeights(expectedLstmWeights(spec), weights);
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

/** One step's gates (after their activations) and cell state, [B, H] each: what the backward pass reads. */
interface LstmStep {
  input: tf.Tensor2D;
  forget: tf.Tensor2D;
  cell: tf.Tensor2D;
  output: tf.Tensor2D;
  state: tf.Tensor2D;
  tanhState: tf.Tensor2D;
}

/**
 * The cell's maths over inputs x [B, T, F], every step first to last, from h₀ = c₀ = 0:
 * `inputWeight` [F, 4H] and `hiddenWeight` [H, 4H] are PyTorch's weights transposed, `bias` [4H]
 * the sum of its two biases. Made of ops every backend differentiates, so autodiff trains it.
 */
function lstmSteps(x: tf.Tensor3D, inputWeight: tf.Tensor2D, hiddenWeight: tf.Tensor2D, bias: tf.Tensor1D): LstmStep[] {
  const [batch, time, features] = x.shape;
  const H = hiddenWeight.shape[0];
  // Every step's input projection in one matMul over [B·T, F], before the recurrence.
  const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [batch * time, features]), inputWeight), bias), [batch, time, 4 * H]);
  const steps: LstmStep[] = [];
  for (let t = 0; t < time; t++) {
    const fromInput = tf.reshape<tf.Rank.R2>(tf.slice(projected, [0, t, 0], [batch, 1, 4 * H]), [batch, 4 * H]);
    const previous = steps.at(-1);
    // h₀ = c₀ = 0: the first step has no recurrent or forget term.
    const z: tf.Tensor2D =
      previous === undefined
        ? fromInput
        : tf.add<tf.Tensor2D>(fromInput, tf.matMul(tf.mul(previous.output, previous.tanhState), hiddenWeight));
    const [i, f, g, o] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const step = { input: tf.sigmoid(i), forget: tf.sigmoid(f), cell: tf.tanh(g), output: tf.sigmoid(o) };
    const written: tf.Tensor2D = tf.mul(step.input, step.cell);
    const state: tf.Tensor2D = previous === undefined ? written : tf.add(tf.mul(step.forget, previous.state), written);
    steps.push({ ...step, state, tanhState: tf.tanh(state) });
  }
  return steps;
}

/** The last step's hidden state h_T = o_T · tanh(c_T), [B, H]. */
function lastHidden(steps: readonly LstmStep[]): tf.Tensor2D {
  const last = steps.at(-1);
  if (last === undefined) throw new RangeError('the LSTM needs at least one step');
  return tf.mul(last.output, last.tanhState);
}

/**
 * A cnn-lstm's LSTM branch (../spec's `lstm`): the same cell over inputs [B, T, F], giving the last
 * hidden state [B, H] the heads read beside the pooled conv trunk. Trainable: its weights are then
 * variables (both biases, as PyTorch trains them) that `writeStateDict` writes back in PyTorch's layout.
 */
export class LstmBranch {
  /** [F, 4H] and [H, 4H]: PyTorch's weights transposed (a matMul with a transposed operand is slow on wasm). */
  readonly #inputWeight: tf.Variable<tf.Rank.R2> | tf.Tensor2D;
  readonly #hiddenWeight: tf.Variable<tf.Rank.R2> | tf.Tensor2D;
  readonly #biases: (tf.Variable<tf.Rank.R1> | tf.Tensor1D)[];

  /** `weights` are checked by the network's spec (../spec's expectedWeights) before. */
  constructor(weights: StateDict, trainable: boolean) {
    const keep = <T extends tf.Tensor>(t: T): T => (trainable ? (tf.variable(t) as unknown as T) : t);
    const transposed = (name: string) => {
      const w = weights.get(name);
      if (w === undefined) throw new ModelFormatError(`missing weight ${name}`);
      return keep(tf.tidy(() => tf.transpose(tf.tensor2d(w.data, [w.shape[0] ?? 0, w.shape[1] ?? 0]))));
    };
    this.#inputWeight = transposed('lstm.weight_ih_l0');
    this.#hiddenWeight = transposed('lstm.weight_hh_l0');
    this.#biases = ['lstm.bias_ih_l0', 'lstm.bias_hh_l0'].map((name) => keep(tf.tensor1d(weight(weights, name))));
  }

  /** The last hidden state of inputs [B, T, F], [B, H]. */
  hidden(x: tf.Tensor3D): tf.Tensor2D {
    const [biasIh, biasHh] = this.#biases as [tf.Tensor1D, tf.Tensor1D];
    return lastHidden(lstmSteps(x, this.#inputWeight, this.#hiddenWeight, tf.add(biasIh, biasHh)));
  }

  get variables(): tf.Variable[] {
    const weights: tf.Tensor[] = [this.#inputWeight, this.#hiddenWeight, ...this.#biases];
    return weights.filter((t): t is tf.Variable => t instanceof tf.Variable);
  }

  /** Its weights in PyTorch's names and layout, into `weights`. */
  writeStateDict(weights: StateDict): void {
    const rows = (t: tf.Tensor2D) => ({ shape: [t.shape[1], t.shape[0]], data: tf.tidy(() => tf.transpose(t).dataSync() as Float32Array) });
    weights.set('lstm.weight_ih_l0', rows(this.#inputWeight));
    weights.set('lstm.weight_hh_l0', rows(this.#hiddenWeight));
    ['lstm.bias_ih_l0', 'lstm.bias_hh_l0'].forEach((name, i) => {
      const bias = this.#biases[i] as tf.Tensor1D;
      weights.set(name, { shape: [...bias.shape], data: Float32Array.from(bias.dataSync()) });
    });
  }

  dispose(): void {
    tf.dispose([this.#inputWeight, this.#hiddenWeight, ...this.#biases]);
  }
}

/**
 * Inference network. Weights are kept transposed ([in, out]) for the forward pass, since a matMul with a
 * transposed operand is slow on wasm, and as PyTorch has them for the backward pass of gradient ×
 * input. The input projection of every step is one matMul over [B·T, F] before the recurrence.
 */
export class Lstm {
  readonly #inputWeight: tf.Tensor2D;
  readonly #hiddenWeight: tf.Tensor2D;
  readonly #inputWeightRows: tf.Tensor2D;
  readonly #hiddenWeightRows: tf.Tensor2D;
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
    this.#inputWeightRows = tf.tensor2d(weight(weights, 'lstm.weight_ih_l0'), [4 * H, F]);
    this.#hiddenWeightRows = tf.tensor2d(weight(weights, 'lstm.weight_hh_l0'), [4 * H, H]);
    this.#inputWeight = tf.transpose(this.#inputWeightRows);
    this.#hiddenWeight = tf.transpose(this.#hiddenWeightRows);
    this.#fcWeight = tf.tidy(() => tf.transpose(tf.tensor2d(weight(weights, 'fc.weight'), [classes, H])));
    this.#bias = tf.tensor1d(Float32Array.from(biasIh, (b, i) => b + (biasHh[i] ?? 0)));
    this.#fcBias = tf.tensor1d(weight(weights, 'fc.bias'));
  }

  /** Every step of inputs [B, T, F], first to last. */
  #steps(x: tf.Tensor3D): LstmStep[] {
    const [, time, features] = x.shape;
    if (time !== this.spec.sequence_length || features !== this.spec.input_features)
      throw new RangeError(`the LSTM reads [B, ${this.spec.sequence_length}, ${this.spec.input_features}], got [${x.shape.join(', ')}]`);
    return lstmSteps(x, this.#inputWeight, this.#hiddenWeight, this.#bias);
  }

  /** Logits [B, classes] of inputs [B, T, F]; differentiable by tfjs autodiff. */
  logits(x: tf.Tensor3D): tf.Tensor2D {
    return tf.add(tf.matMul(lastHidden(this.#steps(x)), this.#fcWeight), this.#fcBias);
  }

  /** Logits of a flat batch-first batch [B·T·F], flat [B·classes]. */
  predictLogits(inputs: Float32Array, batch: number): Float32Array {
    return tf.tidy(() => this.logits(this.#batch(inputs, batch)).dataSync() as Float32Array);
  }

  /**
   * Gradient × input of the `target` logit per step and feature, ∂logit/∂x · x, flat [B·T·F] in the
   * inputs' order. Backpropagation through time written out (a few ops per step, against autodiff's
   * tape of several times as many, which made one window's explanation over 10× its forward pass): from
   * ∂logit/∂h_T, the target's row of the dense layer, back to each step's gate pre-activations
   * ∂z_t, then ∂x_t = ∂z_t · W_ih for every step in one matMul.
   */
  gradientTimesInput(inputs: Float32Array, batch: number, target: number): Float32Array {
    const { sequence_length: T, input_features: F, hidden: H, num_classes: classes } = this.spec;
    if (!Number.isInteger(target) || target < 0 || target >= classes)
      throw new RangeError(`target ${target} is not a class of this LSTM (0…${classes - 1})`);
    return tf.tidy(() => {
      const x = this.#batch(inputs, batch);
      const steps = this.#steps(x);
      const sigmoidSlope = (s: tf.Tensor2D) => tf.mul(s, tf.sub(1, s));
      // [1, H], broadcast over the batch until the first recurrent step makes it [B, H].
      let dh: tf.Tensor2D = tf.reshape(tf.slice(this.#fcWeight, [0, target], [H, 1]), [1, H]);
      let dStateLater: tf.Tensor2D | undefined;
      const dz: tf.Tensor2D[] = [];
      for (let t = T - 1; t >= 0; t--) {
        const { input, forget, cell, output, tanhState } = steps[t] as LstmStep;
        const fromH: tf.Tensor2D = tf.mul(tf.mul(dh, output), tf.sub(1, tf.square(tanhState)));
        const dState = dStateLater === undefined ? fromH : tf.add<tf.Tensor2D>(fromH, dStateLater);
        const before = steps[t - 1]?.state;
        const gates = [
          tf.mul(tf.mul(dState, cell), sigmoidSlope(input)),
          before === undefined ? tf.zerosLike(forget) : tf.mul(tf.mul(dState, before), sigmoidSlope(forget)),
          tf.mul(tf.mul(dState, input), tf.sub(1, tf.square(cell))),
          tf.mul(tf.mul(dh, tanhState), sigmoidSlope(output)),
        ];
        // Every gate's term holds a [B, H] factor, so the broadcast dh ends here.
        const dzT = tf.concat(gates, 1) as tf.Tensor2D;
        dz[t] = dzT;
        dh = tf.matMul(dzT, this.#hiddenWeightRows);
        dStateLater = tf.mul<tf.Tensor2D>(dState, forget);
      }
      const dx = tf.matMul(tf.reshape(tf.stack(dz, 1), [batch * T, 4 * H]), this.#inputWeightRows);
      return tf.mul(tf.reshape(dx, [batch, T, F]), x).dataSync() as Float32Array;
    });
  }

  #batch(inputs: Float32Array, batch: number): tf.Tensor3D {
    const { sequence_length: T, input_features: F } = this.spec;
    if (inputs.length !== batch * T * F)
      throw new RangeError(`${batch} windows of [${T}, ${F}] take ${batch * T * F} values, got ${inputs.length}`);
    return tf.tensor3d(inputs, [batch, T, F]);
  }

  dispose(): void {
    tf.dispose([
      this.#inputWeight,
      this.#hiddenWeight,
      this.#inputWeightRows,
      this.#hiddenWeightRows,
      this.#bias,
      this.#fcWeight,
      this.#fcBias,
    ]);
  }
}
