/** `evaluate --model M --csv FILE`: the evaluation report (JSON) of a model on every labelled window of a file. */
import { availableParallelism } from 'node:os';
import { buildDataset } from '../features/dataset';
import { normalizeInPlace } from '../features/windows';
import { evaluateModel } from '../evaluation/evaluate';
import { intervalMs } from '../../src-shared/domain/intervals';
import type { LoadedModel } from '../model/model-file';
import { FinancialCnn } from '../model/network';
import { parse, UsageError } from './args';
import { positiveInt, readCandles, requireModel, startBackend } from './model-args';

/** The feature pipeline a model needs to read candles; PyTorch-format files carry none. */
export function pipelineOf(loaded: LoadedModel) {
  const { features, normalization, labels, version } = loaded.metadata;
  if (features === null || normalization === null || labels === null) {
    throw new Error(
      `model ${version} has no feature pipeline (a PyTorch-format file): it can be checked with \`parity\`, not run on candles`,
    );
  }
  return { features, normalization, labels };
}

export async function commandEvaluate(args: string[]): Promise<void> {
  const { values } = parse(args, {
    model: { type: 'string' },
    csv: { type: 'string' },
    interval: { type: 'string' },
    stride: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const loaded = requireModel(values.model);
  const { features, normalization, labels } = pipelineOf(loaded);
  const backend = await startBackend(values.backend, { threads: availableParallelism() });
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval ?? loaded.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const stepMs = intervalMs(interval);
  const { inputs, samples } = buildDataset(candles, stepMs, features, labels, positiveInt('stride', values.stride, 1));
  if (samples.length === 0)
    throw new Error(
      `${values.csv}: no labelled window (a window needs ${features.warmup + features.windowLength} unbroken candles and ${labels.horizon} after it)`,
    );
  normalizeInPlace(inputs, normalization);
  const model = new FinancialCnn(loaded.metadata.spec, loaded.weights);
  const closes = new Map(candles.map((c) => [c.time, c.close]));
  const report = evaluateModel(model, inputs, samples, (t) => closes.get(t), labels.horizon, stepMs);
  model.dispose();
  for (const line of report.verdict) console.error(line);
  console.log(JSON.stringify({ modelVersion: loaded.metadata.version, backend, csv: values.csv, ...report }, null, 1));
}
