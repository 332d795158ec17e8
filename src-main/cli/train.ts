/** `train`: fits a model on candles from a CSV or the store, printing progress, and saves it. */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { MODEL_KIND_TABLE } from '../model/kinds';
import { userDataDir } from '../paths';
import { ModelRegistry } from '../store/models';
import { openDatabase } from '../store/database';
import { TrainJobSchema } from '../training/job';
import { trainAndSave, type TrainOutcome } from '../training/pipeline';
import { parse, streamOptions, UsageError } from './args';
import { backendLabel, parseConvs, parseHeads, parseKind, positiveInt, readCandles, startBackend } from './model-args';

/** Trains, evaluates and saves the model `args` ask for (`train`'s options); progress on stderr. */
export async function trainFromArgs(args: string[]): Promise<TrainOutcome> {
  const { values } = parse(args, {
    ...streamOptions,
    csv: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    epochs: { type: 'string' },
    stride: { type: 'string' },
    window: { type: 'string' },
    horizon: { type: 'string' },
    convs: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    heads: { type: 'string' },
    'loss-weights': { type: 'string' },
    'sharp-k': { type: 'string' },
    'var-quantiles': { type: 'string' },
    kind: { type: 'string' },
    series: { type: 'string' },
  });
  const { kind, series } = parseKind(values);
  const heads = parseHeads(values);
  const backend = await startBackend(values.backend, { threads: availableParallelism() });
  const { candles, interval, source } = readCandles(values);
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length; train on a fixed interval');
  const defaults = MODEL_KIND_TABLE[kind].trainingDefaults;
  const windowLength = positiveInt('window', values.window, defaults.windowLength);
  const job = TrainJobSchema.parse({
    source,
    interval,
    features: { ...DEFAULT_FEATURE_SPEC, windowLength },
    labels: { ...DEFAULT_LABEL_SPEC, horizon: positiveInt('horizon', values.horizon, DEFAULT_LABEL_SPEC.horizon) },
    kind: kind === 'financial-cnn' ? undefined : kind,
    series,
    convs: values.convs === undefined ? defaults.convs : parseConvs(values.convs),
    heads,
    settings: {
      epochs: positiveInt('epochs', values.epochs, 20),
      stride: positiveInt('stride', values.stride, 1),
      seed: positiveInt('seed', values.seed, 42),
    },
    modelsDir: values.out ?? join(userDataDir(), 'models'),
    name: values.name ?? defaults.name,
  });
  console.error(`backend ${backendLabel(backend)}; ${candles.length} candles from ${source}`);
  const outcome = await trainAndSave(job, candles, {
    onStage: (stage) => console.error(stage),
    onBatch: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r  batch ${done}/${total}`);
    },
    onEpoch: (p) =>
      console.error(
        `${process.stderr.isTTY ? '\r' : ''}epoch ${p.epoch}/${p.epochs}: train loss ${p.trainLoss.toFixed(4)}, validation loss ${p.validationLoss.toFixed(4)}${p.best ? ' (best)' : ''}`,
      ),
  });
  if (values.db !== undefined) {
    const db = openDatabase(values.db);
    try {
      new ModelRegistry(db).register(outcome.dir, outcome.metadata);
    } finally {
      db.close();
    }
  }
  for (const line of outcome.report.verdict) console.error(line);
  return outcome;
}

export async function commandTrain(args: string[]): Promise<void> {
  const outcome = await trainFromArgs(args);
  console.log(JSON.stringify({ version: outcome.metadata.version, dir: outcome.dir, test: outcome.report }, null, 1));
}
