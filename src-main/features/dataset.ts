/** Every labelled window of a candle series, pure: inputs (not yet normalized) and their samples. */
import type { Candle } from '../../src-shared/domain/market';
import { checkNoLookahead, labelWindow, type Sample } from './labels';
import type { FeatureSpec, LabelSpec } from '../../src-shared/domain/feature-spec';
import { historyLength, runFeatures, unbrokenRuns, type WindowWriter } from './windows';

export interface Dataset {
  /** Flat [N, T, C], time-major per window. */
  inputs: Float32Array;
  samples: Sample[];
}

/**
 * All windows with a label, taking every `stride`-th window end, inside unbroken runs only: a
 * window and the candles its label reads never cross a break in the series.
 */
export function buildDataset(candles: readonly Candle[], stepMs: number, features: FeatureSpec, labels: LabelSpec, stride = 1): Dataset {
  const history = historyLength(features);
  const ends: { run: Candle[]; write: WindowWriter; end: number }[] = [];
  for (const run of unbrokenRuns(candles, stepMs)) {
    if (run.length < history) continue;
    const write = runFeatures(run, features, stepMs);
    for (let end = history - 1; end + labels.horizon < run.length; end += stride) ends.push({ run, write, end });
  }
  const size = features.windowLength * features.channels.length;
  const inputs = new Float32Array(ends.length * size);
  const samples = ends.map(({ run, write, end }, n) => {
    write(end, inputs, n * size);
    return labelWindow(run, end, features.windowLength, labels);
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
