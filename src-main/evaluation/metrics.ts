/** Classification metrics with bootstrap confidence intervals, pure. */
import type { ClassificationReport, ClassMetrics, Interval95 } from '../../src-shared/domain/evaluation';
import { seededRandom } from '../model/random';

export function confusionMatrix(actual: readonly number[], predicted: readonly number[], classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  actual.forEach((a, i) => {
    const row = m[a];
    const p = predicted[i] ?? 0;
    if (row) row[p] = (row[p] ?? 0) + 1;
  });
  return m;
}

function accuracyOf(actual: readonly number[], predicted: readonly number[]): number {
  return actual.length === 0 ? 0 : actual.filter((a, i) => a === predicted[i]).length / actual.length;
}

/** Mean recall over the classes present. */
function balancedAccuracyOf(actual: readonly number[], predicted: readonly number[], classes: number): number {
  const m = confusionMatrix(actual, predicted, classes);
  const recalls = m.map((row, c) => ({ total: row.reduce((a, b) => a + b, 0), hit: row[c] ?? 0 })).filter((r) => r.total > 0);
  return recalls.length === 0 ? 0 : recalls.reduce((s, r) => s + r.hit / r.total, 0) / recalls.length;
}

/**
 * Percentile bootstrap (resampling windows with replacement, seeded so reports are reproducible).
 * A resample on which the metric is undefined (not finite, e.g. an AUC with one class) is skipped.
 * With `block` > 1 it is a moving-block bootstrap: runs of `block` consecutive windows are drawn,
 * which keeps the correlation of overlapping windows (targets sharing H − 1 candles) inside each
 * resample; drawing windows one by one would treat them as independent and make the interval too
 * narrow. `block` = 1 draws exactly as the plain bootstrap.
 */
export function bootstrap(
  actual: readonly number[],
  predicted: readonly number[],
  metric: (a: number[], p: number[]) => number,
  seed = 7,
  rounds = 300,
  block = 1,
): Interval95 {
  if (!Number.isInteger(block) || block < 1) throw new Error(`the bootstrap block must be a whole number ≥ 1, got ${block}`);
  const value = metric([...actual], [...predicted]);
  const random = seededRandom(seed);
  const values: number[] = [];
  const length = Math.min(block, actual.length);
  const starts = actual.length - length + 1;
  for (let r = 0; r < rounds && actual.length > 0; r++) {
    const a: number[] = [];
    const p: number[] = [];
    while (a.length < actual.length) {
      const start = Math.floor(random() * starts);
      for (let j = start; j < start + length && a.length < actual.length; j++) {
        a.push(actual[j] ?? 0);
        p.push(predicted[j] ?? 0);
      }
    }
    const resampled = metric(a, p);
    if (Number.isFinite(resampled)) values.push(resampled);
  }
  values.sort((x, y) => x - y);
  return {
    value,
    low: values[Math.floor(0.025 * values.length)] ?? value,
    high: values[Math.min(values.length - 1, Math.floor(0.975 * values.length))] ?? value,
  };
}

export function classificationReport(
  actual: readonly number[],
  predicted: readonly number[],
  classNames: readonly string[],
  probabilities?: readonly (readonly number[])[],
): ClassificationReport {
  const classes = classNames.length;
  const confusion = confusionMatrix(actual, predicted, classes);
  const perClass: Record<string, ClassMetrics> = {};
  classNames.forEach((name, c) => {
    const truePositive = confusion[c]?.[c] ?? 0;
    const predictedTotal = confusion.reduce((s, row) => s + (row[c] ?? 0), 0);
    const support = (confusion[c] ?? []).reduce((a, b) => a + b, 0);
    perClass[name] = {
      precision: predictedTotal > 0 ? truePositive / predictedTotal : null,
      recall: support > 0 ? truePositive / support : null,
      support,
    };
  });
  const logLoss =
    probabilities === undefined
      ? null
      : actual.reduce((s, a, i) => s - Math.log(Math.max(1e-15, probabilities[i]?.[a] ?? 0)), 0) / Math.max(1, actual.length);
  return {
    n: actual.length,
    accuracy: bootstrap(actual, predicted, accuracyOf),
    balancedAccuracy: bootstrap(actual, predicted, (a, p) => balancedAccuracyOf(a, p, classes)),
    perClass,
    confusion,
    logLoss,
  };
}
