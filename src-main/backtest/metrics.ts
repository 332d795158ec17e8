/** Pure performance figures of a return series and of a list of trades. */
import type { PerformanceReport } from '../../src-shared/domain/backtest';

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Sample standard deviation (n − 1). */
function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Annualized Sharpe ratio of per-period simple returns (risk-free rate 0); 0 when flat. */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number): number {
  const s = std(returns);
  return s === 0 ? 0 : (mean(returns) / s) * Math.sqrt(periodsPerYear);
}

/** Annualized Sortino ratio: mean over downside deviation sqrt(mean(min(r, 0)²)); 0 without downside. */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number): number {
  const downside = Math.sqrt(mean(returns.map((r) => Math.min(r, 0) ** 2)));
  return downside === 0 ? 0 : (mean(returns) / downside) * Math.sqrt(periodsPerYear);
}

/** Largest peak-to-trough fall of an equity curve, as a positive fraction of the peak. */
export function maxDrawdown(equity: readonly number[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const value of equity) {
    peak = Math.max(peak, value);
    worst = Math.max(worst, (peak - value) / peak);
  }
  return worst;
}

/** Share of winning trades, and gross profit over gross loss (Infinity when nothing was lost). */
export function tradeStats(tradeReturns: readonly number[]): { winRate: number; profitFactor: number } {
  const gains = tradeReturns.filter((r) => r > 0).reduce((a, b) => a + b, 0);
  const losses = -tradeReturns.filter((r) => r < 0).reduce((a, b) => a + b, 0);
  return {
    winRate: tradeReturns.length === 0 ? 0 : tradeReturns.filter((r) => r > 0).length / tradeReturns.length,
    profitFactor: losses === 0 ? (gains > 0 ? Infinity : 0) : gains / losses,
  };
}

/** Compounds per-period returns into an equity curve starting at 1 (one point more than returns). */
export function equityCurve(returns: readonly number[]): number[] {
  const curve = [1];
  for (const r of returns) curve.push((curve.at(-1) ?? 1) * (1 + r));
  return curve;
}

export function performance(
  returns: readonly number[],
  tradeReturns: readonly number[],
  exposure: number,
  periodsPerYear: number,
): PerformanceReport {
  const equity = equityCurve(returns);
  const { winRate, profitFactor } = tradeStats(tradeReturns);
  return {
    totalReturn: (equity.at(-1) ?? 1) - 1,
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    maxDrawdown: maxDrawdown(equity),
    winRate,
    // Infinite (nothing lost) has no JSON form: the report says null.
    profitFactor: Number.isFinite(profitFactor) ? profitFactor : null,
    trades: tradeReturns.length,
    exposure,
  };
}
