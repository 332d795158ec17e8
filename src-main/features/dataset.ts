/** Every labelled window of a candle series, pure: inputs (not yet normalized) and their samples. */
import type { Candle } from '../../src-shared/domain/market';
import { forecastLabels, HorizonError } from './forecast-labels';
import { checkNoLookahead, labelWindow, type Sample } from './labels';
import type { FeatureSpec, LabelSpec } from '../../src-shared/domain/feature-spec';
import { historyLength, runFeatures, unbrokenRuns, type WindowWriter } from './windows';

export interface Dataset {
  /** Flat [N, positions, C] as the encoding writes them: [N, T, C] time-major for the feature channels. */
  inputs: Float32Array;
  samples: Sample[];
}

/** How a dataset reads its windows: a model kind's encoding, or the feature channels (buildDataset). */
export interface WindowEncoder {
  /** Candles per window (T). */
  windowLength: number;
  /** Unbroken candles a window's input reads, its last candle last (warm-up + T). */
  historyLength: number;
  /** Values of one window's input. */
  rowSize: number;
  /** The writer of the inputs of the windows of one unbroken run. */
  forRun(run: readonly Candle[]): WindowWriter;
}

/**
 * All windows with a label, taking every `stride`-th window end, inside unbroken runs only: a
 * window and the candles its labels read never cross a break in the series. With `forecasts`,
 * each sample carries the forecast heads' labels too (sharp move at k = `forecasts.sharpK`).
 * A horizon no unbroken run has room for is a HorizonError.
 */
export function buildDataset(
  candles: readonly Candle[],
  stepMs: number,
  features: FeatureSpec,
  labels: LabelSpec,
  stride = 1,
  forecasts?: { sharpK: number },
): Dataset {
  const encoder: WindowEncoder = {
    windowLength: features.windowLength,
    historyLength: historyLength(features),
    rowSize: features.windowLength * features.channels.length,
    forRun: (run) => runFeatures(run, features, stepMs),
  };
  return buildEncodedDataset(candles, stepMs, encoder, labels, stride, forecasts);
}

/** buildDataset with the windows' inputs written by `encoder` (a model kind's encoding). */
export function buildEncodedDataset(
  candles: readonly Candle[],
  stepMs: number,
  encoder: WindowEncoder,
  labels: LabelSpec,
  stride = 1,
  forecasts?: { sharpK: number },
): Dataset {
  const history = encoder.historyLength;
  const ends: { run: Candle[]; write: WindowWriter; end: number }[] = [];
  for (const run of unbrokenRuns(candles, stepMs)) {
    if (run.length < history) continue;
    const write = encoder.forRun(run);
    for (let end = history - 1; end + labels.horizon < run.length; end += stride) ends.push({ run, write, end });
  }
  if (ends.length === 0 && candles.length > 0) {
    const longest = Math.max(...unbrokenRuns(candles, stepMs).map((run) => run.length));
    throw new HorizonError(
      `the horizon of ${labels.horizon} candles is longer than the data allows: a window needs ${history} candles and its labels ${labels.horizon} more, but the longest unbroken run has ${longest}`,
    );
  }
  const size = encoder.rowSize;
  const inputs = new Float32Array(ends.length * size);
  const samples = ends.map(({ run, write, end }, n) => {
    write(end, inputs, n * size);
    const sample = labelWindow(run, end, encoder.windowLength, labels);
    if (forecasts === undefined) return sample;
    return { ...sample, forecasts: forecastLabels(run, end, encoder.windowLength, labels.horizon, forecasts.sharpK) };
  });
  checkNoLookahead(samples);
  return { inputs, samples };
}

/** The rows of a flat [N, …] array picked by `indices`. */
export function pickRows(inputs: Float32Array, rowSize: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  indices.forEach((i, n) => out.set(inputs.subarray(i * rowSize, (i + 1) * rowSize), n * rowSize));
  return out;
}
