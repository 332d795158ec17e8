/**
 * Deletion test of an explanation's faithfulness: blank the candles the CAM ranks highest and see
 * how much the predicted class's probability drops, against blanking as many candles at random.
 * A faithful map hurts the prediction more than chance: ratio > 1 (target ≥ 1.5).
 */
import { SERIES_GEOMETRY, type FinancialCnn } from '../model/network';
import { seededRandom } from '../model/random';
import { topIndices } from '../../src-shared/domain/attention';
import type { Faithfulness } from '../../src-shared/domain/evaluation';
import { argmax, softmax } from './cam';
import { predictLogits } from './explainer';

/** `count` distinct indices of 0..n-1, drawn with `random`. */
export function randomIndices(n: number, count: number, random: () => number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, count);
}

/** Copies a FinancialCNN window and sets the chosen time steps to 0 (the training mean once normalized). */
export function blankSteps(window: Float32Array, channels: number, steps: readonly number[]): Float32Array {
  return SERIES_GEOMETRY.blankCandles(window, channels, window.length / channels, steps);
}

export function deletionFaithfulness(
  model: FinancialCnn,
  inputs: Float32Array,
  cams: readonly (readonly number[])[],
  options: { fraction?: number; randomRepeats?: number; seed?: number } = {},
): Faithfulness {
  const { fraction = 0.2, randomRepeats = 3, seed = 1 } = options;
  const { sequence_length: T, input_channels: C, num_classes: classes } = model.spec;
  const size = model.positions * C;
  // What a candle contributed to the model's input, set to 0: its time step, or its image's row and column.
  const blank = (window: Float32Array, candles: readonly number[]) => model.geometry.blankCandles(window, C, T, candles);
  const windows = cams.length;
  const count = Math.max(1, Math.round(fraction * T));
  const random = seededRandom(seed);
  const masked = new Float32Array(windows * size * (2 + randomRepeats));
  for (let n = 0; n < windows; n++) {
    const window = inputs.subarray(n * size, (n + 1) * size);
    const base = n * (2 + randomRepeats) * size;
    masked.set(window, base);
    masked.set(blank(window, topIndices(cams[n] ?? [], count)), base + size);
    for (let r = 0; r < randomRepeats; r++) masked.set(blank(window, randomIndices(T, count, random)), base + (2 + r) * size);
  }
  const logits = predictLogits(model, masked, windows * (2 + randomRepeats));
  let topDrop = 0;
  let randomDrop = 0;
  for (let n = 0; n < windows; n++) {
    const row = (k: number) =>
      softmax(logits.subarray((n * (2 + randomRepeats) + k) * classes, (n * (2 + randomRepeats) + k + 1) * classes));
    const original = row(0);
    const predicted = argmax(original);
    const p = original[predicted] ?? 0;
    topDrop += (p - (row(1)[predicted] ?? 0)) / windows;
    for (let r = 0; r < randomRepeats; r++) randomDrop += (p - (row(2 + r)[predicted] ?? 0)) / windows / randomRepeats;
  }
  return { topDrop, randomDrop, ratio: randomDrop > 0 ? topDrop / randomDrop : null, windows };
}
