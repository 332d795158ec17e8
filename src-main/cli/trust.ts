/**
 * `trust --csv FILE [--model M | --convs …] …`: the planted-pattern benchmark for a model's
 * architecture (../training/planted-benchmark); prints the table, one row per method, as JSON.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_FEATURE_SPEC } from '../../src-shared/domain/feature-spec';
import { TRUST_METHODS, TrustMethod } from '../../src-shared/domain/trust-report';
import { intervalMs } from '../../src-shared/domain/intervals';
import { plantedBenchmark } from '../training/planted-benchmark';
import { defaultModelSpec } from '../model/spec';
import { parse, UsageError } from './args';
import { parseConvs, positiveInt, readCandles, requireModel, startBackend } from './model-args';

export async function commandTrust(args: string[]): Promise<void> {
  const { values } = parse(args, {
    csv: { type: 'string' },
    interval: { type: 'string' },
    model: { type: 'string' },
    convs: { type: 'string' },
    window: { type: 'string' },
    windows: { type: 'string' },
    epochs: { type: 'string' },
    seed: { type: 'string' },
    methods: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.csv === undefined)
    throw new UsageError('--csv FILE is required (the real candles whose returns and volumes the benchmark is made of)');
  if (values.model !== undefined && (values.convs !== undefined || values.window !== undefined))
    throw new UsageError('give --model M or --convs/--window, not both: the model spec comes from one place');
  const loaded = values.model === undefined ? undefined : requireModel(values.model);
  const features = loaded?.metadata.features ?? {
    ...DEFAULT_FEATURE_SPEC,
    windowLength: positiveInt('window', values.window, DEFAULT_FEATURE_SPEC.windowLength),
  };
  const convs =
    loaded?.metadata.spec.convs ??
    (values.convs === undefined ? defaultModelSpec(9, features.windowLength).convs : parseConvs(values.convs));
  const methods = (values.methods?.split(',') ?? TRUST_METHODS).map((m) => {
    const parsed = TrustMethod.safeParse(m.trim());
    if (!parsed.success) throw new UsageError(`--methods takes ${TRUST_METHODS.join(', ')}, got "${m}"`);
    return parsed.data;
  });
  const backend = await startBackend(values.backend, { threads: availableParallelism() });
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const seed = positiveInt('seed', values.seed, 42);
  const result = await plantedBenchmark(candles, intervalMs(interval), {
    convs,
    features,
    windows: positiveInt('windows', values.windows, 2000),
    seed,
    settings: { epochs: positiveInt('epochs', values.epochs, 10) },
    methods,
    log: (line) => console.error(line),
  });
  const table = result.report.rows.map((r) => ({
    method: r.method,
    pointingGame: r.pointingGame,
    patternMass: r.patternMass,
    roadCombined: r.roadCombined,
    deletionAuc: r.deletionAuc,
    insertionAuc: r.insertionAuc,
    comprehensiveness: r.comprehensiveness,
    sufficiency: r.sufficiency,
    randomizedAllSpearman: r.randomization.at(-1)?.spearman ?? null,
    dataRandomization: r.dataRandomization,
  }));
  console.log(
    JSON.stringify(
      {
        backend,
        csv: values.csv,
        model: loaded?.metadata.version ?? null,
        convs,
        windowLength: features.windowLength,
        seed,
        testAccuracy: result.testAccuracy,
        testWindows: result.testWindows,
        plantedWindows: result.plantedWindows,
        table,
        report: result.report,
      },
      null,
      1,
    ),
  );
}
