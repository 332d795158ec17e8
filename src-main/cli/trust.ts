/**
 * `trust --csv FILE [--model M | --kind K --convs …] …`: the planted-pattern benchmark for a model's
 * kind and architecture (../training/planted-benchmark); prints the table, one row per method, as JSON.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_FEATURE_SPEC } from '../../src-shared/domain/feature-spec';
import { TRUST_METHODS, TrustMethod } from '../../src-shared/domain/trust-report';
import { intervalMs } from '../../src-shared/domain/intervals';
import { plantedBenchmark } from '../training/planted-benchmark';
import { MODEL_KIND_TABLE } from '../model/kinds';
import { defaultModelSpec, kindOf, MODEL_KINDS } from '../model/spec';
import { parse, UsageError } from './args';
import { parseConvs, positiveInt, readCandles, requireModel, startBackend } from './model-args';

export async function commandTrust(args: string[]): Promise<void> {
  const { values } = parse(args, {
    csv: { type: 'string' },
    interval: { type: 'string' },
    model: { type: 'string' },
    kind: { type: 'string' },
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
  if (values.model !== undefined && (values.convs !== undefined || values.window !== undefined || values.kind !== undefined))
    throw new UsageError('give --model M or --kind/--convs/--window, not both: the model spec comes from one place');
  const loaded = values.model === undefined ? undefined : requireModel(values.model);
  const kind = loaded === undefined ? MODEL_KINDS.find((k) => k === (values.kind ?? 'financial-cnn')) : kindOf(loaded.metadata.spec);
  if (kind === undefined) throw new UsageError(`--kind must be one of ${MODEL_KINDS.join(', ')}, got "${values.kind}"`);
  const defaults = MODEL_KIND_TABLE[kind].trainingDefaults;
  const features = loaded?.metadata.features ?? {
    ...DEFAULT_FEATURE_SPEC,
    windowLength: loaded?.metadata.spec.sequence_length ?? positiveInt('window', values.window, defaults.windowLength),
  };
  const convs =
    loaded?.metadata.spec.convs ??
    (values.convs === undefined
      ? kind === 'financial-cnn'
        ? defaultModelSpec(9, features.windowLength).convs
        : defaults.convs
      : parseConvs(values.convs));
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
    kind,
    series: loaded?.metadata.spec.series,
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
        kind,
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
