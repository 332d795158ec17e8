import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { EvaluationReportSchema } from '../../src-shared/domain/evaluation';
import type { Candle } from '../../src-shared/domain/market';
import { TRUST_METHODS } from '../../src-shared/domain/trust-report';
import { imputeCandles } from '../../src-main/explain/perturbation';
import { reencodedWithout } from '../../src-main/explain/trust';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { createNetwork, modelKind } from '../../src-main/model/kinds';
import { loadModel } from '../../src-main/model/model-file';
import { seededRandom } from '../../src-main/model/random';
import type { ModelKindName } from '../../src-main/model/spec';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave, type TrainOutcome } from '../../src-main/training/pipeline';
import { runCli, sharedCsvHead, tempDir } from '../helpers';

const never = () => {
  throw new Error('no noise is drawn at noise 0');
};

function candle(time: number, open: number, high: number, low: number, close: number, volume: number): Candle {
  return { time, open, high, low, close, volume, confirmed: true };
}

describe('removing candles in candle space', () => {
  const history = [
    candle(0, 100, 102, 99, 101, 10),
    candle(1, 101, 103, 100, 102, 20),
    candle(2, 102, 110, 90, 108, 500),
    candle(3, 104, 106, 103, 105, 40),
  ];

  it('fills a removed candle on the straight line between its kept neighbours in log prices and log(1 + volume)', () => {
    const out = imputeCandles(history, [false, true, false], 0, never);
    expect(out[0]).toBe(history[0]);
    expect(out[1]).toBe(history[1]);
    expect(out[3]).toBe(history[3]);
    const filled = out[2] as Candle;
    expect(filled.time).toBe(2);
    expect(filled.open).toBeCloseTo(Math.sqrt(101 * 104), 6);
    expect(filled.high).toBeCloseTo(Math.sqrt(103 * 106), 6);
    expect(filled.low).toBeCloseTo(Math.sqrt(100 * 103), 6);
    expect(filled.close).toBeCloseTo(Math.sqrt(102 * 105), 6);
    expect(filled.volume).toBeCloseTo(Math.sqrt(21 * 41) - 1, 6);
  });

  it('counts the candle before the window as kept: a window with every candle removed continues it', () => {
    const out = imputeCandles(history, [true, true, true], 0, never);
    expect(out[0]).toBe(history[0]);
    for (const c of out.slice(1)) {
      expect(c.open).toBeCloseTo(100, 6);
      expect(c.close).toBeCloseTo(101, 6);
      expect(c.volume).toBeCloseTo(10, 6);
    }
    expect(() => imputeCandles(history.slice(1), [true, true, true], 0, never)).toThrow(/needs the candle before it/);
  });

  it('gives candles (high and low hold open and close, volume ≥ 0) whatever the noise, and keeps the kept ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (removed, noise, seed) => {
          const out = imputeCandles(history, removed, noise, seededRandom(seed));
          expect(out.map((c) => c.time)).toEqual(history.map((c) => c.time));
          out.forEach((c, t) => {
            if (t === 0 || !removed[t - 1]) expect(c).toBe(history[t]);
            expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
            expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
            expect(c.volume).toBeGreaterThanOrEqual(0);
            expect([c.open, c.high, c.low, c.close, c.volume].every(Number.isFinite)).toBe(true);
          });
        },
      ),
    );
  });
});

describe('the trust measures of the image kinds, in candle space', () => {
  const dir = tempDir();
  const csv = join(dir, 'eth.csv');
  const trained = new Map<ModelKindName, TrainOutcome>();
  const rows = 700;

  beforeAll(async () => {
    await useBackend(['wasm']);
    const text = sharedCsvHead('bybit_ETHUSDT_1m.csv', rows);
    writeFileSync(csv, text);
    const candles = parseCandleCsv(text, '1');
    for (const kind of ['gaf-cnn', 'image-cnn', 'cnn-lstm'] as const) {
      const job = TrainJobSchema.parse({
        source: `bybit_ETHUSDT_1m.csv (first ${rows})`,
        interval: '1',
        kind,
        features: { ...DEFAULT_FEATURE_SPEC, windowLength: 16 },
        labels: DEFAULT_LABEL_SPEC,
        convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
        settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
        modelsDir: join(dir, 'models'),
        name: kind,
      });
      trained.set(kind, await trainAndSave(job, candles));
    }
  }, 300_000);

  it("the training report measures every method on the image kinds' candles (it had no trust section)", () => {
    for (const [kind, outcome] of trained) {
      const trust = outcome.report.trust;
      expect(trust, kind).toBeDefined();
      expect(trust?.space).toBe('candles');
      expect(trust?.rows.map((r) => r.method)).toEqual([...TRUST_METHODS]);
      for (const row of trust?.rows ?? []) {
        expect(row.curves.morf).toHaveLength(9);
        expect(
          [row.roadCombined, row.deletionAuc, row.insertionAuc, row.comprehensiveness].every(Number.isFinite),
          `${kind} ${row.method}`,
        ).toBe(true);
        expect(row.randomization).toHaveLength(2);
      }
    }
  });

  it("re-encodes a window with no candle removed to the kind's own encoding, and each signal gets its deletion test (it had none)", () => {
    const candles = parseCandleCsv(sharedCsvHead('bybit_ETHUSDT_1m.csv', rows), '1');
    for (const [kind, outcome] of trained) {
      const loaded = loadModel(outcome.dir);
      const { historyLength } = modelKind(loaded.metadata.spec).window(loaded.metadata);
      const history = candles.slice(200, 200 + historyLength);
      const encoded = modelKind(loaded.metadata.spec).encode(loaded.metadata, history, 60_000);
      const kept = new Array<boolean>(loaded.metadata.spec.sequence_length).fill(false);
      expect(reencodedWithout({ pipeline: loaded.metadata, stepMs: 60_000 }, history, kept, 0.05, never), kind).toEqual(encoded);

      const model = createNetwork(loaded.metadata.spec, loaded.weights);
      const request = { history, stepMs: 60_000, method: 'gradcam' } as const;
      const result = explainWindow({ model, ...loaded.metadata }, request);
      // Seeded by the window alone: the same figures every time.
      expect(explainWindow({ model, ...loaded.metadata }, request).deletion).toEqual(result.deletion);
      model.dispose();
      expect(result.deletion?.fraction, kind).toBe(0.2);
      expect(Number.isFinite(result.deletion?.topDrop)).toBe(true);
      expect(Number.isFinite(result.deletion?.randomDrop)).toBe(true);
    }
  });

  it("evaluate prints an image kind's trust section, measured in candle space (it said there was none)", () => {
    const outcome = trained.get('image-cnn');
    const result = runCli(['evaluate', '--model', outcome?.dir ?? '', '--csv', csv, '--trust-windows', '4'], 240_000);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/No trust report/);
    const report = EvaluationReportSchema.parse(JSON.parse(result.stdout));
    expect(report.trust?.space).toBe('candles');
    expect(report.trust?.windows).toBe(4);
    expect(report.trust?.rows).toHaveLength(TRUST_METHODS.length);
    expect(result.stderr).toContain(report.trust?.defaultMethod.why ?? 'no trust');
  }, 240_000);
});
