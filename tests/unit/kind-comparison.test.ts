import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { KindComparisonSchema } from '../../src-shared/domain/kind-comparison';
import type { EvaluationReport } from '../../src-shared/domain/evaluation';
import { compareModels, type ComparisonEntry } from '../../src-main/evaluation/kind-comparison';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { createEngine } from '../../src-main/engine/engine';
import { loadModel } from '../../src-main/model/model-file';
import { openDatabase } from '../../src-main/store/database';
import { ModelRegistry } from '../../src-main/store/models';
import { callEngine, runCli, sharedCsvHead, tempDir } from '../helpers';

const ROWS = 1500;

describe('the comparison of model kinds', () => {
  const dir = tempDir();
  const csv = join(dir, 'eth.csv');
  const models: Record<string, string> = {};

  beforeAll(async () => {
    await useBackend(['wasm']);
    const text = sharedCsvHead('bybit_ETHUSDT_1m.csv', ROWS);
    writeFileSync(csv, text);
    const candles = parseCandleCsv(text, '1');
    const train = async (name: string, kind: 'financial-cnn' | 'image-cnn', windowLength: number, horizon = DEFAULT_LABEL_SPEC.horizon) =>
      (models[name] = (
        await trainAndSave(
          TrainJobSchema.parse({
            source: `bybit_ETHUSDT_1m.csv (first ${ROWS})`,
            interval: '1',
            kind: kind === 'financial-cnn' ? undefined : kind,
            features: { ...DEFAULT_FEATURE_SPEC, windowLength },
            labels: { ...DEFAULT_LABEL_SPEC, horizon },
            convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
            heads: { direction: { loss_weight: 1 }, volatility: { loss_weight: 1, loss: 'qlike' } },
            settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
            modelsDir: join(dir, 'models'),
            name,
          }),
          candles,
        )
      ).dir);
    await train('onedim', 'financial-cnn', 30);
    await train('chart', 'image-cnn', 20);
    await train('shorter', 'image-cnn', 20, 10);
  }, 300_000);

  it('measures every kind on the same windows and baselines, in candle space, and says plainly which does not beat the 1-D model', () => {
    const out = join(dir, 'comparison.json');
    const result = runCli(
      ['compare', '--models', `${models.chart},${models.onedim}`, '--csv', csv, '--trust-windows', '8', '--out', out],
      240_000,
    );
    expect(result.status, result.stderr).toBe(0);
    const comparison = KindComparisonSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    // The 1-D model is the reference wherever it is listed.
    expect(comparison.reference).toMatch(/^onedim-/);
    expect(comparison.samePeriod).toBe(true);
    const [chart, onedim] = comparison.models;
    expect(chart?.kind).toBe('image-cnn');
    expect(onedim?.direction.vsReference).toBeNull();
    expect(chart?.windows).toBe(onedim?.windows);
    expect(chart?.period).toEqual(onedim?.period);
    for (const m of comparison.models) {
      expect(m.faithfulness?.space).toBe('candles');
      expect(Number.isFinite(m.faithfulness?.roadCombined)).toBe(true);
      expect(m.volatility?.baselines.length).toBeGreaterThan(0);
      expect(m.latencyMs).toBeGreaterThan(0);
    }
    // The same baselines: every model's volatility baselines have the same figures.
    expect(chart?.volatility?.baselines.map((b) => b.figure)).toEqual(onedim?.volatility?.baselines.map((b) => b.figure));
    const verdict = comparison.verdicts.find((v) => v.startsWith(`image-cnn ${chart?.modelVersion}`) && v.includes('on direction:'));
    expect(verdict).toMatch(chart?.direction.vsReference === 'beats' ? /beats the 1-D model/ : /does NOT beat the 1-D model/);
    // The table: a header and one row per model, then the sentences.
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^model\s+kind\s+T\s+windows\s+bal\. acc\./);
    expect(lines[1]).toMatch(/^chart-\w+\s+image-cnn\s+20\s/);
    expect(lines[2]).toMatch(/^onedim-\w+\s+financial-cnn\s+30\s+\d+\s+[\d.]+ \[[\d.]+, [\d.]+\]\s+\S+\s+\S+\s+ref\./);
    expect(result.stdout).toContain(verdict);
  }, 240_000);

  it('refuses models labelled otherwise, and a single model, with a clear error', () => {
    const mixed = runCli(['compare', '--models', `${models.onedim},${models.shorter}`, '--csv', csv], 120_000);
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(/is labelled otherwise than .*models are compared on one target/);
    const single = runCli(['compare', '--models', models.onedim ?? '', '--csv', csv], 60_000);
    expect(single.status).toBe(2);
    expect(single.stderr).toMatch(/two or more model folders/);
  }, 180_000);

  it("compares registered models over the bridge by their saved reports, the image kind's trust measured in candle space", async () => {
    const storePath = join(dir, 'store.db');
    const db = openDatabase(storePath);
    for (const name of ['chart', 'onedim']) new ModelRegistry(db).register(models[name] ?? '', loadModel(models[name] ?? '').metadata);
    db.close();
    const engine = createEngine({ storePath, seedSample: false, market: false, modelPath: false });
    try {
      const versions = ['chart', 'onedim'].map((name) => loadModel(models[name] ?? '').metadata.version);
      const comparison = KindComparisonSchema.parse(await callEngine(engine, 'models.compare', { versions }));
      expect(comparison.reference).toBe(versions[1]);
      expect(comparison.models.map((m) => m.kind)).toEqual(['image-cnn', 'financial-cnn']);
      expect(comparison.models.map((m) => m.faithfulness?.space)).toEqual(['candles', 'inputs']);
      // Measured in different spaces at training: said, not compared.
      expect(
        comparison.verdicts.some((v) =>
          /measured with its candles removed in candle space, .* in input space: they are not compared/.test(v),
        ),
      ).toBe(true);
      await expect(callEngine(engine, 'models.compare', { versions: [versions[0], 'nope-0'] })).rejects.toThrow(
        /no registered model nope-0/,
      );
    } finally {
      engine.close();
    }
  });

  it('says when the reports were not measured on the same windows (the Models view compares the reports saved at training)', () => {
    const report = (balanced: number, windows: number): EvaluationReport => {
      const interval = { value: balanced, low: balanced - 0.01, high: balanced + 0.01 };
      const classification = { n: windows, accuracy: interval, balancedAccuracy: interval, perClass: {}, confusion: [], logLoss: null };
      return {
        windows,
        period: { from: 0, to: windows },
        model: classification,
        baselines: {
          majorityClass: { ...classification, balancedAccuracy: { value: 0.333, low: 0.333, high: 0.333 }, class: 'hold' },
          lastReturnSign: classification,
        },
        faithfulness: { topDrop: 0, randomDrop: 0, ratio: null, windows: 0, method: 'gradcam', fraction: 0.2, target: 1.5 },
        verdict: [],
      };
    };
    const entry = (modelVersion: string, kind: string, r: EvaluationReport): ComparisonEntry => ({
      modelVersion,
      kind,
      windowLength: 20,
      report: r,
      latencyMs: null,
    });
    const comparison = compareModels([entry('gaf', 'gaf-cnn', report(0.4, 100)), entry('one', 'financial-cnn', report(0.36, 120))]);
    expect(comparison.reference).toBe('one');
    expect(comparison.samePeriod).toBe(false);
    expect(comparison.verdicts[0]).toMatch(/NOT measured on the same test windows/);
    expect(comparison.models[0]?.direction.vsReference).toBe('beats');
    expect(comparison.verdicts).toContain(
      'gaf-cnn gaf beats the 1-D model one on direction: balanced accuracy 0.400 [0.390, 0.410] vs 0.360 [0.350, 0.370].',
    );
    expect(comparison.verdicts).toContain(
      'gaf-cnn gaf does NOT beat the last-return-sign baseline on direction (balanced accuracy 0.400 [0.390, 0.410]; the 95% intervals overlap).',
    );
  });
});
