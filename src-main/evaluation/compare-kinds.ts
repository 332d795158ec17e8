/**
 * Measuring several models on the same windows for the comparison (./kind-comparison): the windows
 * every model has a labelled window for in one period (their kinds read different histories), each
 * model's direction report, forecast heads' report against baselines fitted on the same candles
 * before the period, Grad-CAM's faithfulness with the candles removed in candle space for every
 * kind, and its forward + Grad-CAM latency at batch 1.
 */
import type { Candle } from '../../src-shared/domain/market';
import { explainBatch } from '../explain/explainer';
import { candleSpace, evenlySpaced, trustReport } from '../explain/trust';
import { buildEncodedDataset, pickRows, type WindowEncoder } from '../features/dataset';
import type { Sample } from '../features/labels';
import { normalizeInPlace } from '../features/windows';
import { DEFAULT_SHARP_K, headsOf } from '../model/heads';
import { createNetwork, modelKind, windowEncoder } from '../model/kinds';
import type { LoadedModel } from '../model/model-file';
import { kindOf } from '../model/spec';
import { evaluateModel } from './evaluate';
import type { ComparisonEntry } from './kind-comparison';
import { hasForecastHeads, modelRiskReport } from './model-risk';

export interface ComparisonPeriod {
  /** The whole series: the baselines are fitted on its candles before the period. */
  candles: readonly Candle[];
  stepMs: number;
  /** Starts of the windows' last candles measured, inclusive. */
  from: number;
  to: number;
}

/** What a model needs to be compared: its labels and its kind's window (a PyTorch-format file has neither). */
function comparable(loaded: LoadedModel) {
  const { labels, version } = loaded.metadata;
  if (labels === null) throw new Error(`model ${version} has no labels: it cannot be judged (\`import-model\` gives it its labels)`);
  return { labels, window: modelKind(loaded.metadata.spec).window(loaded.metadata) };
}

/** The candles a model's windows ending in the period read, with their labels' candles: the series cut around the period. */
function periodCandles(loaded: LoadedModel, period: ComparisonPeriod): Candle[] {
  const { labels, window } = comparable(loaded);
  // The last-return baseline reads the close H candles before each window's end.
  const before = Math.max(window.historyLength, labels.horizon + 1) * period.stepMs;
  const after = (labels.horizon + 1) * period.stepMs;
  return period.candles.filter((c) => c.time >= period.from - before && c.time <= period.to + after);
}

/** The ends of the windows of `loaded` labelled in the period (every candle), without encoding them. */
export function labelledEnds(loaded: LoadedModel, period: ComparisonPeriod): number[] {
  const { labels, window } = comparable(loaded);
  const noInputs: WindowEncoder = { ...window, rowSize: 0, forRun: () => () => undefined };
  const { samples } = buildEncodedDataset(periodCandles(loaded, period), period.stepMs, noInputs, labels);
  return samples.map((s) => s.windowTo).filter((t) => t >= period.from && t <= period.to);
}

/**
 * The windows all models are measured on: those every one of them has, every `stride`-th; a clear
 * error when the models disagree on what they predict (labels or candle length) or share no window.
 */
export function commonEnds(models: readonly LoadedModel[], period: ComparisonPeriod, stride: number): number[] {
  const [first, ...others] = models;
  if (first === undefined) throw new Error('no model to compare');
  const labelsOf = (m: LoadedModel) => JSON.stringify(comparable(m).labels);
  for (const m of others)
    if (labelsOf(m) !== labelsOf(first))
      throw new Error(
        `${m.metadata.version} is labelled otherwise than ${first.metadata.version} (${labelsOf(m)} vs ${labelsOf(first)}): models are compared on one target`,
      );
  let ends = labelledEnds(first, period);
  for (const m of others) {
    const own = new Set(labelledEnds(m, period));
    ends = ends.filter((t) => own.has(t));
  }
  if (ends.length === 0) throw new Error(`the models share no labelled window whose last candle starts in ${period.from}..${period.to}`);
  return ends.filter((_, i) => i % stride === 0);
}

/** Runs of forward + Grad-CAM at batch 1 the latency is the median of, after as many warm-up runs. */
const LATENCY_RUNS = 15;

function medianLatency(run: () => void): number {
  for (let i = 0; i < 3; i++) run();
  const times = Array.from({ length: LATENCY_RUNS }, () => {
    const start = performance.now();
    run();
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return times[Math.floor(LATENCY_RUNS / 2)] ?? NaN;
}

/** One model's entry of the comparison on the windows ending at `ends` (./commonEnds), Grad-CAM measured on `trustWindows` of them. */
export function measureOnWindows(
  loaded: LoadedModel,
  period: ComparisonPeriod,
  ends: readonly number[],
  trustWindows: number,
): ComparisonEntry {
  const { metadata } = loaded;
  const { labels, window } = comparable(loaded);
  const { stepMs } = period;
  const model = createNetwork(metadata.spec, loaded.weights);
  try {
    const sharp = headsOf(model.spec).sharp;
    const encoded = buildEncodedDataset(
      periodCandles(loaded, period),
      stepMs,
      windowEncoder({ ...metadata, normalization: null }, stepMs),
      labels,
      1,
      hasForecastHeads(model) ? { sharpK: sharp?.k ?? DEFAULT_SHARP_K } : undefined,
    );
    const row = new Map(encoded.samples.map((s, i) => [s.windowTo, i]));
    const picked = ends.map((t) => {
      const i = row.get(t);
      if (i === undefined) throw new Error(`model ${metadata.version} has no window ending at ${t}`);
      return i;
    });
    const size = model.positions * model.spec.input_channels;
    const inputs = pickRows(encoded.inputs, size, picked);
    if (metadata.normalization !== null) normalizeInPlace(inputs, metadata.normalization);
    const samples = picked.map((i) => encoded.samples[i] as Sample);
    const closes = new Map(period.candles.map((c) => [c.time, c.close]));
    const direction = evaluateModel(model, inputs, samples, (t) => closes.get(t), labels.horizon, stepMs);
    const testFrom = samples[0]?.windowTo ?? period.from;
    const risk = modelRiskReport(model, {
      inputs,
      samples,
      candles: period.candles,
      stepMs,
      horizon: labels.horizon,
      // The baselines are fitted on every candle before the period, an embargo of H candles apart.
      trainTo: testFrom - (labels.horizon + 1) * stepMs,
      testFrom,
    });
    const sample = evenlySpaced(samples.length, trustWindows);
    const trust = trustReport({ spec: metadata.spec, weights: loaded.weights }, pickRows(inputs, size, sample), sample.length, {
      methods: ['gradcam'],
      heads: ['direction'],
      // Every kind in candle space, so that the figures compare.
      candles: candleSpace(
        metadata,
        period.candles,
        sample.map((n) => (samples[n] as Sample).windowTo),
        stepMs,
      ),
    });
    const one = inputs.subarray(0, size);
    return {
      modelVersion: metadata.version,
      kind: kindOf(metadata.spec),
      windowLength: window.windowLength,
      report: { ...direction, ...(risk && { risk }), trust },
      latencyMs: medianLatency(() => explainBatch(model, one, 1, { method: 'gradcam' })),
    };
  } finally {
    model.dispose();
  }
}
