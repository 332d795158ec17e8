/**
 * From candles to a saved, evaluated model: dataset, walk-forward split with an embargo of H
 * candles, normalization fitted on the training part only, training, evaluation on the test part,
 * then a versioned model folder. The version is derived from the weights, so the same data and
 * settings give the same version.
 */
import { join } from 'node:path';
import { buildEncodedDataset, pickRows } from '../features/dataset';
import type { ForecastLabels, Sample } from '../features/labels';
import { fitNormalization, normalizeInPlace } from '../features/windows';
import type { Candle } from '../../src-shared/domain/market';
import type { EvaluationReport } from '../../src-shared/domain/evaluation';
import { evaluateModel } from '../evaluation/evaluate';
import { modelRiskReport } from '../evaluation/model-risk';
import { intervalMs } from '../../src-shared/domain/intervals';
import { activeBackend } from '../model/backend';
import { hashWeights, MODEL_FORMAT, saveModel, type ModelMetadata } from '../model/model-file';
import { candleSpace, evenlySpaced, trustReport } from '../explain/trust';
import { createNetwork, MODEL_KIND_TABLE, positionsAreCandles, windowEncoder } from '../model/kinds';
import { DEFAULT_SHARP_K, headsOf } from '../model/heads';
import { ARCHITECTURES } from '../model/spec';
import { splitBoundaries, walkForwardSplit } from './split';
import type { TrainJob } from './job';
import { train, TrainingCancelled, fittedHeads, type EpochProgress, type TrainData } from './train';

/**
 * Test windows the trust report measures at the end of a training run: few, since Score-CAM takes a
 * masked pass per feature map and window for the maps and for each randomization stage (`evaluate`
 * measures 512).
 */
const TRUST_WINDOWS = 32;

export interface TrainOutcome {
  dir: string;
  metadata: ModelMetadata;
  report: EvaluationReport;
}

export async function trainAndSave(
  job: TrainJob,
  candles: readonly Candle[],
  hooks: {
    onEpoch?: (p: EpochProgress) => void;
    onBatch?: (done: number, total: number, epoch: number) => void;
    cancelled?: () => boolean;
    onStage?: (stage: string) => void;
  } = {},
): Promise<TrainOutcome> {
  const stepMs = intervalMs(job.interval);
  hooks.onStage?.(`building windows from ${candles.length} candles`);
  const kind = MODEL_KIND_TABLE[job.kind ?? 'financial-cnn'];
  const { spec: unscaled, features } = kind.trainingPipeline(
    {
      sequence_length: job.features.windowLength,
      num_classes: 3,
      convs: job.convs,
      batchnorm_eps: 1e-5,
      ...(job.heads === undefined ? {} : { heads: job.heads }),
    },
    job,
  );
  const heads = headsOf(unscaled);
  if (heads.direction === undefined) {
    throw new Error(
      'the train-evaluate-save pipeline needs the direction head: its test report is made of the direction head (add direction to the heads)',
    );
  }
  const forecasting = heads.volatility !== undefined || heads.var !== undefined || heads.sharp !== undefined;
  // Raw inputs: the normalization, when the kind has one, is fitted on the training part below.
  const encoder = windowEncoder({ spec: unscaled, features, normalization: null }, stepMs);
  const { inputs, samples } = buildEncodedDataset(
    candles,
    stepMs,
    encoder,
    job.labels,
    job.settings.stride,
    // Without the sharp head its labels go unused; they are made at the default k all the same.
    forecasting ? { sharpK: heads.sharp?.k ?? DEFAULT_SHARP_K } : undefined,
  );
  const split = walkForwardSplit(
    samples,
    { train: job.settings.trainFraction, validation: job.settings.validationFraction },
    job.labels.horizon * stepMs,
  );
  if (split.train.length < 8 || split.validation.length === 0 || split.test.length === 0) {
    throw new Error(
      `not enough data: ${samples.length} windows give ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test`,
    );
  }
  const size = encoder.rowSize;
  const normalization = kind.fitsNormalization ? fitNormalization(pickRows(inputs, size, split.train), unscaled.input_channels) : null;
  if (normalization !== null) normalizeInPlace(inputs, normalization);
  const target = (indices: number[], head: keyof ForecastLabels) =>
    forecasting ? Float32Array.from(indices, (i) => samples[i]?.forecasts?.[head].value ?? NaN) : undefined;
  const part = (indices: number[]): TrainData => ({
    inputs: pickRows(inputs, size, indices),
    labels: Int32Array.from(indices, (i) => samples[i]?.label ?? 0),
    ...(heads.volatility === undefined ? {} : { logVolatility: target(indices, 'volatility') }),
    ...(heads.var === undefined ? {} : { forwardReturn: target(indices, 'var') }),
    ...(heads.sharp === undefined ? {} : { sharp: target(indices, 'sharp') }),
  });
  const trainPart = part(split.train);
  // The volatility head is anchored on the window's own close-to-close returns, when the kind reads them.
  const returnChannel = features?.channels.indexOf('ret_close') ?? -1;
  const anchor =
    returnChannel < 0 || normalization === null
      ? undefined
      : { channel: returnChannel, mean: normalization.mean[returnChannel] ?? 0, std: normalization.std[returnChannel] ?? 1 };
  const spec = fittedHeads(unscaled, trainPart, anchor);
  hooks.onStage?.(`training on ${split.train.length} windows, validating on ${split.validation.length}, backend ${activeBackend()}`);
  const result = await train(spec, trainPart, part(split.validation), job.settings, hooks);
  if (result.cancelled) throw new TrainingCancelled('training was cancelled; nothing was saved');
  hooks.onStage?.(`evaluating on ${split.test.length} test windows`);
  const model = createNetwork(spec, result.weights);
  const closes = new Map(candles.map((c) => [c.time, c.close]));
  const test = part(split.test);
  const testSamples = split.test.map((i) => samples[i] as Sample);
  const direction = evaluateModel(model, test.inputs, testSamples, (t) => closes.get(t), job.labels.horizon, stepMs);
  let report: EvaluationReport = direction;
  try {
    const risk = modelRiskReport(model, {
      inputs: test.inputs,
      samples: testSamples,
      candles,
      stepMs,
      horizon: job.labels.horizon,
      ...splitBoundaries(samples, split),
    });
    if (risk !== undefined) report = { ...direction, risk };
  } catch (error) {
    // A test period the risk figures cannot be computed on (no sharp move in it, a break in the series)
    // must not lose the trained model: the report says so in its verdicts instead.
    const reason = error instanceof Error ? error.message : String(error);
    report = { ...direction, verdict: [...direction.verdict, `The forecast heads could not be judged on this test period: ${reason}.`] };
  } finally {
    model.dispose();
  }
  const sample = evenlySpaced(split.test.length, TRUST_WINDOWS);
  hooks.onStage?.(`measuring the explanations on ${sample.length} test windows`);
  // An image kind's candles are removed in candle space (../explain/perturbation), from the windows' candles.
  const windowEnds = sample.map((n) => (testSamples[n] as Sample).windowTo);
  const space = positionsAreCandles(spec) ? undefined : candleSpace({ spec, features, normalization }, candles, windowEnds, stepMs);
  report = {
    ...report,
    trust: trustReport({ spec, weights: result.weights }, pickRows(test.inputs, size, sample), sample.length, { candles: space }),
  };
  const first = candles[0];
  const last = candles.at(-1);
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    version: 'pending',
    createdAt: Date.now(),
    architecture: ARCHITECTURES[kind.name],
    spec,
    features,
    normalization,
    labels: job.labels,
    dataRange: { source: job.source, interval: job.interval, first: first?.time ?? 0, last: last?.time ?? 0, candles: candles.length },
    training: {
      ...job.settings,
      backend: activeBackend(),
      classWeights: result.classWeights,
      bestEpoch: result.bestEpoch,
      history: result.history,
      split: {
        train: split.train.length,
        validation: split.validation.length,
        test: split.test.length,
        embargoCandles: job.labels.horizon,
      },
    },
    metrics: { test: report },
  };
  const version = `${job.name}-${hashWeights(spec, result.weights).slice(0, 12)}`;
  const dir = join(job.modelsDir, version);
  const final = { ...metadata, version };
  saveModel(dir, final, result.weights);
  return { dir, metadata: final, report };
}
