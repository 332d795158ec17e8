import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FEATURE_CHANNELS } from '../../src-shared/domain/feature-spec';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { importedModel } from '../../src-main/model/kinds/import';
import { openDatabase } from '../../src-main/store/database';
import { ModelRegistry } from '../../src-main/store/models';
import { ModelWorker } from '../../src-main/worker/client';
import { createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import type { CallResponse } from '../../src-shared/contract/bridge';
import { callEngine, runCli, SHARED_GAF_GOLDEN, SHARED_GOLDEN, sharedCsvHead, tempDir } from '../helpers';

const gafJson = () => JSON.parse(readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8')) as Record<string, unknown>;
const cnnJson = () => JSON.parse(readFileSync(join(SHARED_GOLDEN, 'model.json'), 'utf8')) as Record<string, unknown>;
const GAF_SPEC = { kind: 'gaf-cnn', interval: '1', windowLength: 32 };
const CNN_SPEC = {
  kind: 'financial-cnn',
  interval: '1',
  windowLength: 60,
  features: { channels: FEATURE_CHANNELS.slice(0, 5), windowLength: 60, warmup: 100 },
  normalization: { mean: [0, 0, 0, 0, 0], std: [1e-3, 1e-3, 1e-3, 1e-3, 1] },
};
const options = { name: 'pytorch', source: 'test', now: 0 };

const worker = new ModelWorker();
afterAll(() => worker.close());

function importCli(model: unknown, spec: unknown): { status: number; stdout: string; stderr: string; db: string; out: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.json'), typeof model === 'string' ? model : JSON.stringify(model));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const db = join(dir, 'store.db');
  const out = join(dir, 'models');
  const args = ['import-model', '--pytorch', join(dir, 'model.json'), '--spec', join(dir, 'spec.json'), '--db', db, '--out', out];
  return { ...runCli(args, 120_000), db, out };
}

function registered(db: string): string[] {
  const store = openDatabase(db);
  try {
    return new ModelRegistry(store).list().map((m) => m.version);
  } finally {
    store.close();
  }
}

describe('import-model', () => {
  it('imports the gaf-cnn golden with its encoding spec: saved, registered, and scoring candles in the model worker as live does', async () => {
    const result = importCli(gafJson(), GAF_SPEC);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { version, dir } = JSON.parse(result.stdout) as { version: string; dir: string };
    expect(registered(result.db)).toEqual([version]);
    await worker.init(['wasm', 'cpu']);
    const loaded = await worker.load(dir);
    expect(loaded.metadata.architecture).toBe('GafCNN');
    expect(loaded.metadata.spec.series).toEqual(['close']);
    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 100), '1');
    const scored = await worker.score(candles.slice(9, 42), 60_000, 'gradcam');
    expect(scored.windowStarts).toEqual(candles.slice(10, 42).map((c) => c.time));
    expect(scored.cam).toHaveLength(32);
    expect(Math.max(...scored.cam)).toBeCloseTo(1, 6);
    expect(scored.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(scored.attributionByCandle).toHaveLength(32);
  }, 180_000);

  it('imports a FinancialCNN with its feature channels and normalization, which then scores candles', async () => {
    const result = importCli(cnnJson(), CNN_SPEC);
    expect(result.status).toBe(0);
    const { dir } = JSON.parse(result.stdout) as { dir: string };
    await worker.init(['wasm', 'cpu']);
    await worker.load(dir);
    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');
    const scored = await worker.score(candles.slice(0, 160), 60_000, 'gradcam');
    expect(scored.cam).toHaveLength(60);
    expect(scored.attribution).toHaveLength(5);
  }, 180_000);

  it('refuses non-finite weights (Python writes NaN, JSON overflows to Infinity) with a clear error, and writes and registers nothing', () => {
    const text = readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8');
    const firstValue = /("convs\.0\.weight": \{[^}]*"data": \[)[^,\]]+/;
    expect(firstValue.test(text)).toBe(true);
    for (const [token, message] of [
      ['NaN', /holds NaN: a model with non-finite weights cannot be used/],
      ['1e999', /weight convs\.0\.weight holds a non-finite value/],
    ] as const) {
      const result = importCli(text.replace(firstValue, `$1${token}`), GAF_SPEC);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(existsSync(result.out) ? readdirSync(result.out) : []).toEqual([]);
      expect(existsSync(result.db) ? registered(result.db) : []).toEqual([]);
    }
  }, 60_000);

  it('refuses a spec that disagrees with the weights, and mismatched shapes, naming what disagrees', () => {
    expect(() => importedModel(gafJson(), { ...GAF_SPEC, kind: 'financial-cnn' }, options)).toThrow(
      /the spec is of a financial-cnn, but the weights are a gaf-cnn/,
    );
    expect(() => importedModel(gafJson(), { ...GAF_SPEC, windowLength: 60 }, options)).toThrow(/windows of 32 candles, the spec says 60/);
    expect(() => importedModel(gafJson(), { ...GAF_SPEC, series: ['close', 'volume'] }, options)).toThrow(
      /take 2 input channels; imaging close, volume gives 4/,
    );
    expect(() => importedModel(gafJson(), { ...GAF_SPEC, features: CNN_SPEC.features }, options)).toThrow(
      /a gaf-cnn reads no feature channels/,
    );
    expect(() => importedModel(gafJson(), { ...GAF_SPEC, colour: 'red' }, options)).toThrow(/bad encoding spec/);
    expect(() => importedModel(cnnJson(), { ...CNN_SPEC, normalization: undefined }, options)).toThrow(/needs "features".*"normalization"/);
    expect(() =>
      importedModel(cnnJson(), { ...CNN_SPEC, features: { ...CNN_SPEC.features, channels: FEATURE_CHANNELS.slice(0, 4) } }, options),
    ).toThrow(/take 5 input channels but the spec's features list 4/);
    const reshaped = gafJson();
    const weights = reshaped.state_dict as Record<string, { shape: number[]; data: number[] }>;
    weights['convs.1.weight'] = { shape: [32, 16, 5, 5], data: new Array<number>(32 * 16 * 25).fill(0) };
    expect(() => importedModel(reshaped, GAF_SPEC, options)).toThrow(
      /convs.1.weight has shape \[32, 16, 5, 5\], the spec needs \[32, 16, 3, 3\]/,
    );
    const imported = importedModel(gafJson(), GAF_SPEC, options);
    expect(imported.metadata.version).toMatch(/^pytorch-[0-9a-f]{12}$/);
  });
});

describe('models.import through the bridge (real engine, its model worker, a real store)', () => {
  const dir = tempDir();
  const modelsDir = join(dir, 'models');
  const engine = createEngine({ storePath: join(dir, 'store.db'), market: false, modelsDir });
  afterAll(() => engine.close());
  const gafText = readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8');
  const request = (text: string, encoding: unknown = GAF_SPEC) => ({
    name: 'desk',
    model: { text, fileName: 'gaf.json' },
    encoding: JSON.stringify(encoding),
  });
  const folders = () => (existsSync(modelsDir) ? readdirSync(modelsDir) : []);

  it('registers the gaf-cnn golden (not active), lists it by its kind, and the model scores the sample as live does', async () => {
    await engine.model?.ready;
    const imported = await callEngine<CallResponse<'models.import'>>(engine, 'models.import', request(gafText));
    expect(imported).toEqual({ version: expect.stringMatching(/^desk-[0-9a-f]{12}$/) as unknown, architecture: 'GafCNN' });
    const listed = await callEngine<CallResponse<'models.list'>>(engine, 'models.list', {});
    expect(listed.find((m) => m.version === imported.version)).toMatchObject({ architecture: 'GafCNN', active: false });
    expect(listed.find((m) => m.active)?.architecture).toBe('FinancialCNN');
    expect(folders()).toEqual([imported.version]);
    await callEngine(engine, 'models.use', { version: imported.version });
    const last = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 1).at(0);
    const scored = await engine.scorer?.scoreCandle(SAMPLE_STREAM, last?.time ?? 0);
    expect(scored?.modelVersion).toBe(imported.version);
    expect(scored?.cam).toHaveLength(32);
    // The same weights twice are refused by name, not written twice.
    await expect(callEngine(engine, 'models.import', request(gafText))).rejects.toThrow(/registered already/);
  }, 180_000);

  it('refuses NaN, weights that overflow in the network, a disagreeing spec and a bad name: nothing is written or registered', async () => {
    await engine.model?.ready;
    const before = (await callEngine<CallResponse<'models.list'>>(engine, 'models.list', {})).map((m) => m.version);
    const foldersBefore = folders();
    const firstValue = /("convs\.0\.weight": \{[^}]*"data": \[)[^,\]]+/;
    const fcWeights = /("fc\.weight": \{[^}]*"data": \[)([^\]]+)/;
    // Finite weights whose product overflows float32: only running a window through the network finds them.
    const overflowing = gafText.replace(
      fcWeights,
      (_, head: string, data: string) =>
        head +
        data
          .split(',')
          .map(() => '3e38')
          .join(','),
    );
    expect(overflowing).not.toBe(gafText);
    for (const [payload, message] of [
      [request(gafText.replace(firstValue, '$1NaN')), /holds NaN/],
      [request(overflowing), /not finite/],
      [request(gafText, { ...GAF_SPEC, windowLength: 60 }), /windows of 32 candles, the spec says 60/],
      [request('{"state_dict": '), /PyTorch model is not JSON/],
      [{ ...request(gafText), name: '../escape' }, /letters, digits/],
    ] as const)
      await expect(callEngine(engine, 'models.import', payload)).rejects.toThrow(message);
    expect((await callEngine<CallResponse<'models.list'>>(engine, 'models.list', {})).map((m) => m.version)).toEqual(before);
    expect(folders()).toEqual(foldersBefore);
  }, 180_000);
});
