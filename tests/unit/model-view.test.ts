/**
 * An image model's own view of a stored signal's window (the bridge's `signals.modelView`): the picture
 * its kind encodes, the 2-D CAM over its cells, and which candles each row and column relates to.
 * Real engine on a temporary store with the gaf-cnn golden imported; real networks for the other kinds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, bundledModelPath, type Engine } from '../../src-main/engine/engine';
import { cellsToSteps, gafImage } from '../../src-main/model/kinds/gaf-encoding';
import { chartMapToCandles, CHART_HEIGHT } from '../../src-main/features/chart-image';
import { normalizeCam } from '../../src-main/explain/cam';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { createNetwork } from '../../src-main/model/kinds';
import { importedModel } from '../../src-main/model/kinds/import';
import { loadModel, saveModel } from '../../src-main/model/model-file';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { modelView } from '../../src-main/scoring/model-view';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { ModelView } from '../../src-shared/domain/model-view';
import type { Signal } from '../../src-shared/domain/signal';
import { callEngine, ROOT, SHARED_GAF_GOLDEN, sharedCsvHead, tempDir } from '../helpers';

const key: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 120), '1');
const gafGolden = () => JSON.parse(readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8')) as unknown;
const GAF_ENCODING = { kind: 'gaf-cnn', interval: '1', windowLength: 32 };
let engine: Engine;
const call = <T>(name: string, payload: unknown) => callEngine<T>(engine, name, payload);

beforeAll(async () => {
  await useBackend(['wasm', 'cpu']);
  const dir = tempDir();
  const { metadata, weights } = importedModel(gafGolden(), GAF_ENCODING, { name: 'gaf', source: 'test', now: 0 });
  saveModel(join(dir, 'gaf'), metadata, weights);
  engine = createEngine({ storePath: join(dir, 'store.db'), seedSample: false, market: false, modelPath: join(dir, 'gaf') });
  engine.store.write(key, candles);
  await engine.model?.ready;
}, 120_000);

afterAll(() => engine.close());

describe('the model view of a stored gaf-cnn signal', () => {
  it('is the window GASF and GADF of its closes, with the 2-D CAM that decodes onto exactly the stored signal heatmap', async () => {
    const end = candles[80];
    if (end === undefined) throw new Error('too few candles');
    const signal = (await engine.scorer?.scoreCandle(key, end.time)) as Signal;
    const view = await call<ModelView>('signals.modelView', { id: signal.id });
    expect(view.kind).toBe('gaf-cnn');
    expect(view.method).toBe(signal.method);
    expect(view.layer).toBe(1);
    expect(view.windowStarts).toEqual(signal.windowStarts);
    const image = view.image;
    if (image === null) throw new Error('no image');
    expect([image.height, image.width, image.channels]).toEqual([32, 32, ['gasf_close', 'gadf_close']]);
    const closes = candles.slice(49, 81).map((c) => c.close);
    expect(image.pixels).toEqual(Array.from(gafImage([closes], 32)));
    // The very heatmap on the chart, and the cells' map decodes onto it (cell (i, j) to candles i and j).
    expect(view.cam).toEqual(signal.cam);
    expect(image.cam).toHaveLength(32 * 32);
    expect(normalizeCam(cellsToSteps(image.cam, 32))).toEqual(signal.cam);
    expect(image.rowCandles).toEqual(Array.from({ length: 32 }, (_, i) => [i]));
    expect(image.columnCandles).toEqual(image.rowCandles);
    expect(image.rowMarks).toEqual([]);
  }, 60_000);

  it('follows the method and layer asked for, as the re-explained signal does', async () => {
    const [signal] = await call<Signal[]>('signals.list', { ...key });
    if (signal === undefined) throw new Error('no stored signal');
    const view = await call<ModelView>('signals.modelView', { id: signal.id, method: 'scorecam', layer: 0 });
    const explained = await call<Signal>('signals.explain', { id: signal.id, method: 'scorecam', layer: 0 });
    expect([view.method, view.layer]).toEqual(['scorecam', 0]);
    expect(view.cam).toEqual(explained.cam);
    expect(view.cam).not.toEqual(signal.cam);
  }, 60_000);

  it('gives the same view of a window not stored (a replayed or forming candle), by its stream, candle, model and method', async () => {
    const [signal] = await call<Signal[]>('signals.list', { ...key });
    if (signal === undefined) throw new Error('no stored signal');
    const stored = await call<ModelView>('signals.modelView', { id: signal.id });
    const window = { ...key, candleStart: signal.candleStart, modelVersion: signal.modelVersion };
    expect(await call<ModelView>('signals.modelView', { window, method: signal.method })).toEqual(stored);
    // The candle still forming, scored as if it closed now, as its provisional signal was.
    const forming = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 121), '1')[120];
    if (forming === undefined) throw new Error('too few candles');
    engine.store.write(key, [{ ...forming, confirmed: false }]);
    const provisional = await engine.model?.explain(key, forming.time, 'gradcam', { forming: true });
    const view = await call<ModelView>('signals.modelView', {
      window: { ...window, candleStart: forming.time, forming: true },
      method: 'gradcam',
    });
    expect(view.cam).toEqual(provisional?.cam);
    await expect(call('signals.modelView', { window: { ...window, candleStart: forming.time }, method: 'gradcam' })).rejects.toThrow(
      /is not closed/,
    );
    await expect(call('signals.modelView', { id: signal.id, window, method: 'gradcam' })).rejects.toThrow(/id or a window, one of them/);
    await expect(call('signals.modelView', { method: 'gradcam' })).rejects.toThrow(/id or a window, one of them/);
    await expect(call('signals.modelView', { window })).rejects.toThrow(/a window not stored needs its method/);
  }, 60_000);

  it('refuses a signal that is not stored and a layer the model lacks, saying why', async () => {
    await expect(call('signals.modelView', { id: 999 })).rejects.toThrow(/no signal 999/);
    const [signal] = await call<Signal[]>('signals.list', { ...key });
    if (signal === undefined) throw new Error('no stored signal');
    await expect(call('signals.modelView', { id: signal.id, layer: 5 })).rejects.toThrow(/layer must be 0..1/);
  }, 60_000);
});

describe('the model view of other kinds', () => {
  it('an image-cnn: its chart, each block of three columns one candle, rows no candle; the CAM decodes onto the recipe heatmap', async () => {
    const job = TrainJobSchema.parse({
      source: 'test',
      interval: '1',
      kind: 'image-cnn',
      features: { ...DEFAULT_FEATURE_SPEC, windowLength: 8 },
      labels: DEFAULT_LABEL_SPEC,
      convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
      settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
      modelsDir: tempDir(),
      name: 'imagecnn',
    });
    const many = parseCandleCsv(sharedCsvHead('bybit_ETHUSDT_1m.csv', 400), '1');
    const loaded = loadModel((await trainAndSave(job, many)).dir);
    const model = createNetwork(loaded.metadata.spec, loaded.weights);
    try {
      const request = { history: many.slice(100, 109), stepMs: 60_000, method: 'gradcam' as const };
      const view = modelView({ model, ...loaded.metadata }, request);
      const image = view.image;
      if (image === null) throw new Error('no image');
      expect([image.height, image.width, image.channels]).toEqual([CHART_HEIGHT, 24, ['chart']]);
      expect(image.columnCandles).toEqual(Array.from({ length: 24 }, (_, c) => [Math.floor(c / 3)]));
      expect(image.rowCandles).toEqual(Array.from({ length: CHART_HEIGHT }, () => []));
      expect(image.pixels.every((p) => p === 0 || p === 1)).toBe(true);
      // Its rows are no candle: the top price row is the window's highest high, the last its lowest low, then the volume band.
      const window = many.slice(101, 109);
      expect(image.rowMarks).toEqual([
        { row: 0, price: Math.max(...window.map((c) => c.high)) },
        { row: 50, price: Math.min(...window.map((c) => c.low)) },
        { row: 58, text: 'volume' },
      ]);
      const recipe = explainWindow({ model, ...loaded.metadata }, request);
      expect(view.cam).toEqual(recipe.cam);
      expect(normalizeCam(chartMapToCandles(image.cam, CHART_HEIGHT, 8))).toEqual(recipe.cam);
    } finally {
      model.dispose();
    }
  }, 180_000);

  it('a cnn-lstm (trained in PyTorch): its picture is its chart, without its LSTM steps; the CAM decodes onto the recipe heatmap', () => {
    const dir = join(ROOT, 'tests', 'fixtures', 'pytorch', 'cnn-lstm');
    const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const { metadata, weights } = importedModel(read('model.json'), read('encoding.json'), { name: 'torch', source: dir, now: 0 });
    const model = createNetwork(metadata.spec, weights);
    try {
      const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');
      const request = { history: candles.slice(100, 121), stepMs: 60_000, method: 'gradcam' as const };
      const image = modelView({ model, ...metadata }, request).image;
      if (image === null) throw new Error('no image');
      expect([image.height, image.width, image.channels]).toEqual([CHART_HEIGHT, 60, ['chart']]);
      expect(image.pixels).toHaveLength(CHART_HEIGHT * 60);
      expect(image.cam).toHaveLength(CHART_HEIGHT * 60);
      // A cnn-lstm's candle takes the sum over its block of columns (its LSTM step's attribution adds to it), not the mean:
      // the same map up to a scale, which the normalization's ε would otherwise tell apart.
      const decoded = normalizeCam(chartMapToCandles(image.cam, CHART_HEIGHT, 20).map((mean) => mean * CHART_HEIGHT * 3));
      const recipe = explainWindow({ model, ...metadata }, request).cam;
      decoded.forEach((v, t) => expect(Math.abs(v - (recipe[t] ?? NaN))).toBeLessThan(1e-6));
    } finally {
      model.dispose();
    }
  });

  it('a model reading its candles along time has no picture, and says so', () => {
    const bundled = bundledModelPath();
    if (bundled === undefined) throw new Error('no bundled model in resources/models');
    const loaded = loadModel(bundled);
    const model = createNetwork(loaded.metadata.spec, loaded.weights);
    try {
      const many = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 400), '1');
      const view = modelView({ model, ...loaded.metadata }, { history: many.slice(0, 160), stepMs: 60_000, method: 'gradcam' });
      expect(view.image).toBeNull();
      expect(view.note).toMatch(/along time: it has no picture/);
    } finally {
      model.dispose();
    }
  });

  it('refuses a picture too large to carry, before any work', () => {
    const { metadata, weights } = importedModel(gafGolden(), GAF_ENCODING, { name: 'gaf', source: 'test', now: 0 });
    // The golden's weights fit any window length (global average pooling): a 200-candle field is 40,000 cells.
    const model = createNetwork({ ...metadata.spec, sequence_length: 200 }, weights);
    try {
      expect(() => modelView({ model, ...metadata }, { history: [], stepMs: 60_000, method: 'gradcam' })).toThrow(
        /200 × 200 cells of 2 channels; the view shows at most 16384 cells/,
      );
    } finally {
      model.dispose();
    }
  });
});
