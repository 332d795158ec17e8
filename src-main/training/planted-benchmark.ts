/**
 * The planted-pattern benchmark (white box): a model of the given architecture trained to say
 * whether a planted pattern (./planted-pattern) is in the window, then, for every method,
 * the trust report's figures on the held-out windows plus what only a known pattern can tell: how
 * often the map's top candle is inside the pattern (the pointing game) and the map's mass there, and
 * the data randomization check (the maps of the same architecture trained on permuted labels).
 * Seeded end to end: the same seed gives the same table.
 */
import type { Candle } from '../../src-shared/domain/market';
import type { FeatureSpec } from '../../src-shared/domain/feature-spec';
import { TRUST_METHODS, type TrustMethodName, type TrustReport } from '../../src-shared/domain/trust-report';
import { massInside, pointsInside } from '../explain/map-checks';
import { meanSpearman, relevanceMaps, trustReport } from '../explain/trust';
import { argmax } from '../explain/cam';
import { predictLogits } from '../explain/explainer';
import { pickRows } from '../features/dataset';
import { plantedWindows } from './planted-pattern';
import { fitNormalization, normalizeInPlace } from '../features/windows';
import { createNetwork, MODEL_KIND_TABLE, positionsAreCandles } from '../model/kinds';
import { seededRandom } from '../model/random';
import type { GafSeries, ModelKindName, ModelSpec, StateDict } from '../model/spec';
import { TrainSettingsSchema, type TrainSettings } from './job';
import { train, type TrainData } from './train';

/** The class a planted-benchmark model gives a window that holds the pattern. */
const PRESENT = 1;

export interface PlantedBenchmarkOptions {
  /** The architecture: its kind (default the FinancialCNN) and conv blocks (window length from `features`). */
  kind?: ModelKindName;
  convs: ModelSpec['convs'];
  features: FeatureSpec;
  /** The series a gaf-cnn images (default its own). */
  series?: GafSeries[];
  windows: number;
  seed: number;
  /** Training settings; the seed is `seed`. */
  settings?: Partial<Omit<TrainSettings, 'seed'>>;
  methods?: readonly TrustMethodName[];
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface PlantedBenchmark {
  /** The trained model's accuracy on the held-out windows: whether it learned the pattern at all. */
  testAccuracy: number;
  /** Held-out windows, and how many of them hold the pattern (the pointing game's windows). */
  testWindows: number;
  plantedWindows: number;
  report: TrustReport;
}

async function fit(spec: ModelSpec, data: TrainData, validation: TrainData, settings: TrainSettings): Promise<StateDict> {
  return (await train(spec, data, validation, settings)).weights;
}

export async function plantedBenchmark(
  candles: readonly Candle[],
  stepMs: number,
  options: PlantedBenchmarkOptions,
): Promise<PlantedBenchmark> {
  const { features, seed, methods = TRUST_METHODS, log = () => undefined } = options;
  const kind = MODEL_KIND_TABLE[options.kind ?? 'financial-cnn'];
  const { spec, features: kindFeatures } = kind.trainingPipeline(
    { sequence_length: features.windowLength, num_classes: 2, convs: options.convs, batchnorm_eps: 1e-5 },
    { features, series: options.series },
  );
  const C = spec.input_channels;
  const size = kind.geometry.positions(spec) * C;
  const raw = { spec, features: kindFeatures, normalization: null };
  const data = plantedWindows(candles, stepMs, features, {
    windows: options.windows,
    seed,
    encoding: { historyLength: kind.window(raw).historyLength, rowSize: size, encode: (history) => kind.encode(raw, history, stepMs) },
  });
  // The windows are independent draws: the first 70 % train, the next 15 % validate, the rest test.
  const cut = (share: number) => Math.round(share * options.windows);
  const parts = { train: [0, cut(0.7)], validation: [cut(0.7), cut(0.85)], test: [cut(0.85), options.windows] } as const;
  const rows = ([from, to]: readonly [number, number]) => Array.from({ length: to - from }, (_, i) => from + i);
  const normalization = kind.fitsNormalization ? fitNormalization(pickRows(data.inputs, size, rows(parts.train)), C) : null;
  if (normalization !== null) normalizeInPlace(data.inputs, normalization);
  const part = (range: readonly [number, number], labels = data.labels): TrainData => ({
    inputs: pickRows(data.inputs, size, rows(range)),
    labels: Int32Array.from(rows(range), (i) => labels[i] ?? 0),
  });
  const settings = TrainSettingsSchema.parse({ ...options.settings, seed });
  log(`planted benchmark: training on ${parts.train[1]} windows (${settings.epochs} epochs at most)`);
  const weights = await fit(spec, part(parts.train), part(parts.validation), settings);
  // The data randomization check: the same architecture, seed and windows, the labels permuted.
  const permuted = Int32Array.from(data.labels);
  const random = seededRandom(seed + 7);
  for (let i = permuted.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [permuted[i], permuted[j]] = [permuted[j] as number, permuted[i] as number];
  }
  log('planted benchmark: training on permuted labels');
  const permutedWeights = await fit(spec, part(parts.train, permuted), part(parts.validation, permuted), settings);

  const test = part(parts.test);
  const testCount = test.labels.length;
  const planted = rows(parts.test).filter((i) => data.patterns[i] !== null);
  const plantedInputs = pickRows(data.inputs, size, planted);
  const model = createNetwork(spec, weights);
  const permutedModel = createNetwork(spec, permutedWeights);
  try {
    const logits = predictLogits(model, test.inputs, testCount);
    let correct = 0;
    for (let n = 0; n < testCount; n++) if (argmax(logits.subarray(n * 2, n * 2 + 2)) === test.labels[n]) correct++;
    log(`planted benchmark: held-out accuracy ${(correct / testCount).toFixed(3)}; measuring ${methods.length} methods`);
    // An image kind's candles are removed in candle space, from the test windows' own candles.
    const space = positionsAreCandles(spec)
      ? undefined
      : { pipeline: { ...raw, normalization }, histories: rows(parts.test).map((i) => data.histories[i] ?? []), stepMs };
    const report = trustReport({ spec, weights }, test.inputs, testCount, { methods, heads: ['direction'], seed, candles: space });
    const present = planted.map(() => PRESENT);
    for (const row of report.rows) {
      // The pointing game and the mass: the maps of the "present" class on the windows that hold the pattern.
      const maps = relevanceMaps(model, plantedInputs, planted.length, row.method, 'direction', present).maps;
      const patterns = planted.map((i) => data.patterns[i] as { from: number; to: number });
      row.pointingGame =
        maps.filter((map, n) => pointsInside(map, patterns[n] as { from: number; to: number })).length / Math.max(1, planted.length);
      row.patternMass =
        maps.reduce((sum, map, n) => sum + massInside(map, patterns[n] as { from: number; to: number }), 0) / Math.max(1, planted.length);
      const permutedMaps = relevanceMaps(permutedModel, plantedInputs, planted.length, row.method, 'direction', present).maps;
      row.dataRandomization = meanSpearman(maps, permutedMaps);
    }
    return { testAccuracy: correct / testCount, testWindows: testCount, plantedWindows: planted.length, report };
  } finally {
    model.dispose();
    permutedModel.dispose();
  }
}
