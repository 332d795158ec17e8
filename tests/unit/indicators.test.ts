import { describe, expect, it } from 'vitest';
import { channelSeries, finiteChannels, seededChannels } from '../../src-shared/indicators/channels';
import { bollingerBands, ema, macd, macdHistogram, rsi, sma, vwap } from '../../src-shared/indicators/indicators';
import { FEATURE_CHANNELS } from '../../src-shared/domain/feature-spec';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { sharedCsvHead } from '../helpers';

/** Wilder's worked example as StockCharts reproduces it ("Relative Strength Index (RSI)", ChartSchool). */
const WILDER_CLOSES = [
  44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0, 46.03, 46.41, 46.22, 45.64,
  46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66, 43.13,
];
/** StockCharts' RSI(14) column from the 15th close on; their table rounds the averages to two places. */
const STOCKCHARTS_RSI = [
  70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46, 37.3, 33.08, 37.77,
];

describe('indicators against published values', () => {
  it("gives Wilder's RSI(14): 70.46 exactly from the raw averages (3.34/14 up, 1.40/14 down), StockCharts' table within 0.1", () => {
    const values = rsi(WILDER_CLOSES, 14);
    expect(values[14]).toBeCloseTo(100 - 100 / (1 + 3.34 / 1.4), 9);
    expect(values[14]).toBeCloseTo(70.4641, 4);
    STOCKCHARTS_RSI.forEach((published, i) => expect(Math.abs((values[14 + i] ?? NaN) - published)).toBeLessThan(0.1));
    expect(values[13]).toBe(50); // not yet 14 changes
  });

  it('gives the SMA and an EMA stepping by α = 2/(n+1) from its seed', () => {
    expect(Array.from(sma([1, 2, 3, 4, 5], 3))).toEqual([1, 1.5, 2, 3, 4]);
    // Seeded with SMA(3) of 1, 2, 3 = 2, as the textbook does: 4·½ + 2·½ = 3, then 5·½ + 3·½ = 4.
    expect(Array.from(ema([2, 4, 5], 3))).toEqual([2, 3, 4]);
  });

  it('gives Bollinger bands of the population standard deviation (Bollinger on Bollinger Bands)', () => {
    const closes = Array.from({ length: 20 }, (_, i) => i + 1);
    const { middle, upper, lower } = bollingerBands(closes, 20, 2);
    const sigma = Math.sqrt((20 * 20 - 1) / 12); // population σ of 1..20
    expect(middle[19]).toBeCloseTo(10.5, 12);
    expect(upper[19]).toBeCloseTo(10.5 + 2 * sigma, 12);
    expect(lower[19]).toBeCloseTo(10.5 - 2 * sigma, 12);
  });

  it('gives MACD as EMA12 − EMA26, its EMA9 signal and the histogram between them', () => {
    const closes = WILDER_CLOSES;
    const { line, signal, histogram } = macd(closes);
    const fast = ema(closes, 12);
    const slow = ema(closes, 26);
    for (let i = 0; i < closes.length; i++) {
      expect(line[i]).toBe((fast[i] ?? 0) - (slow[i] ?? 0));
      expect(histogram[i]).toBe((line[i] ?? 0) - (signal[i] ?? 0));
    }
    expect(Array.from(signal)).toEqual(Array.from(ema(line, 9)));
    expect(Array.from(macdHistogram(closes))).toEqual(Array.from(histogram));
  });

  it('gives the VWAP of the typical price, starting again at each UTC day', () => {
    const day = 86_400_000;
    const candles = [
      { time: day - 120_000, high: 12, low: 9, close: 9, volume: 2 }, // typical 10
      { time: day - 60_000, high: 22, low: 19, close: 19, volume: 3 }, // typical 20 → (20 + 60) / 5 = 16
      { time: day, high: 31, low: 29, close: 30, volume: 1 }, // a new day: 30
      { time: day + 60_000, high: 1, low: 1, close: 1, volume: 0 }, // no volume: stays 30
    ];
    expect(Array.from(vwap(candles))).toEqual([10, 16, 30, 30]);
  });
});

describe('the model channels', () => {
  const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 400), '1');

  it('gives each pane the series the features compute, channel by channel', () => {
    const finite = finiteChannels(candles);
    const seeded = seededChannels(Float64Array.from(candles, (c) => c.close));
    for (const channel of FEATURE_CHANNELS)
      expect(Array.from(channelSeries(candles, channel))).toEqual(Array.from(finite[channel] ?? seeded[channel] ?? []));
    expect(channelSeries(candles, 'rsi14')[200]).toBeCloseTo((rsi(candles.map((c) => c.close))[200] ?? 0) / 100, 12);
  });
});
