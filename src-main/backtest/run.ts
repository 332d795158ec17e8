/**
 * A model over a series of candles: every window that does not span a break is scored and explained
 * in batches, then traded by the rules. Shared by the `backtest` command and its benchmark.
 */
import { attentionConcentration } from '../explain/attention';
import { explainBatch } from '../explain/explainer';
import type { FeatureSpec, Normalization } from '../features/spec';
import { historyLength, runFeatures, unbrokenRuns, type WindowWriter } from '../features/windows';
import { SIGNAL_CLASSES, type Candle } from '../ipc/contract';
import type { FinancialCnn } from '../model/network';
import { backtest, type BacktestResult, type BacktestRules, type TradeSignal } from './simulate';

export interface ExplainedWindow extends TradeSignal {
  candleStart: number;
  probabilities: number[];
  /** The three most attended candles of its window, most attended first. */
  topCandles: { start: number; weight: number }[];
}

export interface BacktestRun extends BacktestResult {
  windows: ExplainedWindow[];
}

const BATCH = 256;

export function runBacktest(
  model: FinancialCnn,
  candles: readonly Candle[],
  stepMs: number,
  features: FeatureSpec,
  normalization: Normalization,
  rules: BacktestRules,
  onProgress: (done: number, total: number) => void = () => {},
): BacktestRun {
  const needed = historyLength(features);
  // Window ends (indices into candles) with a full unbroken history behind them, each with its run's feature writer.
  const ends: { index: number; write: WindowWriter; end: number }[] = [];
  let offset = 0;
  for (const run of unbrokenRuns(candles, stepMs)) {
    if (run.length >= needed) {
      const write = runFeatures(run, features, stepMs, normalization);
      for (let end = needed - 1; end < run.length; end++) ends.push({ index: offset + end, write, end });
    }
    offset += run.length;
  }
  const windows: ExplainedWindow[] = [];
  const T = features.windowLength;
  const rowSize = T * features.channels.length;
  for (let from = 0; from < ends.length; from += BATCH) {
    const batch = ends.slice(from, from + BATCH);
    const inputs = new Float32Array(batch.length * rowSize);
    batch.forEach(({ write, end }, b) => write(end, inputs, b * rowSize));
    explainBatch(model, inputs, batch.length, { method: 'gradcam' }).forEach((e, b) => {
      const end = batch[b]?.index ?? 0;
      const ranked = e.cam.map((weight, i) => ({ start: candles[end + 1 - T + i]?.time ?? 0, weight })).sort((x, y) => y.weight - x.weight);
      windows.push({
        id: windows.length,
        index: end,
        candleStart: candles[end]?.time ?? 0,
        predicted: SIGNAL_CLASSES[e.predicted] ?? 'hold',
        confidence: e.probabilities[e.predicted] ?? 0,
        probabilities: e.probabilities,
        concentration: attentionConcentration(e.cam),
        topCandles: ranked.slice(0, 3),
      });
    });
    onProgress(Math.min(ends.length, from + BATCH), ends.length);
  }
  const periodsPerYear = (365 * 86_400_000) / stepMs;
  return { ...backtest(candles, windows, rules, periodsPerYear), windows };
}
