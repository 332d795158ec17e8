/**
 * Pure trading simulation over candles and the model's signals, with no look-ahead: a signal is
 * known at the close of its candle, so a position opens at the next candle's open.
 */
import { BacktestRulesSchema, type BacktestRules } from '../../src-shared/domain/backtest';
import type { PerformanceReport } from '../../src-shared/domain/backtest';
import { equityCurve, performance } from './metrics';
import { volatilityTargetSize } from './volatility-sizing';
import { iso } from '../../src-shared/domain/iso-time';

export const DEFAULT_RULES: BacktestRules = BacktestRulesSchema.parse({});

export interface PriceBar {
  time: number;
  open: number;
  close: number;
}

/** The forecast heads' outputs a backtest reads: the H-candle volatility and the 1 % and 5 % VaR. */
export interface WindowForecasts {
  volatility?: number;
  var01?: number;
  var05?: number;
}

export interface TradeSignal {
  /** Index of the candle whose close produced the signal. */
  index: number;
  predicted: 'buy' | 'hold' | 'sell';
  /** Probability of the predicted class. */
  confidence: number;
  /** Attention concentration of its explanation (see explain/attention). */
  concentration: number;
  /** Identifies the stored signal, so a trade can show its entry explanation. */
  id: number;
  /** The volatility head's forecast of one candle's log-return volatility ahead; absent without that head. */
  volatility?: number;
}

export interface Trade {
  side: 'long' | 'short';
  entryIndex: number;
  exitIndex: number;
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  /** Net of fees and slippage on both sides. */
  return: number;
  exit: 'horizon' | 'opposite' | 'end';
  signalId: number;
  /** Position in multiples of the account (1 unless volatility-targeted). */
  size: number;
}

export interface BacktestResult {
  strategy: PerformanceReport;
  buyAndHold: PerformanceReport;
  trades: Trade[];
  /** Strategy equity after each candle (starts at 1 before the first). */
  equity: number[];
  drawdown: number[];
  /** Buy-and-hold equity after each candle, on the same scale (net of its entry and exit costs). */
  holdEquity: number[];
}

function drawdowns(equity: readonly number[]): number[] {
  let peak = -Infinity;
  return equity.map((value) => {
    peak = Math.max(peak, value);
    return (value - peak) / peak;
  });
}

export function backtest(
  bars: readonly PriceBar[],
  signals: readonly TradeSignal[],
  rules: BacktestRules,
  periodsPerYear: number,
): BacktestResult {
  const cost = (rules.feeBps + rules.slippageBps) / 10_000;
  const byIndex = new Map(signals.map((s) => [s.index, s]));
  const passes = (s: TradeSignal | undefined) =>
    s !== undefined &&
    s.predicted !== 'hold' &&
    s.confidence >= rules.threshold &&
    s.concentration >= rules.minConcentration &&
    (s.predicted === 'buy' || rules.allowShort);
  // Per-candle returns: candle t's return is earned from the close of t−1 (or the entry open) to its close.
  const returns = new Array<number>(bars.length).fill(0);
  const trades: Trade[] = [];
  let position: { side: 'long' | 'short'; entryIndex: number; entryPrice: number; signalId: number; size: number } | undefined;
  const target = rules.volatilityTarget;
  // A position of size s earns s times the price move and pays s times the costs.
  const sizeFor = (s: TradeSignal, at: number): number =>
    target === null ? 1 : volatilityTargetSize(s.volatility, { annual: target, maxPosition: rules.maxPosition, periodsPerYear }, iso(at));
  let barsInMarket = 0;

  const close = (exitIndex: number, exitPrice: number, exit: Trade['exit']) => {
    if (position === undefined) return;
    const direction = position.side === 'long' ? 1 : -1;
    const bar = bars[exitIndex] as PriceBar;
    trades.push({
      side: position.side,
      entryIndex: position.entryIndex,
      exitIndex,
      entryTime: (bars[position.entryIndex] as PriceBar).time,
      exitTime: bar.time,
      entryPrice: position.entryPrice,
      exitPrice,
      return: position.size * (direction * (exitPrice / position.entryPrice - 1) - 2 * cost),
      exit,
      signalId: position.signalId,
      size: position.size,
    });
    returns[exitIndex] = (returns[exitIndex] ?? 0) - position.size * cost;
    position = undefined;
  };

  for (let t = 0; t < bars.length; t++) {
    const bar = bars[t] as PriceBar;
    const previous = byIndex.get(t - 1);
    // Act at this candle's open on what the previous close said.
    if (position !== undefined && passes(previous) && rules.exitOnOpposite) {
      const opposite =
        (position.side === 'long' && previous?.predicted === 'sell') || (position.side === 'short' && previous?.predicted === 'buy');
      if (opposite) close(t, bar.open, 'opposite');
    }
    if (position === undefined && previous !== undefined && passes(previous)) {
      const size = sizeFor(previous, (bars[t - 1] as PriceBar).time);
      position = {
        side: previous.predicted === 'buy' ? 'long' : 'short',
        entryIndex: t,
        entryPrice: bar.open,
        signalId: previous.id,
        size,
      };
      returns[t] = (returns[t] ?? 0) - size * cost;
    }
    if (position !== undefined) {
      const direction = position.side === 'long' ? 1 : -1;
      const from = position.entryIndex === t ? position.entryPrice : (bars[t - 1] as PriceBar).close;
      returns[t] = (returns[t] ?? 0) + position.size * direction * (bar.close / from - 1);
      barsInMarket += 1;
      if (t - position.entryIndex + 1 >= rules.holdCandles) close(t, bar.close, 'horizon');
      else if (t === bars.length - 1) close(t, bar.close, 'end');
    }
  }

  const first = bars[0];
  const holdReturns = bars.map((bar, t) => bar.close / (t === 0 ? bar.open : (bars[t - 1] as PriceBar).close) - 1);
  if (holdReturns.length > 0) {
    holdReturns[0] = (holdReturns[0] ?? 0) - cost;
    holdReturns[holdReturns.length - 1] = (holdReturns.at(-1) ?? 0) - cost;
  }
  const last = bars.at(-1);
  const holdTrade = first === undefined || last === undefined ? [] : [last.close / first.open - 1 - 2 * cost];
  const equity = equityCurve(returns).slice(1);
  return {
    strategy: performance(
      returns,
      trades.map((tr) => tr.return),
      bars.length === 0 ? 0 : barsInMarket / bars.length,
      periodsPerYear,
    ),
    buyAndHold: performance(holdReturns, holdTrade, bars.length === 0 ? 0 : 1, periodsPerYear),
    trades,
    equity,
    drawdown: drawdowns(equity),
    holdEquity: equityCurve(holdReturns).slice(1),
  };
}
