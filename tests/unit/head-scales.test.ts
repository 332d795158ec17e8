import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictOutputs } from '../../src-main/explain/explainer';
import { useBackend } from '../../src-main/model/backend';
import { headForecasts, headSlot, type HeadsSpecValue } from '../../src-main/model/heads';
import { FinancialCnn, initialWeights } from '../../src-main/model/network';
import { seededRandom } from '../../src-main/model/random';
import { ModelSpecSchema, type ModelSpec, type StateDict } from '../../src-main/model/spec';
import { qlikeLoss } from '../../src-main/training/losses';
import { fittedHeads, startAtLabelLevels, type TrainData } from '../../src-main/training/train';

const T = 30;
const C = 9;
const N = 400;
const random = seededRandom(3);
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Training labels at real scales: H-candle log returns of about 0.3 %, log volatilities about −6, one sharp move in 20. */
const data: TrainData = {
  inputs: Float32Array.from({ length: N * T * C }, gaussian),
  labels: Int32Array.from({ length: N }, (_, i) => i % 3),
  forwardReturn: Float32Array.from({ length: N }, () => 0.003 * gaussian()),
  logVolatility: Float32Array.from({ length: N }, () => -6 + 0.3 * gaussian()),
  sharp: Float32Array.from({ length: N }, (_, i) => (i % 20 === 0 ? 1 : 0)),
};

function empiricalQuantile(values: Float32Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
}

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;

function specWith(heads: Record<string, unknown>): ModelSpec {
  return ModelSpecSchema.parse({
    input_channels: C,
    sequence_length: T,
    num_classes: 3,
    convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
    heads,
  });
}

/** The initial weights with every forecast head's dense weights at 0: its output is then its bias alone (and its anchor). */
function startingWeights(spec: ModelSpec): StateDict {
  const weights = initialWeights(spec, 1);
  for (const [name, w] of weights) if (name.startsWith('heads.') && name.endsWith('.weight')) w.data.fill(0);
  startAtLabelLevels(spec, weights, data);
  return weights;
}

/** Each window's output row. */
function outputRows(spec: ModelSpec, weights: StateDict): Float32Array[] {
  const model = new FinancialCnn(spec, weights);
  try {
    const width = predictOutputs(model, data.inputs.subarray(0, T * C), 1).length;
    const outputs = predictOutputs(model, data.inputs, N);
    return Array.from({ length: N }, (_, n) => outputs.subarray(n * width, (n + 1) * width));
  } finally {
    model.dispose();
  }
}

const HEADS: HeadsSpecValue = {
  direction: { loss_weight: 1 },
  volatility: { loss_weight: 1, loss: 'qlike' },
  var: { loss_weight: 1, quantiles: [0.01, 0.05], scale: 1, per_volatility: false },
  sharp: { loss_weight: 1, k: 2 },
};

const WITHOUT_VOLATILITY: HeadsSpecValue = { direction: HEADS.direction, var: HEADS.var, sharp: HEADS.sharp };

describe('the forecast heads at the start of training', () => {
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('start at their training labels: the VaR quantiles at the empirical ones (the 1% started softplus’s 0.69 below the 5%), the volatility at its mean, the sharp move at its base rate', () => {
    const q01 = empiricalQuantile(data.forwardReturn as Float32Array, 0.01);
    const q05 = empiricalQuantile(data.forwardReturn as Float32Array, 0.05);
    // The VaR head alone, in units of the returns' spread, and beside the volatility head, in units of its forecast.
    for (const heads of [WITHOUT_VOLATILITY, HEADS]) {
      const spec = fittedHeads(specWith(heads), data, undefined);
      expect(spec.heads?.var?.per_volatility).toBe(heads.volatility !== undefined);
      const [row] = outputRows(spec, startingWeights(spec));
      const forecasts = headForecasts(spec, row ?? []);
      expect(forecasts.var01).toBeCloseTo(q01, 6);
      expect(forecasts.var05).toBeCloseTo(q05, 6);
      if (heads.volatility !== undefined) expect(Math.log(forecasts.volatility ?? NaN)).toBeCloseTo(mean(data.logVolatility ?? []), 4);
      expect(forecasts.sharpMove).toBeCloseTo(0.05, 4);
    }
  });

  it('anchor the volatility head on the window’s trailing realized volatility, ½·log mean r², r the de-normalized return channel', () => {
    const anchor = { channel: 3, mean: 0.0001, std: 0.002 };
    const spec = fittedHeads(specWith(HEADS), data, anchor);
    expect(spec.heads?.volatility?.anchor).toEqual(anchor);
    const weights = startingWeights(spec);
    const bias = weights.get('heads.volatility.bias')?.data[0] ?? NaN;
    const column = headSlot(spec, 'volatility').offset;
    const rows = outputRows(spec, weights);
    rows.forEach((row, n) => {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += ((data.inputs[(n * T + t) * C + anchor.channel] ?? 0) * anchor.std + anchor.mean) ** 2;
      expect(row[column]).toBeCloseTo(bias + 0.5 * Math.log(sum / T), 4);
    });
    // The bias puts the forecasts over the training windows at the labels' mean; each VaR quantile is per that forecast.
    expect(mean(rows.map((row) => row[column] ?? NaN))).toBeCloseTo(mean(data.logVolatility ?? []), 4);
    const varColumn = headSlot(spec, 'var').offset;
    const ratios = rows.map((row) => (row[varColumn] ?? NaN) / Math.exp(row[column] ?? NaN));
    expect(Math.max(...ratios) - Math.min(...ratios)).toBeLessThan(1e-4);
  });

  it('refuses a VaR head per volatility without the volatility head, and an anchor on a channel the input lacks', () => {
    expect(() => specWith({ ...WITHOUT_VOLATILITY, var: { quantiles: [0.01], per_volatility: true } })).toThrow(
      /per_volatility\) needs the volatility head/,
    );
    expect(() => specWith({ ...HEADS, volatility: { anchor: { channel: C, mean: 0, std: 1 } } })).toThrow(
      /the volatility head's anchor must name one of the input channels/,
    );
  });

  it('leaves a direction-only spec as it is', () => {
    const spec = ModelSpecSchema.parse({
      input_channels: C,
      sequence_length: T,
      num_classes: 3,
      convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
    });
    expect(fittedHeads(spec, data, { channel: 3, mean: 0, std: 1 })).toBe(spec);
  });
});

describe('the volatility loss', () => {
  it('is QLIKE of the variance it gives, e^(2e) − 2e − 1 in the log error e', async () => {
    await useBackend(['cpu']);
    const errors = [0.5, -0.5, 0, 2];
    const byHand = errors.map((e) => Math.exp(2 * e) - 2 * e - 1);
    const loss = tf.tidy(() => qlikeLoss(tf.tensor1d(errors)).dataSync()[0]);
    expect(loss).toBeCloseTo(mean(byHand), 5);
    // An over-forecast costs less than an under-forecast by as much: QLIKE's asymmetry.
    expect(byHand[0]).toBeGreaterThan(byHand[1] ?? Infinity);
  });
});
