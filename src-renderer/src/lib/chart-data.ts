/** Pure mapping from stored candles to lightweight-charts bars (chart time is UTC seconds). */
import type { CandlestickData, HistogramData, UTCTimestamp } from 'lightweight-charts';
import type { Candle } from '../../../src-shared/domain/market';

/** Candles the chart keeps in memory for one stream; older ones stay in the store until scrolled to. */
export const MAX_IN_MEMORY = 100_000;

/** The chart's rise and fall colours: app.css's --up and --down, for what draws on a canvas. */
export const UP_COLOUR = '#26a69a';
export const DOWN_COLOUR = '#ef5350';

export function toBar(c: Candle): CandlestickData {
  return { time: (c.time / 1000) as UTCTimestamp, open: c.open, high: c.high, low: c.low, close: c.close };
}

export function toVolumeBar(c: Candle): HistogramData {
  return { time: (c.time / 1000) as UTCTimestamp, value: c.volume, color: c.close >= c.open ? `${UP_COLOUR}80` : `${DOWN_COLOUR}80` };
}
