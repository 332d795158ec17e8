import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { classificationReport } from '../../src-main/evaluation/metrics';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { wasmThreads } from '../../src-main/model/wasm-threads';
import { loadModel } from '../../src-main/model/model-file';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { TRUST_METHODS } from '../../src-shared/domain/trust-report';
import { classWeights } from '../../src-main/training/train';
import { SHARED_DATA, tempDir } from '../helpers';

const candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8').split('\n').slice(0, 1201).join('\n'), '1');

/** A tiny model and few epochs: the point is the plumbing, not the skill. */
function tinyJob(modelsDir: string) {
  return TrainJobSchema.parse({
    source: 'bybit_ETHUSDT_1m.csv (first 1200)',
    interval: '1',
    features: { ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 },
    labels: DEFAULT_LABEL_SPEC,
    convs: [
      { filters: 8, kernel_size: 3, padding: 1 },
      { filters: 8, kernel_size: 3, padding: 1 },
    ],
    settings: { epochs: 3, batchSize: 64, stride: 2, patience: 2 },
    modelsDir,
  });
}

describe('metrics', () => {
  it('computes accuracy, balanced accuracy, precision, recall, confusion and log loss', () => {
    const report = classificationReport(
      [0, 0, 1, 2],
      [0, 1, 1, 2],
      ['buy', 'hold', 'sell'],
      [
        [0.5, 0.25, 0.25],
        [0.5, 0.25, 0.25],
        [0.25, 0.5, 0.25],
        [0.25, 0.25, 0.5],
      ],
    );
    expect(report.accuracy.value).toBe(0.75);
    expect(report.balancedAccuracy.value).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    expect(report.perClass.hold).toEqual({ precision: 0.5, recall: 1, support: 1 });
    expect(report.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(report.logLoss).toBeCloseTo(Math.log(2), 12);
    expect(report.accuracy.low).toBeLessThanOrEqual(0.75);
    expect(report.accuracy.high).toBeGreaterThanOrEqual(0.75);
  });

  it('weighs rare classes up', () => {
    expect(classWeights(Int32Array.from([0, 0, 0, 1]), 3)).toEqual([4 / 9, 4 / 3, 0]);
  });
});

describe('training', () => {
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('trains reproducibly, saves a versioned model with its metadata, and reports on the test part', async () => {
    const dir = tempDir();
    const epochs: number[] = [];
    const first = await trainAndSave(tinyJob(join(dir, 'a')), candles, { onEpoch: (p) => epochs.push(p.epoch) });
    const second = await trainAndSave(tinyJob(join(dir, 'b')), candles);
    expect(epochs.length).toBeGreaterThan(0);
    expect(second.metadata.version).toBe(first.metadata.version);
    const loaded = loadModel(first.dir);
    expect(loaded.metadata.version).toMatch(/^fincnn-[0-9a-f]{12}$/);
    expect(loaded.metadata.normalization?.mean.length).toBe(9);
    expect(loaded.metadata.features?.windowLength).toBe(30);
    expect(loaded.metadata.spec.convs.length).toBe(2);
    expect(loaded.metadata.dataRange?.candles).toBe(1200);
    expect(loaded.metadata.training?.split).toMatchObject({ embargoCandles: 15 });
    const report = first.report;
    expect(report.windows).toBeGreaterThan(0);
    expect(report.model.confusion.flat().reduce((a, b) => a + b, 0)).toBe(report.windows);
    expect(report.verdict.length).toBe(2);
    expect(report.verdict.every((v) => /beat/.test(v))).toBe(true);
    expect(Number.isFinite(report.faithfulness.topDrop)).toBe(true);
    // The trust report of every method, on a few test windows evenly spaced, saved with the model.
    expect(report.trust?.rows.map((r) => r.method)).toEqual([...TRUST_METHODS]);
    expect(report.trust?.windows).toBe(Math.min(32, report.windows));
    expect((loaded.metadata.metrics?.test as typeof report).trust).toEqual(report.trust);
  });

  it('trains the same model on 2 wasm threads as on one', async () => {
    const dir = tempDir();
    await useBackend(['wasm'], { threads: 2 });
    // useBackend falls back to one thread silently: this comparison needs the threaded build.
    expect(wasmThreads()).toBe(2);
    try {
      const threaded = await trainAndSave(tinyJob(join(dir, 'threaded')), candles);
      await useBackend(['wasm']);
      const single = await trainAndSave(tinyJob(join(dir, 'single')), candles);
      expect(threaded.metadata.version).toBe(single.metadata.version);
    } finally {
      await useBackend(['wasm', 'cpu']);
    }
  });

  it('stops when cancelled and saves nothing', async () => {
    const dir = tempDir();
    await expect(trainAndSave(tinyJob(dir), candles, { cancelled: () => true })).rejects.toThrow(/cancelled; nothing was saved/);
    expect(() => loadModel(join(dir, 'anything'))).toThrow(/not found/);
  });

  it('refuses too little data with a clear error', async () => {
    await expect(trainAndSave(tinyJob(tempDir()), candles.slice(0, 120))).rejects.toThrow(/not enough data/);
  });
});
