/** The forecasts' price levels and words, as the chart and the panel show them (pure renderer code). */
import { describe, expect, it } from 'vitest';
import {
  anchorOf,
  forecastLines,
  forecastSignal,
  lowestVarIndex,
  rangePrice,
  varLevels,
} from '../../src-renderer/src/lib/forecast/forecast-levels';
import type { Signal } from '../../src-shared/domain/signal';
import { fixtureSignal } from '../signal-fixtures';

const forecasts = {
  volatility: 0.002,
  var: [
    { quantile: 0.05, logReturn: -0.003 },
    { quantile: 0.01, logReturn: -0.005 },
  ],
  sharpMove: 0.25,
  horizon: 16,
};

describe('forecast levels', () => {
  it('widens the range as √h over the horizon, in log terms around the close', () => {
    const anchor = { close: 100, horizon: 16 };
    expect(rangePrice(anchor, 0.002, 16, 1)).toBeCloseTo(100 * Math.exp(0.002), 12);
    expect(rangePrice(anchor, 0.002, 4, -2)).toBeCloseTo(100 * Math.exp(-2 * 0.002 * 0.5), 12);
    expect(rangePrice(anchor, 0.002, 0, 2)).toBe(100);
  });

  it('puts each VaR quantile at its price and loss, the lowest level first in words', () => {
    expect(varLevels({ close: 200, forecasts })).toEqual([
      { quantile: 0.05, price: 200 * Math.exp(-0.003), change: Math.expm1(-0.003) },
      { quantile: 0.01, price: 200 * Math.exp(-0.005), change: Math.expm1(-0.005) },
    ]);
    expect(lowestVarIndex(forecasts)).toBe(1);
    expect(lowestVarIndex({})).toBeUndefined();
    expect(forecastLines(forecasts)).toEqual([
      { head: 'volatility', target: 0, title: 'Range, next 16 candles', value: '±0.20% (1σ)' },
      { head: 'var', target: 1, title: 'VaR 1%, next 16 candles', value: '−0.50%' },
      { head: 'sharp', target: 0, title: 'Sharp move, next 16 candles', value: '25%' },
    ]);
  });

  it('draws the selected signal’s forecasts, else the newest that has some, anchored on its candle’s close', () => {
    const plain: Signal = { ...fixtureSignal(0), id: 1 };
    const older: Signal = { ...fixtureSignal(2), id: 2, forecasts };
    const newest: Signal = { ...fixtureSignal(4), id: 3, forecasts };
    expect(forecastSignal(undefined, [older, newest, plain])).toBe(newest);
    expect(forecastSignal(older, [older, newest])).toBe(older);
    expect(forecastSignal(plain, [older, plain])).toBe(older);
    expect(forecastSignal(undefined, [plain])).toBeUndefined();
    expect(anchorOf(newest, () => 50)).toEqual({ signalId: 3, time: newest.candleStart, close: 50, horizon: 16, forecasts });
    // Not drawn: a candle the chart does not hold, or forecasts whose horizon is unknown.
    expect(anchorOf(newest, () => undefined)).toBeUndefined();
    expect(anchorOf({ ...newest, forecasts: { ...forecasts, horizon: undefined } }, () => 50)).toBeUndefined();
  });
});
