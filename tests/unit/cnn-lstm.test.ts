import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { Candle } from '../../src-shared/domain/market';
import { explainBatch } from '../../src-main/explain/explainer';
import { renderChartImage } from '../../src-main/features/chart-image';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { createNetwork, MODEL_KIND_TABLE } from '../../src-main/model/kinds';
import { CNN_LSTM_GEOMETRY } from '../../src-main/model/kinds/cnn-lstm';
import { importedModel } from '../../src-main/model/kinds/import';
import { Lstm } from '../../src-main/model/lstm';
import { initialWeights } from '../../src-main/model/network';
import { ARCHITECTURES, parsePytorchModel, type ModelSpec, type StateDict } from '../../src-main/model/spec';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { openDatabase } from '../../src-main/store/database';
import { ModelRegistry } from '../../src-main/store/models';
import { ModelWorker } from '../../src-main/worker/client';
import { trainedTwiceAlike } from '../reproducible-training';
import { runCli, SHARED_DATA, tempDir } from '../helpers';

const KIND = MODEL_KIND_TABLE['cnn-lstm'];
const MINUTE = 60_000;
const HEADS = {
  direction: { loss_weight: 1 },
  volatility: { loss_weight: 1, loss: 'qlike' as const },
  var: { loss_weight: 1, quantiles: [0.01, 0.05], scale: 1, per_volatility: false },
  sharp: { loss_weight: 1, k: 2 },
};

function candle(time: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return { time: time * MINUTE, open, high, low, close, volume, confirmed: true };
}

/** A small cnn-lstm: T candles, one block of 3 filters, 5 hidden units, the given heads. */
function smallSpec(T: number, heads?: ModelSpec['heads']): ModelSpec {
  return KIND.trainingPipeline(
    {
      sequence_length: T,
      num_classes: 3,
      convs: [{ filters: 3, kernel_size: 3, padding: 1 }],
      batchnorm_eps: 1e-5,
      lstm: { hidden: 5 },
      heads,
    },
    { features: DEFAULT_FEATURE_SPEC },
  ).spec;
}

/** Seeded weights with batch-norm statistics away from the identity, so folding them is exercised. */
function weightsOf(spec: ModelSpec, seed: number): StateDict {
  const weights = initialWeights(spec, seed);
  const set = (name: string, values: number[]) => {
    const w = weights.get(name);
    if (w !== undefined) w.data = Float32Array.from(values);
  };
  set('bns.0.running_mean', [0.1, -0.2, 0.05]);
  set('bns.0.running_var', [0.5, 2, 1.5]);
  set('bns.0.weight', [1.2, 0.7, -0.9]);
  set('bns.0.bias', [0.1, 0, -0.3]);
  return weights;
}

/** The golden format of PyTorch's side: the spec's fields (its kind as the architecture's name) beside the state dict. */
function pytorchJson(spec: ModelSpec, weights: StateDict): Record<string, unknown> {
  return {
    architecture: ARCHITECTURES[spec.kind ?? 'financial-cnn'],
    ...Object.fromEntries(Object.entries(spec).filter(([field]) => field !== 'kind')),
    state_dict: Object.fromEntries([...weights].map(([name, w]) => [name, { shape: w.shape, data: Array.from(w.data) }])),
  };
}

const WINDOW = [
  candle(0, 100, 101, 99, 100, 10),
  candle(1, 100, 102, 99.5, 101, 20),
  candle(2, 101, 101.5, 98, 99, 40),
  candle(3, 99, 100, 98.5, 99.5, 5),
];

describe('the cnn-lstm encoding', () => {
  it('is the chart image of the window, then one percent log return of the close per candle', () => {
    const spec = smallSpec(3);
    const pipeline = { spec, features: null, normalization: null };
    expect(KIND.window(pipeline)).toEqual({ windowLength: 3, historyLength: 4, channels: ['chart', 'close_lstm'] });
    const input = KIND.encode(pipeline, WINDOW, MINUTE);
    const cells = 64 * 9;
    expect(CNN_LSTM_GEOMETRY.positions(spec)).toBe(cells + 3);
    expect(input).toHaveLength(cells + 3);
    expect(Array.from(input.subarray(0, cells))).toEqual(Array.from(renderChartImage(WINDOW.slice(1)).pixels));
    const steps = Array.from(input.subarray(cells));
    [101 / 100, 99 / 101, 99.5 / 99].forEach((ratio, t) => expect(steps[t]).toBeCloseTo(100 * Math.log(ratio), 5));
    // The run encoder writes the same numbers.
    const out = new Float32Array(cells + 3);
    KIND.runEncoder(pipeline, WINDOW, MINUTE)(3, out, 0);
    expect(out).toEqual(input);
    expect(() => KIND.encode(pipeline, WINDOW.slice(1), MINUTE)).toThrow(/needs 4 candles/);
  });
});

describe('the cnn-lstm network', () => {
  it('is the image trunk pooled beside the LSTM’s last hidden state, read by the heads; the volatility anchor reads the LSTM steps', async () => {
    await useBackend(['cpu']);
    const spec = smallSpec(3, { direction: HEADS.direction, volatility: HEADS.volatility });
    expect(spec.heads?.volatility?.anchor).toEqual({ channel: 0, mean: 0, std: 0.01 });
    const weights = weightsOf(spec, 3);
    expect(weights.get('fc.weight')?.shape).toEqual([3, 3 + 5]);
    const pipeline = { spec, features: null, normalization: null };
    const input = KIND.encode(pipeline, WINDOW, MINUTE);
    const cells = 64 * 9;
    const model = createNetwork(spec, weights);
    const outputs = tf.tidy(() => model.outputs(tf.tensor3d(input, [1, cells + 3, 1])).dataSync());

    // The reference: the image-cnn's trunk of the same conv weights, and lstm.ts's Lstm whose dense layer is the identity (logits = h).
    const imageSpec = { ...spec, kind: 'image-cnn' as const, lstm: undefined, heads: undefined };
    const imageWeights: StateDict = new Map([...weights].filter(([name]) => name.startsWith('convs.') || name.startsWith('bns.')));
    imageWeights.set('fc.weight', { shape: [3, 3], data: new Float32Array(9) });
    imageWeights.set('fc.bias', { shape: [3], data: new Float32Array(3) });
    const trunk = createNetwork(imageSpec, imageWeights);
    const maps = Array.from(tf.tidy(() => trunk.activation(tf.tensor3d(input.subarray(0, cells), [1, cells, 1]), 0).dataSync()));
    trunk.dispose();
    const pooled = [0, 1, 2].map((k) => maps.filter((_, i) => i % 3 === k).reduce((a, b) => a + b, 0) / cells);
    const lstmWeights: StateDict = new Map([...weights].filter(([name]) => name.startsWith('lstm.')));
    lstmWeights.set('fc.weight', { shape: [5, 5], data: Float32Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? 1 : 0)) });
    lstmWeights.set('fc.bias', { shape: [5], data: new Float32Array(5) });
    const lstm = new Lstm({ sequence_length: 3, input_features: 1, hidden: 5, num_classes: 5 }, lstmWeights);
    const hidden = Array.from(lstm.predictLogits(input.subarray(cells), 1));
    const features = [...pooled, ...hidden];
    const dense = (name: string, row: number) => {
      const w = weights.get(`${name}.weight`);
      const b = weights.get(`${name}.bias`);
      return features.reduce((sum, f, i) => sum + f * (w?.data[row * features.length + i] ?? NaN), b?.data[row] ?? NaN);
    };
    [0, 1, 2].forEach((c) => expect(outputs[c]).toBeCloseTo(dense('fc', c), 5));
    const returns = Array.from(input.subarray(cells), (r) => r / 100);
    const anchor = 0.5 * Math.log(returns.reduce((a, r) => a + r * r, 0) / 3 + 1e-12);
    expect(outputs[3]).toBeCloseTo(dense('heads.volatility', 0) + anchor, 4);

    // Explained: a CAM over the chart decoded onto the 3 candles; gradient × input as the chart's per
    // column block and the LSTM's per step, the latter what lstm.ts's hand-written BPTT gives of the
    // same LSTM under the direction layer's LSTM columns.
    const [e] = explainBatch(model, input, 1, { method: 'gradcam', attribution: true });
    if (e === undefined) throw new Error('no explanation');
    expect(e.cam).toHaveLength(3);
    expect(e.inputCam).toHaveLength(cells + 3);
    expect(e.inputCam.slice(cells)).toEqual([0, 0, 0]);
    expect(e.attribution).toHaveLength(2);
    expect(e.attributionByStep).toHaveLength(3);
    const fc = weights.get('fc.weight')?.data ?? new Float32Array();
    lstmWeights.set('fc.weight', {
      shape: [3, 5],
      data: Float32Array.from({ length: 15 }, (_, i) => fc[Math.floor(i / 5) * 8 + 3 + (i % 5)] ?? NaN),
    });
    lstmWeights.set('fc.bias', { shape: [3], data: new Float32Array(3) });
    const byHand = new Lstm({ sequence_length: 3, input_features: 1, hidden: 5, num_classes: 3 }, lstmWeights);
    const perStep = byHand.gradientTimesInput(input.subarray(cells), 1, e.predicted);
    e.attributionByStep.forEach(([, step], t) => expect(step).toBeCloseTo(perStep[t] ?? NaN, 6));
    expect(e.attribution[1]).toBeCloseTo(
      Array.from(perStep).reduce((a, b) => a + b, 0),
      6,
    );
    expect(e.attribution[0]).toBeCloseTo(
      e.attributionByStep.reduce((a, [chart]) => a + (chart ?? NaN), 0),
      5,
    );
    // Every CAM method of the table, at every block, on every head: a map over the chart onto the 3 candles.
    for (const method of ['gradcam', 'gradcampp', 'scorecam', 'layercam'] as const)
      for (const head of ['direction', 'volatility'] as const) {
        const [other] = explainBatch(model, input, 1, { method, head, layer: 0 });
        expect(other?.cam, `${method} ${head}`).toHaveLength(3);
        expect(other?.inputCam.slice(cells), `${method} ${head}`).toEqual([0, 0, 0]);
      }
    lstm.dispose();
    byHand.dispose();
    model.dispose();
  });

  it('blanks a candle as its column block of the chart and its LSTM step', () => {
    const window = Float32Array.from({ length: 64 * 6 + 2 }, () => 1);
    const blanked = CNN_LSTM_GEOMETRY.blankCandles(window, 1, 2, [1]);
    expect(blanked.filter((v) => v === 0)).toHaveLength(64 * 3 + 1);
    expect(Array.from(blanked.subarray(64 * 6))).toEqual([1, 0]);
    expect(Array.from(blanked.subarray(6, 12))).toEqual([1, 1, 1, 0, 0, 0]);
  });
});

const candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8').split('\n').slice(0, 701).join('\n'), '1');

describe('training a cnn-lstm', () => {
  it('trains every head on wasm reproducibly; the saved model explains a window onto its candles, and round-trips through import-model', async () => {
    await useBackend(['wasm']);
    const loaded = await trainedTwiceAlike(
      {
        source: 'bybit_ETHUSDT_1m.csv (first 700)',
        interval: '1',
        kind: 'cnn-lstm',
        features: { ...DEFAULT_FEATURE_SPEC, windowLength: 8 },
        labels: DEFAULT_LABEL_SPEC,
        convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
        heads: HEADS,
        settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
        name: 'cnnlstm',
      },
      candles,
    );
    const { spec } = loaded.metadata;
    expect(loaded.metadata.architecture).toBe('CnnLSTM');
    expect(spec.heads?.volatility?.anchor).toEqual({ channel: 0, mean: 0, std: 0.01 });
    expect(loaded.weights.get('lstm.weight_ih_l0')?.shape).toEqual([4 * 32, 1]);
    expect(loaded.weights.get('fc.weight')?.shape).toEqual([3, 4 + 32]);
    expect(loaded.weights.get('heads.var.weight')?.shape).toEqual([2, 4 + 32]);
    // Every head and the LSTM moved from their seeded start.
    const start = initialWeights(spec, 42);
    for (const name of [
      'lstm.weight_hh_l0',
      'convs.0.weight',
      'fc.weight',
      'heads.volatility.weight',
      'heads.var.weight',
      'heads.sharp.weight',
    ])
      expect(loaded.weights.get(name)?.data, name).not.toEqual(start.get(name)?.data);

    const model = createNetwork(spec, loaded.weights);
    const history = candles.slice(100, 109);
    const result = explainWindow({ model, ...loaded.metadata }, { history, stepMs: MINUTE, method: 'gradcam', explainForecasts: true });
    model.dispose();
    expect(result.windowStarts).toEqual(candles.slice(101, 109).map((c) => c.time));
    expect(result.cam).toHaveLength(8);
    expect(result.attribution).toHaveLength(2);
    expect(result.attributionByCandle).toHaveLength(8);
    expect(result.attributionByCandle.every((row) => row.length === 2 && row.every(Number.isFinite))).toBe(true);
    expect(result.attributionByCandle.some(([, step]) => step !== 0)).toBe(true);
    expect(result.forecastExplanations?.map((f) => f.head)).toEqual(['volatility', 'var', 'sharp']);
    // Its own deletion test, its candles removed in candle space and the window encoded again.
    expect(result.deletion?.fraction).toBe(0.2);
    expect([result.deletion?.topDrop, result.deletion?.randomDrop].every(Number.isFinite)).toBe(true);

    // PyTorch's side: the trained state dict in the golden format, imported back as it was.
    const imported = importedModel(
      pytorchJson(spec, loaded.weights),
      { kind: 'cnn-lstm', interval: '1', windowLength: 8 },
      {
        name: 'back',
        source: 'test',
        now: 0,
      },
    );
    expect(imported.metadata.spec).toEqual(spec);
    expect(imported.metadata.architecture).toBe('CnnLSTM');
    for (const [name, w] of loaded.weights) expect(imported.weights.get(name)?.data, name).toEqual(w.data);
  }, 300_000);
});

describe('importing a cnn-lstm', () => {
  const spec = smallSpec(4, { direction: HEADS.direction });
  const json = () => pytorchJson(spec, weightsOf(spec, 5));
  const encoding = { kind: 'cnn-lstm', interval: '1', windowLength: 4 };
  const refused = (model: unknown, encodingJson: unknown) => () =>
    importedModel(model, encodingJson, { name: 'x', source: 'test', now: 0 });
  const withWeight = (name: string, value: { shape: number[]; data: number[] }) => {
    const model = json();
    (model.state_dict as Record<string, unknown>)[name] = value;
    return model;
  };

  it('parses every architecture name to its kind (an ImageCNN export was read as a FinancialCNN, and its 2-D weights refused)', () => {
    const imageSpec = { ...spec, kind: 'image-cnn' as const, lstm: undefined };
    const image = pytorchJson(imageSpec, initialWeights(imageSpec, 1));
    expect(parsePytorchModel(image).spec.kind).toBe('image-cnn');
    expect(parsePytorchModel(json()).spec.kind).toBe('cnn-lstm');
  });

  it('refuses mismatched shapes, a wrong spec and non-finite weights with a clear error', () => {
    expect(refused(withWeight('lstm.weight_hh_l0', { shape: [20, 4], data: new Array<number>(80).fill(0) }), encoding)).toThrow(
      /lstm\.weight_hh_l0 has shape \[20, 4\], the spec needs \[20, 5\]/,
    );
    const noLstm = json();
    delete noLstm.lstm;
    expect(refused(noLstm, encoding)).toThrow(/a cnn-lstm, and only it, has an "lstm" branch/);
    const missing = json();
    delete (missing.state_dict as Record<string, unknown>)['lstm.bias_hh_l0'];
    expect(refused(missing, encoding)).toThrow(/missing weight lstm\.bias_hh_l0/);
    expect(refused(json(), { ...encoding, kind: 'image-cnn' })).toThrow(/the spec is of a image-cnn, but the weights are a cnn-lstm/);
    expect(refused(json(), { ...encoding, windowLength: 5 })).toThrow(/read windows of 4 candles, the spec says 5/);
    expect(refused(json(), { ...encoding, series: ['close'] })).toThrow(/a cnn-lstm reads the chart of its window/);
    expect(refused(withWeight('lstm.bias_ih_l0', { shape: [20], data: [Infinity, ...new Array<number>(19).fill(0)] }), encoding)).toThrow(
      /weight lstm\.bias_ih_l0 holds a non-finite value/,
    );
  });

  it('registers nothing when refused; a good export is registered and scores candles in the model worker as live does', async () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const out = join(dir, 'models');
    const run = (model: unknown) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
      writeFileSync(join(dir, 'spec.json'), JSON.stringify(encoding));
      return runCli(
        ['import-model', '--pytorch', join(dir, 'model.json'), '--spec', join(dir, 'spec.json'), '--db', db, '--out', out],
        120_000,
      );
    };
    const registered = () => {
      const store = openDatabase(db);
      try {
        return new ModelRegistry(store).list().map((m) => m.version);
      } finally {
        store.close();
      }
    };
    const bad = run(withWeight('fc.weight', { shape: [3, 3], data: new Array<number>(9).fill(0) }));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/fc\.weight has shape \[3, 3\], the spec needs \[3, 8\]/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    expect(registered()).toEqual([]);
    const good = run(json());
    expect(good.stderr).toBe('');
    expect(good.status).toBe(0);
    const { version, dir: modelDir } = JSON.parse(good.stdout) as { version: string; dir: string };
    expect(registered()).toEqual([version]);
    const worker = new ModelWorker();
    try {
      await worker.init(['wasm', 'cpu']);
      const loaded = await worker.load(modelDir);
      expect(loaded.metadata.architecture).toBe('CnnLSTM');
      const scored = await worker.score(candles.slice(10, 15), MINUTE, 'gradcam');
      expect(scored.windowStarts).toEqual(candles.slice(11, 15).map((c) => c.time));
      expect(scored.cam).toHaveLength(4);
      expect(scored.attributionByCandle.map((row) => row.length)).toEqual([2, 2, 2, 2]);
      expect(scored.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    } finally {
      worker.close();
    }
  }, 180_000);
});
