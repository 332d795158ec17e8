/**
 * A model over a series of candles: every window that does not span a break is scored and explained
 * in batches, then traded by the rules. Shared by the `backtest` command, the engine's
 * `backtest.run` (in the model worker) and the benchmark.
 */
import { attentionConcentration, topIndices } from '../../src-shared/domain/attention';
import { explainBatch } from '../explain/explainer';
import { unbrokenRuns } from '../features/windows';
import { modelKind } from '../model/kinds';
import type { ModelPipeline } from '../model/kinds/kind';
import { SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import type { BacktestTrade, EquityPoint } from '../../src-shared/domain/backtest';
import type { Candle } from '../../src-shared/domain/market';
import type { FinancialCnn } from '../model/network';
import type { BacktestRules } from '../../src-shared/domain/backtest';
import { backtest, type BacktestResult, type TradeSignal, type WindowForecasts } from './simulate';
import { iso } from '../../src-shared/domain/iso-time';

export interface ExplainedWindow extends TradeSignal {
  candleStart: number;
  probabilities: number[];
  /** The three most attended candles of its window, most attended first. */
  topCandles: { start: number; weight: number }[];
  /** What the model's forecast heads expect of the next H candles (only the heads it has). */
  forecasts: WindowForecasts;
}

export interface BacktestRun extends BacktestResult {
  windows: ExplainedWindow[];
  /** The candles traded (from `from` on); trade and window indices point into these. */
  bars: readonly Candle[];
  /** Candles a year: Sharpe and Sortino are annualised by its square root. */
  periodsPerYear: number;
}

/** What the backtest reads of a window's explanation. */
export interface WindowCall {
  predicted: number;
  probabilities: number[];
  /** Normalized Grad-CAM, one weight per candle of the window. */
  cam: number[];
  forecasts: WindowForecasts;
}

/** The forecasts a backtest reads of a window's explanation, only those the model makes. */
export function backtestForecasts({ volatility, var01, var05 }: WindowForecasts): WindowForecasts {
  return {
    ...(volatility === undefined ? {} : { volatility }),
    ...(var01 === undefined ? {} : { var01 }),
    ...(var05 === undefined ? {} : { var05 }),
  };
}

/** Explains `batch` windows (flat [B, T, C]); the local model, or an ExplainPool's threads. */
export type BatchExplainer = (inputs: Float32Array<ArrayBuffer>, batch: number) => Promise<WindowCall[]>;

/** The model on this thread, by its public batched path. */
export function localExplainer(model: FinancialCnn): BatchExplainer {
  return (inputs, batch) =>
    Promise.resolve(
      explainBatch(model, inputs, batch, { method: 'gradcam' }).map((e) => ({ ...e, forecasts: backtestForecasts(e.forecasts) })),
    );
}

export interface BacktestOptions {
  /** Trade from the candle starting at or after this time; earlier candles only warm the first windows up. */
  from?: number;
  onProgress?: (done: number, total: number) => void;
  /** Asked between batches; true stops the run with a BacktestCancelled error. */
  cancelled?: () => boolean;
  /** Batches explained at once (an ExplainPool's size); 1 for the local model. */
  parallel?: number;
  /** The model's label horizon H: its volatility forecast over √H is one candle's, which volatility targeting sizes by. */
  horizon?: number;
}

export class BacktestCancelled extends Error {
  override name = 'BacktestCancelled';
  constructor() {
    super('the backtest was cancelled');
  }
}

const BATCH = 256;

export async function runBacktest(
  explain: BatchExplainer,
  candles: readonly Candle[],
  stepMs: number,
  pipeline: ModelPipeline,
  rules: BacktestRules,
  { from = 0, onProgress = () => {}, cancelled = () => false, parallel = 1, horizon = 1 }: BacktestOptions = {},
): Promise<BacktestRun> {
  const kind = modelKind(pipeline.spec);
  const { historyLength: needed, windowLength: T } = kind.window(pipeline);
  const firstBar = Math.max(
    0,
    candles.findIndex((c) => c.time >= from),
  );
  // Window ends (indices into candles) with a full unbroken history behind them, each with its run's feature writer.
  const ends: { index: number; write: ReturnType<typeof kind.runEncoder>; end: number }[] = [];
  let offset = 0;
  for (const run of unbrokenRuns(candles, stepMs)) {
    if (run.length >= needed) {
      const write = kind.runEncoder(pipeline, run, stepMs);
      for (let end = Math.max(needed - 1, firstBar - offset); end < run.length; end++) ends.push({ index: offset + end, write, end });
    }
    offset += run.length;
  }
  const windows: ExplainedWindow[] = [];
  const rowSize = kind.geometry.positions(pipeline.spec) * pipeline.spec.input_channels;
  const record = (batch: typeof ends, calls: WindowCall[]) =>
    calls.forEach((e, b) => {
      const end = batch[b]?.index ?? 0;
      windows.push({
        id: windows.length,
        index: end - firstBar,
        candleStart: candles[end]?.time ?? 0,
        predicted: SIGNAL_CLASSES[e.predicted] ?? 'hold',
        confidence: e.probabilities[e.predicted] ?? 0,
        probabilities: e.probabilities,
        concentration: attentionConcentration(e.cam),
        topCandles: topIndices(e.cam, 3).map((i) => ({ start: candles[end + 1 - T + i]?.time ?? 0, weight: e.cam[i] ?? 0 })),
        forecasts: e.forecasts,
        ...(e.forecasts.volatility === undefined ? {} : { volatility: e.forecasts.volatility / Math.sqrt(horizon) }),
      });
    });
  // Up to `parallel` batches in flight, recorded in order.
  const inFlight: { batch: typeof ends; calls: Promise<WindowCall[]> }[] = [];
  const settleOldest = async () => {
    const oldest = inFlight.shift();
    if (oldest === undefined) return;
    record(oldest.batch, await oldest.calls);
    onProgress(windows.length, ends.length);
  };
  try {
    for (let start = 0; start < ends.length; start += BATCH) {
      // Between batches the event loop turns, so that a cancel request can arrive.
      await new Promise((resolve) => setImmediate(resolve));
      if (cancelled()) throw new BacktestCancelled();
      const batch = ends.slice(start, start + BATCH);
      const inputs = new Float32Array(batch.length * rowSize);
      batch.forEach(({ write, end }, b) => write(end, inputs, b * rowSize));
      inFlight.push({ batch, calls: explain(inputs, batch.length) });
      if (inFlight.length >= parallel) await settleOldest();
    }
    while (inFlight.length > 0) await settleOldest();
  } finally {
    // A failed or cancelled run leaves no rejection unobserved.
    for (const pending of inFlight) pending.calls.catch(() => {});
  }
  const bars = candles.slice(firstBar);
  const periodsPerYear = (365 * 86_400_000) / stepMs;
  return { ...backtest(bars, windows, rules, periodsPerYear), windows, bars, periodsPerYear };
}

/** The trades with their entry signal in short (time, confidence, concentration, top candles). */
export function tradesWithSignals(run: Pick<BacktestRun, 'trades' | 'windows'>): BacktestTrade[] {
  const byId = new Map(run.windows.map((w) => [w.id, w]));
  return run.trades.map((t) => {
    const entry = byId.get(t.signalId);
    if (entry === undefined) throw new Error(`trade at ${iso(t.entryTime)} has no entry signal`);
    return {
      side: t.side,
      entryTime: t.entryTime,
      exitTime: t.exitTime,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      return: t.return,
      exit: t.exit,
      size: t.size,
      signal: {
        candleStart: entry.candleStart,
        confidence: entry.confidence,
        concentration: entry.concentration,
        topCandles: entry.topCandles,
      },
    };
  });
}

/**
 * The equity, buy-and-hold equity and drawdown after each bar, thinned to at most `points` for a
 * chart: each kept point closes a bucket with its last equities and the bucket's deepest drawdown, so
 * no trough is lost.
 */
export function equityPoints(
  run: { bars: readonly Pick<Candle, 'time'>[]; equity: readonly number[]; drawdown: readonly number[]; holdEquity: readonly number[] },
  points = 4000,
): EquityPoint[] {
  const bucket = Math.max(1, Math.ceil(run.bars.length / points));
  const out: EquityPoint[] = [];
  for (let from = 0; from < run.bars.length; from += bucket) {
    const last = Math.min(run.bars.length, from + bucket) - 1;
    let drawdown = 0;
    for (let i = from; i <= last; i++) drawdown = Math.min(drawdown, run.drawdown[i] ?? 0);
    out.push({ time: run.bars[last]?.time ?? 0, equity: run.equity[last] ?? 1, hold: run.holdEquity[last] ?? 1, drawdown });
  }
  return out;
}
