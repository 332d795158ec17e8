/**
 * Walk-forward split by time into train, validation and test, with an embargo: a later part starts
 * only once its windows lie more than `embargoMs` after the last candle any earlier label read
 * (the direction label's or a forecast head's).
 * Pure.
 */
import { lastLabelRead, LookaheadError, type Sample } from '../features/labels';

export interface Split {
  train: number[];
  validation: number[];
  test: number[];
}

export function walkForwardSplit(samples: readonly Sample[], fractions: { train: number; validation: number }, embargoMs: number): Split {
  const order = samples.map((_, i) => i).sort((a, b) => (samples[a]?.windowTo ?? 0) - (samples[b]?.windowTo ?? 0));
  const trainEnd = Math.floor(order.length * fractions.train);
  const validationEnd = Math.floor(order.length * (fractions.train + fractions.validation));
  const parts = [order.slice(0, trainEnd), order.slice(trainEnd, validationEnd), order.slice(validationEnd)];
  let lastLabel = -Infinity;
  const kept = parts.map((part) => {
    const keep = part.filter((i) => (samples[i]?.windowFrom ?? 0) > lastLabel + embargoMs);
    for (const i of keep) lastLabel = Math.max(lastLabel, lastLabelRead(samples[i] as Sample));
    return keep;
  });
  const split = { train: kept[0] ?? [], validation: kept[1] ?? [], test: kept[2] ?? [] };
  checkSplit(samples, split);
  return split;
}

/** Throws LookaheadError when a later part's window overlaps a candle that any label of an earlier part read. */
export function checkSplit(samples: readonly Sample[], split: Split): void {
  const parts = [split.train, split.validation, split.test];
  for (let p = 1; p < parts.length; p++) {
    const earlier = parts.slice(0, p).flat();
    const lastLabel = Math.max(-Infinity, ...earlier.map((i) => (samples[i] === undefined ? -Infinity : lastLabelRead(samples[i]))));
    const firstWindow = Math.min(Infinity, ...(parts[p] ?? []).map((i) => samples[i]?.windowFrom ?? Infinity));
    if (firstWindow <= lastLabel)
      throw new LookaheadError(`split leak: a window starting at ${firstWindow} overlaps labels read up to ${lastLabel}`);
  }
}

/**
 * Where a split's training period ends (the last candle any training label reads) and its test
 * period starts (the first test window's last candle): the risk evaluation fits its baselines up
 * to the one and judges from the other.
 */
export function splitBoundaries(samples: readonly Sample[], split: Split): { trainTo: number; testFrom: number } {
  const trainTo = Math.max(...split.train.map((i) => (samples[i] === undefined ? -Infinity : lastLabelRead(samples[i]))));
  const testFrom = Math.min(...split.test.map((i) => samples[i]?.windowTo ?? Infinity));
  if (!Number.isFinite(trainTo) || !Number.isFinite(testFrom)) throw new Error('the split has no training or no test windows');
  return { trainTo, testFrom };
}
