/** `evaluate --model M --csv FILE`: the evaluation report (JSON) of a model on every labelled window of a file. */
import { availableParallelism } from 'node:os';
import { normalizeInPlace } from '../features/windows';
import { evaluateModel } from '../evaluation/evaluate';
import { hasForecastHeads, modelRiskReport } from '../evaluation/model-risk';
import { TrainSettingsSchema } from '../training/job';
import { splitBoundaries, walkForwardSplit, type Split } from '../training/split';
import { candleSpace, evenlySpaced, trustReport } from '../explain/trust';
import type { TrustReport } from '../../src-shared/domain/trust-report';
import { intervalMs } from '../../src-shared/domain/intervals';
import type { LoadedModel } from '../model/model-file';
import { createNetwork, inputChannels, modelKind, positionsAreCandles, windowEncoder } from '../model/kinds';
import type { FinancialCnn } from '../model/network';
import { buildEncodedDataset, pickRows } from '../features/dataset';
import type { Sample } from '../features/labels';
import { DEFAULT_SHARP_K, headsOf } from '../model/heads';
import type { Candle } from '../../src-shared/domain/market';
import type { RiskReport } from '../../src-shared/domain/risk-report';
import { parse, UsageError } from './args';
import { positiveInt, readCandles, requireModel, startBackend } from './model-args';

/** What evaluating a model on candles needs: its kind's window and its labels; PyTorch-format files carry neither. */
export function pipelineOf(loaded: LoadedModel) {
  const { labels, version } = loaded.metadata;
  if (inputChannels(loaded.metadata) === null || labels === null) {
    throw new Error(
      `model ${version} has no feature pipeline or labels (a PyTorch-format file): it can be checked with \`parity\`, not run on candles; \`import-model\` gives it its encoding and labels`,
    );
  }
  return { window: modelKind(loaded.metadata.spec).window(loaded.metadata), labels };
}

/**
 * The file's test period: the model's walk-forward split (its training fractions, an embargo of H
 * candles) over the file's windows. On the model's own training file that is its test period; on
 * another symbol, the same share of that symbol's history.
 */
function testPeriodSplit(loaded: LoadedModel, samples: Sample[], stepMs: number): Split {
  const { labels } = pipelineOf(loaded);
  const fractions = TrainSettingsSchema.pick({ trainFraction: true, validationFraction: true });
  const trained = fractions.safeParse(loaded.metadata.training ?? {});
  const { trainFraction, validationFraction } = trained.success ? trained.data : fractions.parse({});
  return walkForwardSplit(samples, { train: trainFraction, validation: validationFraction }, labels.horizon * stepMs);
}

/** The forecast heads' risk report on the file's test period, the baselines fitted on the part before it. */
function riskOnTestPeriod(
  model: FinancialCnn,
  loaded: LoadedModel,
  data: { inputs: Float32Array; samples: Sample[]; candles: Candle[]; stepMs: number },
): RiskReport | undefined {
  const { labels } = pipelineOf(loaded);
  const split = testPeriodSplit(loaded, data.samples, data.stepMs);
  if (split.train.length === 0 || split.test.length === 0)
    throw new Error(`${data.samples.length} windows give no training or no test period to judge the forecast heads on`);
  return modelRiskReport(model, {
    inputs: pickRows(data.inputs, model.positions * model.spec.input_channels, split.test),
    samples: split.test.map((i) => data.samples[i] as Sample),
    candles: data.candles,
    stepMs: data.stepMs,
    horizon: labels.horizon,
    ...splitBoundaries(data.samples, split),
  });
}

/**
 * The trust report of every method and head on up to `windows` windows evenly spaced over the file's
 * test period (all its windows when the split leaves no test period); an image kind's candles are
 * removed in candle space (../explain/perturbation).
 */
function trustOnTestPeriod(
  loaded: LoadedModel,
  data: { inputs: Float32Array; samples: Sample[]; candles: Candle[]; stepMs: number },
  windows: number,
): TrustReport {
  const { spec } = loaded.metadata;
  const split = testPeriodSplit(loaded, data.samples, data.stepMs);
  const period = split.test.length > 0 ? split.test : data.samples.map((_, i) => i);
  const picked = evenlySpaced(period.length, windows).map((n) => period[n] as number);
  const inputs = pickRows(data.inputs, modelKind(spec).geometry.positions(spec) * spec.input_channels, picked);
  const candles = positionsAreCandles(spec)
    ? undefined
    : candleSpace(
        loaded.metadata,
        data.candles,
        picked.map((i) => (data.samples[i] as Sample).windowTo),
        data.stepMs,
      );
  return trustReport({ spec, weights: loaded.weights }, inputs, picked.length, { candles });
}

/** Windows of the test period the trust report measures (every method × head on each). */
const TRUST_WINDOWS = 512;

export async function commandEvaluate(args: string[]): Promise<void> {
  const { values } = parse(args, {
    model: { type: 'string' },
    csv: { type: 'string' },
    interval: { type: 'string' },
    stride: { type: 'string' },
    backend: { type: 'string' },
    'trust-windows': { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const trustWindows = positiveInt('trust-windows', values['trust-windows'], TRUST_WINDOWS);
  const loaded = requireModel(values.model);
  const { window, labels } = pipelineOf(loaded);
  const backend = await startBackend(values.backend, { threads: availableParallelism() });
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval ?? loaded.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const stepMs = intervalMs(interval);
  const model = createNetwork(loaded.metadata.spec, loaded.weights);
  const sharp = headsOf(model.spec).sharp;
  // Raw, then normalized in place as training did.
  const { inputs, samples } = buildEncodedDataset(
    candles,
    stepMs,
    windowEncoder({ ...loaded.metadata, normalization: null }, stepMs),
    labels,
    positiveInt('stride', values.stride, 1),
    hasForecastHeads(model) ? { sharpK: sharp?.k ?? DEFAULT_SHARP_K } : undefined,
  );
  if (samples.length === 0)
    throw new Error(
      `${values.csv}: no labelled window (a window needs ${window.historyLength} unbroken candles and ${labels.horizon} after it)`,
    );
  if (loaded.metadata.normalization !== null) normalizeInPlace(inputs, loaded.metadata.normalization);
  const closes = new Map(candles.map((c) => [c.time, c.close]));
  const report = evaluateModel(model, inputs, samples, (t) => closes.get(t), labels.horizon, stepMs);
  const risk = hasForecastHeads(model) ? riskOnTestPeriod(model, loaded, { inputs, samples, candles, stepMs }) : undefined;
  model.dispose();
  const trust = trustOnTestPeriod(loaded, { inputs, samples, candles, stepMs }, trustWindows);
  for (const line of [...report.verdict, ...(risk?.verdicts.map((v) => v.sentence) ?? []), trust.defaultMethod.why]) console.error(line);
  console.log(
    JSON.stringify({ modelVersion: loaded.metadata.version, backend, csv: values.csv, ...report, ...(risk && { risk }), trust }, null, 1),
  );
}
