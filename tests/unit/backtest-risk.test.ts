/**
 * The backtest's risk side, pure: volatility-targeted sizing worked out by hand, and the VaR
 * backtest of a range on real candles (the first 2,000 of Bybit BTCUSDT 1m): where its baselines are
 * fitted, which windows it tests, and the violations it plots, recounted here from the closes.
 */
import { describe, expect, it } from 'vitest';
import { backtest, DEFAULT_RULES, type PriceBar, type TradeSignal } from '../../src-main/backtest/simulate';
import { FIT_SHARE, minimumFitCandles, varBacktest, type VarBacktestInput } from '../../src-main/backtest/var-backtest';
import { volatilityTargetSize } from '../../src-main/backtest/volatility-sizing';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import type { BacktestRules } from '../../src-shared/domain/backtest';
import type { Candle } from '../../src-shared/domain/market';
import { RiskReportSchema } from '../../src-shared/domain/risk-report';
import { sharedCsvHead } from '../helpers';

describe('volatility-targeted sizing', () => {
  it('is target per candle over forecast per candle, capped: worked out by hand', () => {
    // 4 candles a year: a 0.2 annual target is 0.2 / √4 = 0.1 a candle; a 0.05 forecast → size 2, 0.4 → 0.25.
    const target = { annual: 0.2, maxPosition: 3, periodsPerYear: 4 };
    expect(volatilityTargetSize(0.05, target, 'now')).toBeCloseTo(2, 12);
    expect(volatilityTargetSize(0.4, target, 'now')).toBeCloseTo(0.25, 12);
    // 0.01 would be 10: capped at 3.
    expect(volatilityTargetSize(0.01, target, 'now')).toBe(3);
  });

  it('refuses a model without a volatility forecast, or a forecast that is no volatility, saying which signal', () => {
    const target = { annual: 0.2, maxPosition: 3, periodsPerYear: 4 };
    expect(() => volatilityTargetSize(undefined, target, '2025-01-01T00:00:00.000Z')).toThrow(
      /needs the model's volatility forecast, and the signal at 2025-01-01T00:00:00.000Z has none: the model has no volatility head/,
    );
    expect(() => volatilityTargetSize(0, target, 'x')).toThrow(/positive finite volatility forecast; the signal at x forecasts 0/);
    expect(() => volatilityTargetSize(Number.NaN, target, 'x')).toThrow(/forecasts NaN/);
  });

  const bars: PriceBar[] = [100, 102, 104, 103].map((close, i, all) => ({
    time: i * 60_000,
    open: i === 0 ? 100 : (all[i - 1] ?? 0),
    close,
  }));
  const buy = (volatility?: number): TradeSignal => ({
    index: 0,
    predicted: 'buy',
    confidence: 0.8,
    concentration: 0.6,
    id: 0,
    volatility,
  });
  const rules: BacktestRules = { ...DEFAULT_RULES, holdCandles: 2, threshold: 0.6, feeBps: 5, slippageBps: 5, volatilityTarget: 0.2 };

  it('scales the trade, its per-candle returns and its costs by the size: worked out by hand', () => {
    // Forecast 0.2 a candle, target 0.1 a candle (0.2 a year over √4): size 0.5. Long at open 100,
    // out at close 104 after 2 candles; costs 10 bps a side.
    const result = backtest(bars, [buy(0.2)], rules, 4);
    expect(result.trades).toEqual([expect.objectContaining({ size: 0.5, entryPrice: 100, exitPrice: 104 })]);
    // 0.5 · (104/100 − 1 − 2 · 0.001) = 0.019
    expect(result.trades[0]?.return).toBeCloseTo(0.019, 12);
    // Per candle: 0.5 · (102/100 − 1) − 0.5 · 0.001 = 0.0095, then 0.5 · (104/102 − 1) − 0.0005, compounded.
    const second = 0.5 * (104 / 102 - 1) - 0.0005;
    expect(result.strategy.totalReturn).toBeCloseTo(1.0095 * (1 + second) - 1, 12);
    // Fixed size (no target) trades 1, as before.
    expect(backtest(bars, [buy(0.2)], { ...rules, volatilityTarget: null }, 4).trades[0]).toMatchObject({
      size: 1,
      return: expect.closeTo(0.038, 12),
    });
    // A forecast of 0.001 a candle asks for 100: capped at maxPosition.
    expect(backtest(bars, [buy(0.001)], { ...rules, maxPosition: 1.5 }, 4).trades[0]?.size).toBe(1.5);
  });

  it('refuses to size a trade without a volatility forecast', () => {
    expect(() => backtest(bars, [buy()], rules, 4)).toThrow(/has none: the model has no volatility head/);
  });
});

describe('the VaR backtest of a range', () => {
  const STEP = 60_000;
  const H = 5;
  const T = 30;
  const CANDLES = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 2000), '1');
  const at = (i: number): number => (CANDLES[i] as Candle).time;
  /** A model forecasting a flat 1 % and 5 % VaR for every window of the series. */
  const windows = CANDLES.slice(T).map((c) => ({ candleStart: c.time, forecasts: { var01: -0.003, var05: -0.0015, volatility: 0.002 } }));
  const input = (from: number): VarBacktestInput => ({ candles: CANDLES, stepMs: STEP, from, horizon: H, trailingWindow: T, windows });

  /** The counted windows (every H-th from the first tested one) whose next-H log return fell below the VaR, by hand from the closes. */
  function violationsByHand(firstTested: number, quantile: number): number[] {
    const times: number[] = [];
    for (let t = firstTested; t <= CANDLES.length - 1 - H; t += H) {
      const realized = Math.log((CANDLES[t + H] as Candle).close / (CANDLES[t] as Candle).close);
      if (realized < quantile) times.push(at(t));
    }
    return times;
  }

  it('fits its baselines on the candles before the range and tests every window of the range', () => {
    const result = varBacktest(input(at(1200)));
    if (result.status !== 'done') throw new Error(result.reason);
    const report = RiskReportSchema.parse(result.report);
    expect(report.training.to).toBe(at(1199));
    expect(report.test).toEqual({ from: at(1200), to: at(CANDLES.length - 1 - H), windows: CANDLES.length - H - 1200 });
    // Only the VaR heads are backtested: no volatility or sharp-move section.
    expect(report.volatility).toBeUndefined();
    expect(report.sharpMove).toBeUndefined();
    const [one, five] = report.var ?? [];
    expect(one?.quantile).toBe(0.01);
    expect(violationsByHand(1200, -0.003).length).toBeGreaterThan(0);
    expect(one?.model?.violationTimes).toEqual(violationsByHand(1200, -0.003));
    expect(five?.model?.violationTimes).toEqual(violationsByHand(1200, -0.0015));
    expect(one?.model?.violations).toBe(one?.model?.violationTimes?.length);
    expect(one?.model?.violationRate).toBeCloseTo((one?.model?.violations ?? NaN) / (one?.model?.n ?? NaN), 15);
    expect(one?.baselines.map((b) => b.name)).toEqual(['historical simulation', 'EWMA-normal']);
    expect(one?.baselines.every((b) => b.violationTimes?.length === b.violations && b.dieboldMariano !== undefined)).toBe(true);
    expect(report.verdicts.filter((v) => v.head === 'var')).toHaveLength(4);
  });

  it('with too few candles before the range, fits on its first third and tests the rest', () => {
    const result = varBacktest(input(at(100)));
    if (result.status !== 'done') throw new Error(result.reason);
    const fitted = Math.max(minimumFitCandles(H, T), Math.ceil(CANDLES.length * FIT_SHARE));
    expect(fitted).toBe(667);
    expect(result.report.training.to).toBe(at(fitted - 1));
    expect(result.report.test.from).toBe(at(fitted));
    expect(result.report.var?.[0]?.model?.violationTimes).toEqual(violationsByHand(fitted, -0.003));
  });

  it('says why there is no VaR backtest: no VaR head, or too few candles', () => {
    const noVar = varBacktest({ ...input(at(1200)), windows: windows.map((w) => ({ ...w, forecasts: { volatility: 0.002 } })) });
    expect(noVar).toEqual({ status: 'unavailable', reason: 'the model has no VaR head: there is no VaR to backtest' });
    const short = varBacktest({ ...input(at(0)), candles: CANDLES.slice(0, 120) });
    expect(short).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/too few candles for a VaR backtest/) });
  });
});
