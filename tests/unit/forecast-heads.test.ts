import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC, type FeatureSpec, type Normalization } from '../../src-shared/domain/feature-spec';
import { EvaluationReportSchema, type EvaluationReport } from '../../src-shared/domain/evaluation';
import type { Candle } from '../../src-shared/domain/market';
import { CAM_METHODS } from '../../src-shared/domain/signal';
import { parseHeads } from '../../src-main/cli/model-args';
import { explainBatch, NonFiniteOutputError, predictLogits } from '../../src-main/explain/explainer';
import { buildDataset } from '../../src-main/features/dataset';
import { forecastLabels, HorizonError, MIN_REALIZED_VARIANCE } from '../../src-main/features/forecast-labels';
import { historyLength, windowFeatures } from '../../src-main/features/windows';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { headForecasts, headLayout, MissingHeadError } from '../../src-main/model/heads';
import { loadModel, type LoadedModel } from '../../src-main/model/model-file';
import { FinancialCnn, initialWeights, TrainableCnn, type HeadOutputs } from '../../src-main/model/network';
import { ModelSpecSchema, parsePytorchModel, type StateDict } from '../../src-main/model/spec';
import { orderedQuantiles } from '../../src-main/model/var-order';
import { explainWindow, type ScoringModel } from '../../src-main/scoring/explained-window';
import { TrainJobSchema } from '../../src-main/training/job';
import { logisticLoss, multiTaskLoss, pinballLoss } from '../../src-main/training/losses';
import { trainAndSave } from '../../src-main/training/pipeline';
import { ModelWorker } from '../../src-main/worker/client';
import { SHARED_DATA, SHARED_GOLDEN, tempDir } from '../helpers';

const MINUTE = 60_000;
const candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8').split('\n').slice(0, 1201).join('\n'), '1');

function flat(closes: number[]): Candle[] {
  return closes.map((close, i) => ({ time: i * MINUTE, open: close, high: close, low: close, close, volume: 1, confirmed: true }));
}

const ALL_HEADS = {
  direction: { loss_weight: 1 },
  volatility: { loss_weight: 0.5 },
  var: { loss_weight: 1, quantiles: [0.01, 0.05] },
  sharp: { loss_weight: 1, k: 2 },
};

/** A tiny model with every head and few epochs: the point is the plumbing, not the skill. */
function multiHeadJob(modelsDir: string, horizon = DEFAULT_LABEL_SPEC.horizon) {
  return TrainJobSchema.parse({
    source: 'bybit_ETHUSDT_1m.csv (first 1200)',
    interval: '1',
    features: { ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 },
    labels: { ...DEFAULT_LABEL_SPEC, horizon },
    convs: [
      { filters: 8, kernel_size: 3, padding: 1 },
      { filters: 8, kernel_size: 3, padding: 1 },
    ],
    heads: ALL_HEADS,
    settings: { epochs: 3, batchSize: 64, stride: 2, patience: 2 },
    modelsDir,
  });
}

describe('forecast labels', () => {
  // Window: candles 1..3 (one candle before it for its first return); H = 2 reads candles 4 and 5.
  const series = flat([100, 101, 100, 101, 103, 99]);

  it('computes the log volatility, the H-candle return and the sharp move by hand', () => {
    const labels = forecastLabels(series, 3, 3, 2, 2);
    const r1 = Math.log(103 / 101);
    const r2 = Math.log(99 / 103);
    expect(labels.volatility.value).toBeCloseTo(0.5 * Math.log(r1 * r1 + r2 * r2), 12);
    expect(labels.var.value).toBeCloseTo(Math.log(99 / 101), 12);
    // Window returns a, −a, a (a = log 1.01): mean a/3, population σ = √(8/9)·a.
    const sigma = Math.sqrt(8 / 9) * Math.log(1.01);
    expect(Math.abs(Math.log(99 / 101))).toBeLessThan(2 * sigma * Math.SQRT2);
    expect(labels.sharp.value).toBe(0);
    expect(Math.abs(Math.log(99 / 101))).toBeGreaterThan(1 * sigma * Math.SQRT2);
    expect(forecastLabels(series, 3, 3, 2, 1).sharp.value).toBe(1);
    for (const label of Object.values(labels)) expect([label.from, label.to]).toEqual([4 * MINUTE, 5 * MINUTE]);
  });

  it('floors the realized variance of a flat stretch instead of giving −∞', () => {
    const labels = forecastLabels(flat([100, 101, 100, 101, 101, 101]), 3, 3, 2, 2);
    expect(labels.volatility.value).toBeCloseTo(0.5 * Math.log(MIN_REALIZED_VARIANCE), 12);
    expect(labels.var.value).toBe(0);
  });

  it('refuses a horizon longer than the data with a clear error', () => {
    expect(() => forecastLabels(series, 3, 3, 3, 2)).toThrow(HorizonError);
    expect(() => forecastLabels(series, 3, 3, 3, 2)).toThrow(
      /horizon of 3 candles runs past the data: the window ending at index 3 has 2 candles after it/,
    );
    const features = { ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 };
    expect(() => buildDataset(candles, MINUTE, features, { ...DEFAULT_LABEL_SPEC, horizon: 1200 }, 1, { sharpK: 2 })).toThrow(
      /horizon of 1200 candles is longer than the data allows: a window needs 70 candles and its labels 1200 more, but the longest unbroken run has 1200/,
    );
  });
});

describe('heads in the spec', () => {
  it('lays the heads out in one output row and reads forecasts from it', () => {
    const spec = ModelSpecSchema.parse({
      input_channels: 9,
      sequence_length: 30,
      num_classes: 3,
      convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
      heads: ALL_HEADS,
    });
    expect(headLayout(spec)).toEqual([
      { name: 'direction', offset: 0, size: 3 },
      { name: 'volatility', offset: 3, size: 1 },
      { name: 'var', offset: 4, size: 2 },
      { name: 'sharp', offset: 6, size: 1 },
    ]);
    expect(headForecasts(spec, [1, 2, 3, Math.log(0.01), -0.03, -0.02, 0])).toEqual({
      volatility: expect.closeTo(0.01, 15) as number,
      var: [
        { quantile: 0.01, logReturn: -0.03 },
        { quantile: 0.05, logReturn: -0.02 },
      ],
      var01: -0.03,
      var05: -0.02,
      sharpMove: 0.5,
    });
    // No heads: direction only, as every model before them.
    expect(headLayout({ ...spec, heads: undefined })).toEqual([{ name: 'direction', offset: 0, size: 3 }]);
  });

  it('refuses a VaR quantile outside (0, 0.5) with a clear error, in a spec and on the command line', () => {
    const base = { input_channels: 9, sequence_length: 30, num_classes: 3, convs: [{ filters: 8, kernel_size: 3, padding: 1 }] };
    for (const quantile of [0, 0.5, 0.7, -0.01]) {
      const parsed = ModelSpecSchema.safeParse({ ...base, heads: { var: { quantiles: [quantile] } } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/a VaR quantile must lie strictly between 0 and 0.5/);
    }
    expect(() => parseHeads({ heads: 'direction,var', 'var-quantiles': '0.01,0.6' })).toThrow(/strictly between 0 and 0.5/);
    expect(() => parseHeads({ heads: 'direction,storm' })).toThrow(/--heads takes direction, volatility, var, sharp/);
    expect(() => parseHeads({ heads: 'direction', 'sharp-k': '3' })).toThrow(/--sharp-k needs the sharp head/);
    expect(() => parseHeads({ heads: 'direction,var', 'loss-weights': 'sharp=2' })).toThrow(/names a head not in --heads/);
    expect(parseHeads({})).toBeUndefined();
    expect(parseHeads({ heads: 'direction,sharp', 'sharp-k': '3', 'loss-weights': 'sharp=0.5' })).toEqual({
      direction: { loss_weight: 1 },
      sharp: { loss_weight: 0.5, k: 3 },
    });
  });

  it('computes the pinball and logistic losses by hand', async () => {
    await useBackend(['cpu']);
    const loss = (f: () => tf.Scalar) => tf.tidy(f).dataSync()[0];
    const predictions = () => tf.tensor2d([[-0.02, -0.01]]);
    // y above both quantiles: q·e; e = 0.03, 0.02.
    expect(loss(() => pinballLoss(predictions(), tf.tensor1d([0.01]), [0.01, 0.05]))).toBeCloseTo((0.01 * 0.03 + 0.05 * 0.02) / 2, 7);
    // y below both: (1 − q)·|e|; e = −0.03, −0.04.
    expect(loss(() => pinballLoss(predictions(), tf.tensor1d([-0.05]), [0.01, 0.05]))).toBeCloseTo((0.99 * 0.03 + 0.95 * 0.04) / 2, 7);
    expect(loss(() => logisticLoss(tf.tensor1d([0, 2]), tf.tensor1d([1, 0])))).toBeCloseTo(
      (Math.log(2) + Math.log(1 + Math.exp(2))) / 2,
      6,
    );
  });
});

describe.each(['wasm', 'cpu'] as const)('the multi-task loss on %s', (backend) => {
  it('is differentiated through our conv1d and batch-norm gradient rules as tfjs autodiff does through stock ops on cpu', async () => {
    await useBackend([backend]);
    const spec = ModelSpecSchema.parse({
      input_channels: 4,
      sequence_length: 12,
      num_classes: 3,
      convs: [
        { filters: 8, kernel_size: 3, padding: 1 },
        { filters: 6, kernel_size: 5, padding: 2 },
      ],
      heads: ALL_HEADS,
    });
    const [B, T, C] = [6, 12, 4];
    const x = tf.randomNormal([B, T, C], 0, 1, 'float32', 21) as tf.Tensor3D;
    const targets = {
      labels: tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'),
      logVolatility: tf.randomNormal([B], -5, 0.5, 'float32', 22) as tf.Tensor1D,
      forwardReturn: tf.randomNormal([B], 0, 0.01, 'float32', 23) as tf.Tensor1D,
      sharp: tf.tensor1d([0, 1, 0, 0, 1, 0]),
    };
    const scales = { classWeights: tf.tensor1d([1, 2, 0.5]), volatility: 0.7, forwardReturn: 0.02 };
    const net = new TrainableCnn(spec, initialWeights(spec, 5));
    const { grads } = tf.variableGrads(() => multiTaskLoss(spec, net.trainOutputs(x, []), targets, scales), net.variables);
    const ours = net.variables.map((v) => Array.from(grads[v.name]?.dataSync() ?? []));
    const values = net.variables.map((v) => tf.tensor(v.dataSync(), v.shape));
    await useBackend(['cpu']);
    const stock = (...parameters: tf.Tensor[]) => {
      let out: tf.Tensor3D = x;
      spec.convs.forEach((conv, i) => {
        const [filter, bias, gamma, beta] = parameters.slice(4 * i, 4 * i + 4) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const input = tf.reshape(out, [B, 1, T, out.shape[2]]) as tf.Tensor4D;
        const y = tf.reshape(tf.add(tf.conv2d(input, filter, 1, 'same'), bias), [B, T, conv.filters]) as tf.Tensor3D;
        const { mean, variance } = tf.moments(y, [0, 1]);
        out = tf.relu(tf.batchNorm(y, mean, variance, beta, gamma, spec.batchnorm_eps)) as tf.Tensor3D;
      });
      const pooled = tf.mean(out, 1);
      const heads = headLayout(spec).map(({ name }, j) => {
        const [weight, bias] = parameters.slice(4 * spec.convs.length + 2 * j) as [tf.Tensor2D, tf.Tensor1D];
        const linear = tf.add<tf.Tensor2D>(tf.matMul(pooled, weight, false, true), bias);
        // The VaR quantiles are ordered by construction, in the reference as in the model.
        return [name, name === 'var' ? orderedQuantiles(linear, spec.heads?.var?.quantiles ?? []) : linear];
      });
      return multiTaskLoss(spec, Object.fromEntries(heads) as HeadOutputs, targets, scales);
    };
    const reference = tf
      .grads(stock)(values)
      .map((g) => Array.from(g.dataSync()));
    const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));
    reference.forEach((r, i) => {
      expect(r.some((v) => v !== 0)).toBe(true);
      expect(worst(ours[i] ?? [], r), `gradient of ${net.variables[i]?.name}`).toBeLessThan(1e-3);
    });
    net.dispose();
  });
});

describe('importing heads in the golden format', () => {
  const golden = JSON.parse(readFileSync(join(SHARED_GOLDEN, 'model.json'), 'utf8')) as Record<string, unknown> & {
    state_dict: Record<string, { shape: number[]; data: number[] }>;
  };
  const sharpWeights = { shape: [1, 128], data: Array.from({ length: 128 }, (_, i) => ((i % 7) - 3) / 100) };

  it('refuses a head the spec asks for that the weights lack', () => {
    expect(() => parsePytorchModel({ ...golden, heads: { direction: {}, volatility: {} } })).toThrow(
      /the spec asks for the volatility head, but the weights lack heads.volatility.weight/,
    );
    // Weights of a head the spec does not name are refused too.
    expect(() =>
      parsePytorchModel({
        ...golden,
        state_dict: { ...golden.state_dict, 'heads.sharp.weight': sharpWeights, 'heads.sharp.bias': { shape: [1], data: [0] } },
      }),
    ).toThrow(/unexpected weights: heads.sharp.weight/);
  });

  it('loads any subset of heads: a sharp-move model without the direction head explains its one output', async () => {
    await useBackend(['wasm', 'cpu']);
    const trunk = Object.fromEntries(Object.entries(golden.state_dict).filter(([name]) => !name.startsWith('fc.')));
    const { spec, weights } = parsePytorchModel({
      ...golden,
      heads: { sharp: {} },
      state_dict: { ...trunk, 'heads.sharp.weight': sharpWeights, 'heads.sharp.bias': { shape: [1], data: [0.1] } },
    });
    const model = new FinancialCnn(spec, weights);
    try {
      const inputs = Float32Array.from({ length: 60 * 5 }, (_, i) => Math.sin(i / 7));
      const [e] = explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true });
      expect(e?.head).toBe('sharp');
      expect(e?.outputs.length).toBe(1);
      expect(e?.logits).toEqual([]);
      expect(e?.predicted).toBe(-1);
      expect(e?.forecasts.sharpMove).toBeGreaterThan(0);
      expect(e?.forecasts.sharpMove).toBeLessThan(1);
      expect(e?.attribution.length).toBe(5);
      expect(() => explainBatch(model, inputs, 1, { method: 'gradcam', head: 'direction' })).toThrow(MissingHeadError);
      expect(() => explainBatch(model, inputs, 1, { method: 'gradcam', head: 'volatility' })).toThrow(
        /the model has no volatility head \(it has: sharp\)/,
      );
      expect(() => predictLogits(model, inputs, 1)).toThrow(/no direction head/);
    } finally {
      model.dispose();
    }
  });
});

describe('a model with every head', () => {
  let dir = '';
  let loaded: LoadedModel;
  let scoring: ScoringModel & { features: FeatureSpec; normalization: Normalization };
  let report: EvaluationReport;
  const needed = historyLength({ ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 });
  const ends = [200, 420, 640, 860, 1080];
  const historyAt = (end: number) => candles.slice(end + 1 - needed, end + 1);

  beforeAll(async () => {
    await useBackend(['wasm']);
    const root = tempDir();
    const first = await trainAndSave(multiHeadJob(join(root, 'a')), candles);
    const second = await trainAndSave(multiHeadJob(join(root, 'b')), candles);
    // Same data and seed → same weights → same version, bit for bit.
    expect(second.metadata.version).toBe(first.metadata.version);
    dir = first.dir;
    report = first.report;
    loaded = loadModel(dir);
    const { features, normalization } = loaded.metadata;
    if (features === null || normalization === null) throw new Error('no feature pipeline');
    scoring = { model: new FinancialCnn(loaded.metadata.spec, loaded.weights), features, normalization };
  });
  afterAll(() => scoring.model.dispose());

  it('trains reproducibly on wasm and saves every head', () => {
    // Training anchors the volatility head on the close-to-close return channel and puts the VaR in its units.
    expect(loaded.metadata.spec.heads).toMatchObject({ ...ALL_HEADS, var: { ...ALL_HEADS.var, scale: 1, per_volatility: true } });
    expect(loaded.metadata.spec.heads?.volatility?.anchor).toEqual({
      channel: 3,
      mean: loaded.metadata.normalization?.mean[3],
      std: loaded.metadata.normalization?.std[3],
    });
    for (const name of ['fc.weight', 'heads.volatility.weight', 'heads.var.weight', 'heads.var.bias', 'heads.sharp.bias'])
      expect(loaded.weights.has(name)).toBe(true);
    expect(loaded.weights.get('heads.var.weight')?.shape).toEqual([2, 8]);
    const history = loaded.metadata.training?.history as { trainLoss: number; validationLoss: number }[];
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((h) => Number.isFinite(h.trainLoss) && Number.isFinite(h.validationLoss))).toBe(true);
  });

  it('reports every forecast head against its baselines on the test period, in a report the schema parses', () => {
    const parsed = EvaluationReportSchema.parse(JSON.parse(JSON.stringify(report)));
    const risk = parsed.risk;
    if (risk === undefined) throw new Error('the evaluation report has no risk section');
    // The risk report judges the same test windows as the direction report, after the training period.
    expect(risk.test.windows).toBe(report.windows);
    expect(risk.test).toMatchObject({ from: report.period?.from, to: report.period?.to });
    expect(risk.training.to).toBeLessThan(risk.test.from);
    expect(risk.volatility?.model?.qlike).toEqual(expect.any(Number));
    expect(risk.volatility?.baselines.map((b) => b.name)).toHaveLength(4);
    expect(risk.volatility?.baselines.every((b) => b.dieboldMariano !== undefined)).toBe(true);
    expect(risk.var?.map((v) => v.quantile)).toEqual([0.01, 0.05]);
    expect(risk.var?.every((v) => v.model !== undefined)).toBe(true);
    expect(risk.sharpMove?.k).toBe(2);
    expect(risk.sharpMove?.trailingWindow).toBe(30);
    expect(risk.sharpMove?.model?.auc.value).toEqual(expect.any(Number));
    expect(new Set(risk.verdicts.map((v) => v.head))).toEqual(new Set(['volatility', 'var', 'sharpMove']));
  });

  it('keeps the VaR quantiles ordered whatever the weights: the 1% never above the 5%', () => {
    const { features, normalization } = scoring;
    // Raw outputs that cross: 2 for the 1% quantile, −1 for the 5% one.
    const weights: StateDict = new Map(
      [...loaded.weights].map(([key, w]) => {
        if (key === 'heads.var.weight') return [key, { shape: w.shape, data: new Float32Array(w.data.length) }];
        if (key === 'heads.var.bias') return [key, { shape: w.shape, data: Float32Array.of(2, -1) }];
        return [key, w];
      }),
    );
    const crossed = new FinancialCnn(loaded.metadata.spec, weights);
    try {
      const { forecasts } = explainWindow(
        { model: crossed, features, normalization },
        { history: historyAt(640), stepMs: MINUTE, method: 'gradcam' },
      );
      // In units of the volatility forecast (per_volatility): the 5% is −1 of it, the 1% that minus softplus(2).
      const volatility = forecasts.volatility ?? NaN;
      expect(forecasts.var05).toBeCloseTo(-1 * volatility, 6);
      expect(forecasts.var01).toBeCloseTo((-1 - Math.log1p(Math.exp(2))) * volatility, 6);
    } finally {
      crossed.dispose();
    }
    // Levels in any order, raw outputs of any sign: each lower level's quantile lies below the next higher one's.
    const levels = [0.05, 0.01, 0.025];
    const raw = tf.tensor2d([3, -2, 5, -4, 1, 0, 0.5, 0.5, -7], [3, 3]);
    const ordered = tf.tidy(() => orderedQuantiles(raw, levels).arraySync());
    raw.dispose();
    for (const [q05, q01, q025] of ordered as [number, number, number][]) {
      expect(q025).toBeLessThan(q05);
      expect(q01).toBeLessThan(q025);
    }
    expect(ordered.map((row) => row[0])).toEqual([3, -4, 0.5]);
  });

  it('trains reproducibly on cpu too', async () => {
    await useBackend(['cpu']);
    try {
      const root = tempDir();
      const job = { ...multiHeadJob(join(root, 'a')), settings: { ...multiHeadJob('').settings, epochs: 1 } };
      const first = await trainAndSave(job, candles);
      const second = await trainAndSave({ ...job, modelsDir: join(root, 'b') }, candles);
      expect(second.metadata.version).toBe(first.metadata.version);
    } finally {
      await useBackend(['wasm']);
    }
  });

  it('forecasts every head through the window recipe', () => {
    for (const end of ends) {
      const result = explainWindow(scoring, { history: historyAt(end), stepMs: MINUTE, method: 'gradcam' });
      const { volatility, var01, var05, sharpMove } = result.forecasts;
      expect(result.head).toBe('direction');
      expect(volatility).toBeGreaterThan(0);
      expect(volatility).toBeLessThan(1);
      // Two quantiles fitted apart may cross in a model this small; each is a finite log return.
      expect(Math.abs(var01 ?? NaN)).toBeLessThan(1);
      expect(Math.abs(var05 ?? NaN)).toBeLessThan(1);
      expect(sharpMove).toBeGreaterThan(0);
      expect(sharpMove).toBeLessThan(1);
      expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it.each(CAM_METHODS)('%s of the volatility head is finite, normalized and not the direction CAM', (method) => {
    let differs = false;
    for (const end of ends) {
      const request = { history: historyAt(end), stepMs: MINUTE, method };
      const volatility = explainWindow(scoring, { ...request, head: 'volatility' });
      const direction = explainWindow(scoring, request);
      expect(volatility.head).toBe('volatility');
      expect(volatility.cam.length).toBe(30);
      expect(volatility.cam.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      expect(volatility.attribution.length).toBe(9);
      expect(volatility.attribution.every(Number.isFinite)).toBe(true);
      if (volatility.cam.some((v, t) => Math.abs(v - (direction.cam[t] ?? NaN)) > 1e-6)) differs = true;
      expect(volatility.attribution).not.toEqual(direction.attribution);
    }
    expect(differs).toBe(true);
  });

  it("takes the gradient of the chosen head's output: Grad-CAM of the volatility head by hand, and every head's attribution", () => {
    const { model, features, normalization } = scoring;
    const inputs = windowFeatures(historyAt(640), features, MINUTE, normalization);
    const last = model.layerCount - 1;
    const A = tf.tidy(() => model.activation(tf.tensor3d(inputs, [1, 30, 9]), last)).dataSync();
    const w = loaded.weights.get('heads.volatility.weight')?.data ?? new Float32Array();
    // vol = mean_t(A)·w + b, so ∂vol/∂A[t,k] = w_k / T: Grad-CAM's α_k = w_k / T.
    const byHand = Array.from({ length: 30 }, (_, t) =>
      Math.max(
        0,
        w.reduce((sum, wk, k) => sum + (wk / 30) * (A[t * 8 + k] ?? 0), 0),
      ),
    );
    const [e] = explainBatch(model, inputs, 1, { method: 'gradcam', head: 'volatility' });
    e?.camRaw.forEach((v, t) => expect(v).toBeCloseTo(byHand[t] ?? NaN, 6));
    const attributions = [
      explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true, head: 'direction', target: 0 }),
      explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true, head: 'volatility' }),
      explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true, head: 'var', target: 0 }),
      explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true, head: 'var', target: 1 }),
      explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true, head: 'sharp' }),
    ].map(([x]) => x?.attribution ?? []);
    for (const a of attributions) expect(a.length === 9 && a.every(Number.isFinite)).toBe(true);
    expect(new Set(attributions.map((a) => a.join())).size).toBe(attributions.length);
    expect(() => explainBatch(model, inputs, 1, { method: 'gradcam', head: 'var', target: 2 })).toThrow(
      /target output of the var head must be 0..1, got 2/,
    );
  });

  it('refuses non-finite forecasts and outputs on every path', () => {
    const { features, normalization } = scoring;
    const withWeight = (name: string, value: number): StateDict =>
      new Map(
        [...loaded.weights].map(([key, w]) => [
          key,
          key === name ? { shape: w.shape, data: new Float32Array(w.data.length).fill(value) } : w,
        ]),
      );
    const request = { history: historyAt(640), stepMs: MINUTE, method: 'gradcam' as const };
    // A finite output whose forecast overflows: e^1000 (with the VaR per volatility, its outputs would overflow too).
    const { spec } = loaded.metadata;
    const varApart = { ...spec, heads: { ...spec.heads, var: { ...ALL_HEADS.var, scale: 1, per_volatility: false } } };
    const stormy = new FinancialCnn(varApart, withWeight('heads.volatility.bias', 1000));
    // Outputs that overflow float32 in one forecast head while the direction logits stay finite.
    const overflowing = new FinancialCnn(loaded.metadata.spec, withWeight('heads.var.weight', 3e38));
    try {
      expect(() => explainWindow({ model: stormy, features, normalization }, request)).toThrow(NonFiniteOutputError);
      expect(() => explainWindow({ model: stormy, features, normalization }, request)).toThrow(/forecasts holds Infinity/);
      // A refused window leaves no tensor behind (the live worker refuses it on every candle).
      const tensors = tf.memory().numTensors;
      expect(() => explainWindow({ model: overflowing, features, normalization }, { ...request, method: 'scorecam' })).toThrow(
        NonFiniteOutputError,
      );
      expect(tf.memory().numTensors).toBe(tensors);
      expect(() => explainWindow({ model: overflowing, features, normalization }, request)).toThrow(
        /the model's output is not finite \(outputs/,
      );
      const inputs = windowFeatures(historyAt(640), features, MINUTE, normalization);
      expect(() => predictLogits(overflowing, inputs, 1)).toThrow(NonFiniteOutputError);
    } finally {
      stormy.dispose();
      overflowing.dispose();
    }
  });

  it("is scored by the model worker with every head's forecast and the head asked for", async () => {
    const worker = new ModelWorker();
    try {
      await worker.init(['wasm', 'cpu']);
      await worker.load(dir);
      const result = await worker.score(historyAt(640), MINUTE, 'gradcam', { head: 'var', target: 1 });
      expect(result.head).toBe('var');
      expect(result.target).toBe(1);
      expect(Object.keys(result.forecasts).sort()).toEqual(['sharpMove', 'var', 'var01', 'var05', 'volatility']);
      await expect(worker.score(historyAt(640), MINUTE, 'gradcam', { head: 'var', target: 5 })).rejects.toThrow(/must be 0..1/);
    } finally {
      await worker.close();
    }
  });
});
