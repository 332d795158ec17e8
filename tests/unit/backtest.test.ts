import { describe, expect, it } from 'vitest';
import { equityCurve, maxDrawdown, sharpeRatio, sortinoRatio, tradeStats } from '../../src-main/backtest/metrics';
import { equityPoints } from '../../src-main/backtest/run';
import type { BacktestRules } from '../../src-shared/domain/backtest';
import { backtest, DEFAULT_RULES, type PriceBar, type TradeSignal } from '../../src-main/backtest/simulate';

describe('metrics, against hand-computed cases', () => {
  it('Sharpe: mean 0.01, sample std 0.01 → 1 per period, √4 = 2 annualized over 4 periods', () => {
    // returns 0, 0.02, 0, 0.02: mean 0.01; deviations ±0.01; sample variance 4·1e-4/3
    const r = [0, 0.02, 0, 0.02];
    expect(sharpeRatio(r, 4)).toBeCloseTo((0.01 / Math.sqrt(4e-4 / 3)) * 2, 12);
    expect(sharpeRatio([0.01, 0.01], 252)).toBe(0);
  });

  it('Sortino uses only the downside', () => {
    // returns 0.03, −0.01: mean 0.01; downside deviation sqrt((0 + 1e-4)/2)
    expect(sortinoRatio([0.03, -0.01], 1)).toBeCloseTo(0.01 / Math.sqrt(5e-5), 12);
    expect(sortinoRatio([0.01, 0.02], 1)).toBe(0);
  });

  it('maximum drawdown of 1 → 1.2 → 0.9 → 1.3 → 1.04 is 25%', () => {
    expect(maxDrawdown([1, 1.2, 0.9, 1.3, 1.04])).toBeCloseTo(0.25, 12);
  });

  it('win rate and profit factor', () => {
    expect(tradeStats([0.1, -0.05, 0.02, -0.05])).toEqual({ winRate: 0.5, profitFactor: expect.closeTo(1.2, 12) });
    expect(tradeStats([0.1]).profitFactor).toBe(Infinity);
    expect(tradeStats([])).toEqual({ winRate: 0, profitFactor: 0 });
  });

  it('compounds returns', () => {
    expect(equityCurve([0.1, -0.1])).toEqual([1, 1.1, expect.closeTo(0.99, 12)]);
  });
});

const bars: PriceBar[] = [100, 102, 104, 103, 101, 99, 100, 105].map((close, i, all) => ({
  time: i * 60_000,
  open: i === 0 ? 100 : (all[i - 1] ?? 0),
  close,
}));
const signal = (index: number, predicted: TradeSignal['predicted'], confidence = 0.8, concentration = 0.6): TradeSignal => ({
  index,
  predicted,
  confidence,
  concentration,
  id: index,
});
const free: BacktestRules = { ...DEFAULT_RULES, feeBps: 0, slippageBps: 0, holdCandles: 2, threshold: 0.6 };

describe('backtest', () => {
  it('enters at the next open and exits after H candles, with no look-ahead', () => {
    // buy at close of candle 0 → long at open of 1 (100), held 2 candles → exit at close of 2 (104)
    const result = backtest(bars, [signal(0, 'buy')], free, 1);
    expect(result.trades).toEqual([
      expect.objectContaining({
        side: 'long',
        entryIndex: 1,
        exitIndex: 2,
        entryPrice: 100,
        exitPrice: 104,
        exit: 'horizon',
        return: expect.closeTo(0.04, 12),
      }),
    ]);
    expect(result.strategy.totalReturn).toBeCloseTo(0.04, 12);
    expect(result.strategy.exposure).toBeCloseTo(2 / 8, 12);
    expect(result.equity.at(-1)).toBeCloseTo(1.04, 12);
  });

  it('charges fees and slippage on both sides', () => {
    const result = backtest(bars, [signal(0, 'buy')], { ...free, feeBps: 5, slippageBps: 5 }, 1);
    expect(result.trades[0]?.return).toBeCloseTo(0.04 - 0.002, 12);
    // per candle: entry candle 102/100 − 1 − 0.001, exit candle 104/102 − 1 − 0.001, compounded
    expect(result.strategy.totalReturn).toBeCloseTo((1 + 0.02 - 0.001) * (104 / 102 - 0.001) - 1, 12);
  });

  it('shorts on sell, exits on the opposite signal, and skips weak or diffuse signals', () => {
    const rules = { ...free, holdCandles: 10 };
    // sell at close of 2 → short at open of 3 (104); buy at close of 4 → cover at open of 5 (101)
    const result = backtest(
      bars,
      [signal(2, 'sell'), signal(4, 'buy'), signal(1, 'buy', 0.5), signal(0, 'buy', 0.9, 0.1)],
      { ...rules, minConcentration: 0.3 },
      1,
    );
    expect(result.trades[0]).toMatchObject({ side: 'short', entryPrice: 104, exitPrice: 101, exit: 'opposite' });
    expect(result.trades[0]?.return).toBeCloseTo(1 - 101 / 104, 12);
    // and reverses into the long the same candle, held to the end (close 105)
    expect(result.trades[1]).toMatchObject({ side: 'long', entryPrice: 101, exitPrice: 105, exit: 'end' });
    expect(backtest(bars, [signal(2, 'sell')], { ...rules, allowShort: false }, 1).trades).toEqual([]);
  });

  it('reports buy-and-hold over the same range', () => {
    const { buyAndHold } = backtest(bars, [], free, 1);
    expect(buyAndHold.totalReturn).toBeCloseTo(0.05, 12);
    expect(buyAndHold.trades).toBe(1);
    expect(buyAndHold.maxDrawdown).toBeCloseTo((104 - 99) / 104, 12);
  });
});

describe('backtest command', () => {
  it('trades the bundled model over a real file and prints the report with both sides, writing trades and signals as CSV', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { bundledModelPath } = await import('../../src-main/engine/engine');
    const { runCli, sharedCsvHead, tempDir } = await import('../helpers');
    const dir = tempDir();
    const csv = join(dir, 'btc.csv');
    writeFileSync(csv, sharedCsvHead('bybit_BTCUSDT_1m.csv', 400));
    const model = bundledModelPath() ?? '';
    const out = runCli([
      'backtest',
      '--model',
      model,
      '--csv',
      csv,
      '--threshold',
      '0.34',
      '--long-only',
      '--trades-csv',
      join(dir, 't.csv'),
      '--signals-csv',
      join(dir, 's.csv'),
    ]);
    expect(out.status).toBe(0);
    const report = JSON.parse(out.stdout) as {
      windows: number;
      rules: { allowShort: boolean };
      strategy: { trades: number };
      buyAndHold: { trades: number };
      trades: { side: string; signal: unknown }[];
    };
    // 400 candles, 160 per window (100 warm-up + 60): 241 windows
    expect(report.windows).toBe(241);
    expect(report.rules.allowShort).toBe(false);
    expect(report.buyAndHold.trades).toBe(1);
    expect(report.trades.length).toBeGreaterThan(0);
    expect(report.trades.every((t) => t.side === 'long' && t.signal !== undefined)).toBe(true);
    expect(readFileSync(join(dir, 's.csv'), 'utf8').trim().split('\n')).toHaveLength(242);
    expect(readFileSync(join(dir, 't.csv'), 'utf8').trim().split('\n')).toHaveLength(report.strategy.trades + 1);
    expect(runCli(['backtest', '--model', model, '--csv', csv, '--threshold', '2']).stderr).toContain(
      '--threshold must be a number from 0 to 1',
    );
  }, 120_000);
});

describe('equity points for the chart', () => {
  it('thins to at most the asked number, keeping each bucket’s last equity and deepest drawdown', () => {
    const equity = [1, 1.1, 0.9, 1.2, 1.0, 1.3, 1.25, 1.4, 1.35, 1.5];
    const drawdown = [0, 0, -0.18, 0, -0.17, 0, -0.04, 0, -0.03, 0];
    const holdEquity = [1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09];
    const bars = equity.map((_, i) => ({ time: i * 60_000 }));
    const points = equityPoints({ bars, equity, drawdown, holdEquity }, 4);
    expect(points).toEqual([
      { time: 2 * 60_000, equity: 0.9, hold: 1.02, drawdown: -0.18 },
      { time: 5 * 60_000, equity: 1.3, hold: 1.05, drawdown: -0.17 },
      { time: 8 * 60_000, equity: 1.35, hold: 1.08, drawdown: -0.04 },
      { time: 9 * 60_000, equity: 1.5, hold: 1.09, drawdown: 0 },
    ]);
    expect(equityPoints({ bars, equity, drawdown, holdEquity }, 100)).toHaveLength(10);
  });
});
