/**
 * The evaluation report of a model on labelled windows: its metrics, the same for two baselines
 * (majority class; sign of the last H-candle return), the deletion-test faithfulness of its
 * Grad-CAM, and a plain verdict on whether it beats each baseline.
 */
import { explainBatch, predictLogits } from '../explain/explainer';
import { deletionFaithfulness } from '../explain/faithfulness';
import { argmax, softmax } from '../explain/cam';
import { pickRows } from '../features/dataset';
import { BUY, HOLD, LABELS, SELL, type Sample } from '../features/labels';
import type { FinancialCnn } from '../model/network';
import type { ClassificationReport, EvaluationReport } from '../../src-shared/domain/evaluation';
import { beatsBaseline } from './baseline-verdict';
import { classificationReport } from './metrics';

const BATCH = 256;
const FAITHFULNESS_WINDOWS = 512;

function compare(name: string, model: ClassificationReport, baseline: ClassificationReport): string {
  const m = model.balancedAccuracy;
  const b = baseline.balancedAccuracy;
  const figures = `balanced accuracy ${m.value.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}] vs ${b.value.toFixed(3)} [${b.low.toFixed(3)}, ${b.high.toFixed(3)}]`;
  if (beatsBaseline(model, baseline)) return `The model beats the ${name} baseline: ${figures}.`;
  if (m.value > b.value) return `The model does NOT clearly beat the ${name} baseline: ${figures}; the 95% intervals overlap.`;
  return `The model does NOT beat the ${name} baseline: ${figures}.`;
}

/**
 * `inputs` are the windows' encoded inputs (flat [N, positions, C]); `closeAt` gives the close of
 * the candle starting at a time (for the last-return baseline); `stepMs` is the candle length.
 */
export function evaluateModel(
  model: FinancialCnn,
  inputs: Float32Array,
  samples: readonly Sample[],
  closeAt: (time: number) => number | undefined,
  horizon: number,
  stepMs: number,
): EvaluationReport {
  const size = model.positions * model.spec.input_channels;
  const probabilities: number[][] = [];
  for (let from = 0; from < samples.length; from += BATCH) {
    const count = Math.min(BATCH, samples.length - from);
    const logits = predictLogits(model, inputs.subarray(from * size, (from + count) * size), count);
    for (let n = 0; n < count; n++) probabilities.push(softmax(logits.subarray(n * 3, (n + 1) * 3)));
  }
  const actual = samples.map((s) => s.label);
  const predicted = probabilities.map(argmax);
  const counts = [0, 0, 0];
  for (const a of actual) counts[a] = (counts[a] ?? 0) + 1;
  const majority = argmax(counts);
  const signPredictions = samples.map((s) => {
    const now = closeAt(s.windowTo);
    // A window nearer the series' start (or a gap) than H candles reads the return over itself instead.
    const before = closeAt(s.windowTo - horizon * stepMs) ?? closeAt(s.windowFrom);
    if (now === undefined || before === undefined) throw new Error(`no close of the window ending at ${s.windowTo}`);
    return now > before ? BUY : now < before ? SELL : HOLD;
  });
  const modelReport = classificationReport(actual, predicted, LABELS, probabilities);
  const majorityReport = {
    ...classificationReport(actual, new Array<number>(actual.length).fill(majority), LABELS),
    class: LABELS[majority] ?? 'hold',
  };
  const signReport = classificationReport(actual, signPredictions, LABELS);
  // The deletion test on evenly spaced windows, so it covers the whole period at a bounded cost.
  const step = Math.max(1, Math.floor(samples.length / FAITHFULNESS_WINDOWS));
  const picked = samples
    .map((_, i) => i)
    .filter((i) => i % step === 0)
    .slice(0, FAITHFULNESS_WINDOWS);
  const subset = pickRows(inputs, size, picked);
  const cams: number[][] = [];
  for (let from = 0; from < picked.length; from += BATCH) {
    const count = Math.min(BATCH, picked.length - from);
    for (const e of explainBatch(model, subset.subarray(from * size, (from + count) * size), count, { method: 'gradcam' }))
      cams.push(e.cam);
  }
  const faithfulness = deletionFaithfulness(model, subset, cams);
  return {
    windows: samples.length,
    period: samples.length > 0 ? { from: samples[0]?.windowTo ?? 0, to: samples.at(-1)?.windowTo ?? 0 } : null,
    model: modelReport,
    baselines: { majorityClass: majorityReport, lastReturnSign: signReport },
    faithfulness: { ...faithfulness, method: 'gradcam', fraction: 0.2, target: 1.5 },
    verdict: [compare('majority-class', modelReport, majorityReport), compare('last-return-sign', modelReport, signReport)],
  };
}
