/**
 * The backtest's CSV exports, pure: written by the `backtest` command to files and by the UI as
 * downloads, from the same rows.
 */
import type { BacktestSignal, BacktestTrade } from './backtest';

export function signalsCsv(signals: readonly BacktestSignal[]): string {
  const rows = signals.map((w) =>
    [w.candleStart, w.predicted, ...w.probabilities.map((p) => p.toFixed(6)), w.concentration.toFixed(4)].join(','),
  );
  return `candle_start,predicted,p_buy,p_hold,p_sell,attention_concentration\n${rows.map((r) => `${r}\n`).join('')}`;
}

export function tradesCsv(trades: readonly BacktestTrade[]): string {
  const rows = trades.map((t) =>
    [
      t.side,
      t.entryTime,
      t.exitTime,
      t.entryPrice,
      t.exitPrice,
      t.return.toFixed(6),
      t.exit,
      t.signal.candleStart,
      t.signal.confidence.toFixed(4),
      t.signal.concentration.toFixed(4),
    ].join(','),
  );
  return `side,entry_time,exit_time,entry_price,exit_price,return,exit,signal_candle,signal_confidence,signal_concentration\n${rows.map((r) => `${r}\n`).join('')}`;
}
