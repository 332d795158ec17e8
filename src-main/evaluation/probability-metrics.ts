/**
 * Figures of a probability forecast of a binary event (the sharp move), pure: ROC AUC with a
 * bootstrap interval, the Brier score, the reliability curve and the expected calibration error;
 * and the baseline, a logistic regression on trailing volatility and time of day fitted by IRLS.
 */
import type { Interval95 } from '../../src-shared/domain/evaluation';
import type { ProbabilityFigures, ReliabilityBin } from '../../src-shared/domain/risk-report';
import { solveLinearSystem } from './linear-algebra';
import { bootstrap } from './metrics';

function checkOutcomes(outcomes: readonly number[], values: readonly number[], what: string): void {
  if (outcomes.length !== values.length) throw new Error(`${what} needs one forecast per outcome: ${values.length} vs ${outcomes.length}`);
  if (outcomes.length === 0) throw new Error(`${what} needs at least one outcome`);
  const badOutcome = outcomes.findIndex((y) => y !== 0 && y !== 1);
  if (badOutcome >= 0) throw new Error(`${what} needs outcomes 0 or 1: outcome ${badOutcome} is ${outcomes[badOutcome]}`);
  const badValue = values.findIndex((v) => !Number.isFinite(v));
  if (badValue >= 0) throw new Error(`${what} needs finite forecasts: forecast ${badValue} is ${values[badValue]}`);
}

function checkProbabilities(probabilities: readonly number[], what: string): void {
  const bad = probabilities.findIndex((p) => !(p >= 0 && p <= 1));
  if (bad >= 0) throw new Error(`${what} needs probabilities in [0, 1]: probability ${bad} is ${probabilities[bad]}`);
}

/**
 * AUC as the Mann–Whitney statistic, ties counting half (the midrank form); NaN when one class is
 * absent. Each class's scores are sorted as a typed array and merged, which keeps the bootstrap's
 * hundreds of resamples fast.
 */
function aucOrNaN(outcomes: readonly number[], scores: readonly number[]): number {
  const positives = Float64Array.from(scores.filter((_, i) => outcomes[i] === 1)).sort();
  const negatives = Float64Array.from(scores.filter((_, i) => outcomes[i] !== 1)).sort();
  if (positives.length === 0 || negatives.length === 0) return NaN;
  let wins = 0;
  let below = 0;
  let equal = 0;
  for (const score of positives) {
    while (below < negatives.length && (negatives[below] ?? 0) < score) below++;
    equal = Math.max(equal, below);
    while (equal < negatives.length && negatives[equal] === score) equal++;
    wins += below + (equal - below) / 2;
  }
  return wins / (positives.length * negatives.length);
}

/** P(score of a random positive > score of a random negative) + ½ P(tie). */
export function rocAuc(outcomes: readonly number[], scores: readonly number[]): number {
  checkOutcomes(outcomes, scores, 'ROC AUC');
  const auc = aucOrNaN(outcomes, scores);
  if (Number.isNaN(auc)) throw new Error('ROC AUC needs both outcomes among the events: all are ' + String(outcomes[0]));
  return auc;
}

/**
 * AUC with its 95% percentile-bootstrap interval (seeded; resamples holding one class only are
 * skipped); `block` consecutive events are drawn together (H for events of overlapping H-candle windows).
 */
export function rocAucInterval(outcomes: readonly number[], scores: readonly number[], seed = 7, rounds = 300, block = 1): Interval95 {
  rocAuc(outcomes, scores);
  return bootstrap(outcomes, scores, aucOrNaN, seed, rounds, block);
}

export function brierScore(outcomes: readonly number[], probabilities: readonly number[]): number {
  checkOutcomes(outcomes, probabilities, 'the Brier score');
  checkProbabilities(probabilities, 'the Brier score');
  return probabilities.reduce((s, p, i) => s + (p - (outcomes[i] ?? 0)) ** 2, 0) / probabilities.length;
}

/** Equal-width bins of the predicted probability ([0, 1/B), …, [(B−1)/B, 1]): mean predicted, observed frequency, count. */
export function reliabilityCurve(outcomes: readonly number[], probabilities: readonly number[], bins = 10): ReliabilityBin[] {
  checkOutcomes(outcomes, probabilities, 'the reliability curve');
  checkProbabilities(probabilities, 'the reliability curve');
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`the reliability curve needs a whole number of bins ≥ 1, got ${bins}`);
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  probabilities.forEach((p, i) => {
    const bin = sums[Math.min(bins - 1, Math.floor(p * bins))];
    if (!bin) return;
    bin.count++;
    bin.predicted += p;
    bin.observed += outcomes[i] ?? 0;
  });
  return sums.map((b, i) => ({
    low: i / bins,
    high: (i + 1) / bins,
    count: b.count,
    meanPredicted: b.count > 0 ? b.predicted / b.count : null,
    observedFrequency: b.count > 0 ? b.observed / b.count : null,
  }));
}

/** Σ over bins of (count / n)·|mean predicted − observed frequency|. */
export function expectedCalibrationError(curve: readonly ReliabilityBin[]): number {
  const n = curve.reduce((s, b) => s + b.count, 0);
  return curve.reduce((s, b) => s + (b.count > 0 ? (b.count / n) * Math.abs((b.meanPredicted ?? 0) - (b.observedFrequency ?? 0)) : 0), 0);
}

/** Every figure of a probability forecast; the AUC interval's bootstrap draws `block` consecutive events together. */
export function probabilityFigures(
  outcomes: readonly number[],
  probabilities: readonly number[],
  bins = 10,
  seed = 7,
  block = 1,
): ProbabilityFigures {
  const reliability = reliabilityCurve(outcomes, probabilities, bins);
  return {
    n: outcomes.length,
    positives: outcomes.filter((y) => y === 1).length,
    auc: rocAucInterval(outcomes, probabilities, seed, 300, block),
    brier: brierScore(outcomes, probabilities),
    expectedCalibrationError: expectedCalibrationError(reliability),
    reliability,
  };
}

// ---------------------------------------------------------------------------------------------
// The sharp-move baseline

const HOUR_MS = 3_600_000;

/** The baseline's regressors: log trailing volatility, and the UTC time of day as sin/cos of the hour (a circle, so 23:59 sits by 00:00). */
export function sharpMoveBaselineFeatures(trailingVolatility: number, candleStartMs: number): number[] {
  if (!(trailingVolatility > 0 && Number.isFinite(trailingVolatility)))
    throw new Error(`the sharp-move baseline needs a positive finite trailing volatility, got ${trailingVolatility}`);
  const angle = (2 * Math.PI * ((candleStartMs / HOUR_MS) % 24)) / 24;
  return [Math.log(trailingVolatility), Math.sin(angle), Math.cos(angle)];
}

export interface LogisticFit {
  /** [intercept, one per feature], on the features as given. */
  coefficients: number[];
  iterations: number;
  /** False when the steps never fell below 1e-10 (perfectly separated outcomes: the slopes grow until the ridge holds them). */
  converged: boolean;
}

/** The ridge on the standardized slopes: negligible at any real sample size, it keeps a perfectly separated sample finite. */
const LOGISTIC_RIDGE = 1e-9;

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Logistic regression by Newton–Raphson (IRLS) from zero, on standardized features (the training
 * mean and standard deviation) for a well-conditioned Hessian; stops when no coefficient moves by
 * more than 1e-10. Deterministic.
 */
export function fitLogisticRegression(
  features: readonly (readonly number[])[],
  outcomes: readonly number[],
  maxIterations = 100,
): LogisticFit {
  const k = features[0]?.length ?? 0;
  if (features.length !== outcomes.length)
    throw new Error(`logistic regression needs one outcome per row: ${outcomes.length} vs ${features.length}`);
  checkOutcomes(outcomes, outcomes, 'logistic regression');
  const bad = features.findIndex((row) => row.length !== k || row.some((v) => !Number.isFinite(v)));
  if (bad >= 0)
    throw new Error(`logistic regression needs ${k} finite features in every row: row ${bad} is [${features[bad]?.join(', ')}]`);
  const n = features.length;
  const means = Array.from({ length: k }, (_, j) => features.reduce((s, row) => s + (row[j] ?? 0), 0) / n);
  const scales = means.map((m, j) => Math.sqrt(features.reduce((s, row) => s + ((row[j] ?? 0) - m) ** 2, 0) / n) || 1);
  const rows = features.map((row) => [1, ...row.map((v, j) => (v - (means[j] ?? 0)) / (scales[j] ?? 1))]);
  let beta = new Array<number>(k + 1).fill(0);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const gradient = beta.map((b, j): number => (j === 0 ? 0 : -LOGISTIC_RIDGE * b));
    const hessian = Array.from({ length: k + 1 }, (_, i) =>
      Array.from({ length: k + 1 }, (_, j): number => (i === j && i > 0 ? LOGISTIC_RIDGE : 0)),
    );
    rows.forEach((x, t) => {
      const p = sigmoid(x.reduce((s, v, j) => s + v * (beta[j] ?? 0), 0));
      const w = p * (1 - p);
      const residual = (outcomes[t] ?? 0) - p;
      for (let i = 0; i <= k; i++) {
        gradient[i] = (gradient[i] ?? 0) + (x[i] ?? 0) * residual;
        const row = hessian[i] ?? [];
        for (let j = 0; j <= k; j++) row[j] = (row[j] ?? 0) + w * (x[i] ?? 0) * (x[j] ?? 0);
      }
    });
    const step = solveLinearSystem(hessian, gradient);
    beta = beta.map((b, j) => b + (step[j] ?? 0));
    converged = Math.max(...step.map(Math.abs)) < 1e-10;
  }
  // Back to the raw features: b0 + Σ bⱼ (xⱼ − mⱼ)/sⱼ.
  const slopes = beta.slice(1).map((b, j) => b / (scales[j] ?? 1));
  const intercept = (beta[0] ?? 0) - slopes.reduce((s, b, j) => s + b * (means[j] ?? 0), 0);
  return { coefficients: [intercept, ...slopes], iterations, converged };
}

export function logisticProbability(fit: LogisticFit, features: readonly number[]): number {
  return sigmoid(features.reduce((s, v, j) => s + v * (fit.coefficients[j + 1] ?? 0), fit.coefficients[0] ?? 0));
}
