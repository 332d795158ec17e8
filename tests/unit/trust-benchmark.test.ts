import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_CHANNELS, type FeatureSpec } from '../../src-shared/domain/feature-spec';
import { TRUST_METHODS, TrustReportSchema } from '../../src-shared/domain/trust-report';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { plantedWindows, PATTERN_LENGTH } from '../../src-main/training/planted-pattern';
import { cascadingRandomization, defaultMethod, randomizationStages, randomizedWeights, relevanceMaps } from '../../src-main/explain/trust';
import type { MethodTrust } from '../../src-shared/domain/trust-report';
import { useBackend } from '../../src-main/model/backend';
import { loadModel } from '../../src-main/model/model-file';
import { bundledModelPath } from '../../src-main/engine/engine';
import { measuredDefaultMethod } from '../../src-main/signals/default-method';
import { FinancialCnn, initialWeights } from '../../src-main/model/network';
import { seededRandom } from '../../src-main/model/random';
import { plantedBenchmark } from '../../src-main/training/planted-benchmark';

const candles = parseCandleCsv(readFileSync(join(import.meta.dirname, '../../resources/sample/bybit_BTCUSDT_1m.csv'), 'utf8'), '1');
// Small and fast: 20 candles a window (40 of warm-up), two small conv blocks.
const features: FeatureSpec = { channels: [...FEATURE_CHANNELS], windowLength: 20, warmup: 40 };
const convs = [
  { filters: 8, kernel_size: 5, padding: 2 },
  { filters: 16, kernel_size: 3, padding: 1 },
];

describe('the planted-pattern data', () => {
  it('plants the pattern in every other window, at a seeded place inside it, and says where', () => {
    const data = plantedWindows(candles, 60_000, features, { windows: 40, seed: 5 });
    expect(Array.from(data.labels.slice(0, 4))).toEqual([1, 0, 1, 0]);
    data.patterns.forEach((p, n) => {
      expect(p === null).toBe(n % 2 === 1);
      if (p !== null) {
        expect(p.to - p.from).toBe(PATTERN_LENGTH);
        expect(p.from).toBeGreaterThanOrEqual(0);
        expect(p.to).toBeLessThanOrEqual(features.windowLength);
      }
    });
    // The hammer's volume spike: volume_vs_ma (the last channel) at the hammer is ln 6 or more, well above its usual level.
    const C = features.channels.length;
    const volume = features.channels.indexOf('volume_vs_ma');
    const hammer = (n: number) => data.inputs[(n * features.windowLength + (data.patterns[n]?.to ?? 0) - 1) * C + volume] ?? 0;
    for (let n = 0; n < 40; n += 2) expect(hammer(n)).toBeGreaterThan(1.2);
    expect(plantedWindows(candles, 60_000, features, { windows: 40, seed: 5 }).inputs).toEqual(data.inputs);
  });

  it('refuses a series too short for one window', () => {
    expect(() => plantedWindows(candles.slice(0, 30), 60_000, features, { windows: 2, seed: 1 })).toThrow(
      /needs 61 unbroken candles, the longest run has 30/,
    );
  });
});

describe('cascading randomization', () => {
  const spec = { input_channels: 9, sequence_length: 20, num_classes: 2, convs, batchnorm_eps: 1e-5 };

  it('randomizes the heads first, then each conv block from the top, keeping what it has not reached', () => {
    expect(randomizationStages(spec).map((s) => s.randomized)).toEqual(['heads', 'conv 2', 'conv 1']);
    const trained = initialWeights(spec, 1);
    const headsOnly = randomizedWeights(spec, trained, randomizationStages(spec)[0]?.prefixes ?? [], 99);
    expect(headsOnly.get('fc.weight')?.data).not.toEqual(trained.get('fc.weight')?.data);
    expect(headsOnly.get('convs.1.weight')?.data).toEqual(trained.get('convs.1.weight')?.data);
    const all = randomizedWeights(spec, trained, randomizationStages(spec).at(-1)?.prefixes ?? [], 99);
    for (const name of trained.keys())
      if (name.endsWith('.weight') && !name.startsWith('bns.')) expect(all.get(name)?.data).not.toEqual(trained.get(name)?.data);
  });
});

describe('cascading randomization of a model initialized with the report seed', () => {
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('draws weights other than its initial ones, so the maps are not compared with themselves', () => {
    const spec = { input_channels: 9, sequence_length: 20, num_classes: 2, convs, batchnorm_eps: 1e-5 };
    // Untrained: its weights are the initialization of seed 5, the report's seed.
    const model = { spec, weights: initialWeights(spec, 5) };
    const network = new FinancialCnn(spec, model.weights);
    const random = seededRandom(2);
    const inputs = Float32Array.from({ length: 8 * 20 * 9 }, () => random() * 2 - 1);
    const maps = relevanceMaps(network, inputs, 8, 'gradxinput', 'direction');
    network.dispose();
    const stages = cascadingRandomization(model, inputs, maps, 'gradxinput', 'direction', 5);
    expect(stages.at(-1)?.spearman).toBeLessThan(0.9);
  });
});

describe('the default method', () => {
  const row = (method: MethodTrust['method'], roadCombined: number, head = 'direction'): MethodTrust => ({
    method,
    head,
    windows: 512,
    curves: { fractions: [], original: 0, imputed: 0, morf: [], lerf: [] },
    morfArea: 0,
    lerfArea: 0,
    roadCombined,
    deletionAuc: 0,
    insertionAuc: 0,
    comprehensiveness: 0,
    sufficiency: 0,
    randomization: [],
    dataRandomization: null,
    pointingGame: null,
    patternMass: null,
  });

  it('is the CAM method with the best ROAD on the first head; the reference is compared, never chosen', () => {
    const chosen = defaultMethod([row('gradcam', 0.02), row('gradxinput', 0.08), row('layercam', 0.03), row('gradcam', 0.5, 'volatility')]);
    expect(chosen.method).toBe('layercam');
    expect(chosen.why).toBe(
      'LayerCAM has the best ROAD combined score of the CAM methods on the direction head over 512 test windows: 0.0300 (gradient × input 0.0800, Grad-CAM 0.0200).',
    );
  });

  it("is what the app explains a model's signals by: the bundled model's measured Grad-CAM, another model's own, Grad-CAM without a report", () => {
    const { metadata } = loadModel(bundledModelPath() ?? 'no bundled model in resources/models');
    expect(measuredDefaultMethod(metadata)).toBe('gradcam');
    const test = metadata.metrics?.test as { trust: { defaultMethod: { method: string } } };
    const measuredLayerCam = { ...test, trust: { ...test.trust, defaultMethod: { method: 'layercam', why: 'measured' } } };
    expect(measuredDefaultMethod({ ...metadata, metrics: { test: measuredLayerCam } })).toBe('layercam');
    expect(measuredDefaultMethod({ ...metadata, metrics: null })).toBe('gradcam');
    expect(measuredDefaultMethod(undefined)).toBe('gradcam');
  });

  it('stays Grad-CAM, saying why, when only the reference was measured', () => {
    expect(defaultMethod([row('gradxinput', 0.08)])).toEqual({
      method: 'gradcam',
      why: 'No CAM method was measured, so Grad-CAM stays the default.',
    });
  });

  it('says so when even the best cannot be trusted', () => {
    expect(defaultMethod([row('gradcam', -0.01), row('scorecam', -0.02)]).why).toMatch(
      /Grad-CAM .* -0\.0100 \(Score-CAM -0\.0200\)\. Even so, .* cannot be trusted here\.$/,
    );
  });
});

describe('the planted-pattern benchmark (the whole explain path, small and seeded)', () => {
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('trains a model that finds the pattern, and measures every method against it', async () => {
    const result = await plantedBenchmark(candles, 60_000, {
      convs,
      features,
      windows: 800,
      seed: 3,
      settings: { epochs: 20, patience: 20, learningRate: 3e-3, batchSize: 64 },
    });
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    const report = TrustReportSchema.parse(result.report);
    expect(report.rows.map((r) => r.method)).toEqual([...TRUST_METHODS]);
    const row = (method: string) => report.rows.find((r) => r.method === method);
    for (const r of report.rows) {
      // Every figure is there, and the randomization checks fall as the weights go.
      expect(r.curves.morf).toHaveLength(9);
      expect(r.randomization.map((s) => s.randomized)).toEqual(['heads', 'conv 2', 'conv 1']);
      expect(r.dataRandomization).not.toBeNull();
    }
    // The reference and Grad-CAM point at the pattern, and removing what they point at hurts.
    expect(row('gradxinput')?.pointingGame).toBeGreaterThan(0.8);
    expect(row('gradcam')?.pointingGame).toBeGreaterThan(0.6);
    expect(row('gradcam')?.roadCombined).toBeGreaterThan(0);
    expect(row('gradcam')?.randomization.at(-1)?.spearman).toBeLessThan(0.5);
    expect(report.defaultMethod.why).toMatch(/best ROAD combined score of the CAM methods on the direction head/);
  }, 120_000);
});
