/**
 * Higher timeframes from 1-minute candles, as Bybit aggregates its klines: buckets start-aligned on
 * the interval (UTC days; weeks from Monday 00:00 UTC), the first open, the highest high, the lowest
 * low, the last close and the summed volume. Pure.
 */
import { candleStartAt, nextCandleStart, type Interval } from './intervals';
import type { Candle } from './market';

/** The timeframes the chart offers from a stored 1-minute stream (3m … 1D, and the week). */
export const RESAMPLED_INTERVALS = ['3', '5', '15', '30', '60', '240', 'D', 'W'] as const satisfies readonly Interval[];
export type ResampledInterval = (typeof RESAMPLED_INTERVALS)[number];

export function isResampledInterval(interval: Interval): interval is ResampledInterval {
  return (RESAMPLED_INTERVALS as readonly Interval[]).includes(interval);
}

const MINUTE_MS = 60_000;

/** 1-minute candles a full bucket holds (fewer means a break in the data cut it). */
export function minutesPerBucket(interval: ResampledInterval, bucketStart: number): number {
  return (nextCandleStart(interval, bucketStart) - bucketStart) / MINUTE_MS;
}

export interface Resampled {
  candles: Candle[];
  /** Starts of the buckets a break in the 1-minute data cut: aggregated from the minutes there are. */
  cut: number[];
}

/**
 * Aggregates ascending 1-minute candles into the interval's buckets. A bucket is confirmed once its
 * last minute is confirmed, or once a later minute exists (a break ended it); the newest one may be
 * forming. A bucket with minutes missing is aggregated from those present and listed in `cut`.
 */
export function resample(minutes: readonly Candle[], interval: ResampledInterval): Resampled {
  const candles: Candle[] = [];
  const cut: number[] = [];
  let bucket: Candle | undefined;
  let bucketEnd = 0;
  let count = 0;
  const close = (next: boolean): void => {
    if (bucket === undefined) return;
    if (next) bucket.confirmed = true;
    if (count < (bucketEnd - bucket.time) / MINUTE_MS) cut.push(bucket.time);
    candles.push(bucket);
  };
  for (const m of minutes) {
    if (bucket === undefined || m.time >= bucketEnd) {
      close(true);
      const start = candleStartAt(interval, m.time);
      bucketEnd = nextCandleStart(interval, start);
      bucket = { time: start, open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume, confirmed: false };
      count = 0;
    } else {
      if (m.high > bucket.high) bucket.high = m.high;
      if (m.low < bucket.low) bucket.low = m.low;
      bucket.close = m.close;
      bucket.volume += m.volume;
    }
    count++;
    if (m.time + MINUTE_MS === bucketEnd) bucket.confirmed = m.confirmed;
  }
  close(false);
  return { candles, cut };
}

/** A bucket's candle with one more minute folded in (after every minute it already holds). */
function fold(bucket: Candle | undefined, minute: Candle, start: number): Candle {
  if (bucket === undefined) return { ...minute, time: start };
  return {
    time: start,
    open: bucket.open,
    high: Math.max(bucket.high, minute.high),
    low: Math.min(bucket.low, minute.low),
    close: minute.close,
    volume: bucket.volume + minute.volume,
    confirmed: minute.confirmed,
  };
}

/**
 * The bucket still forming, fed live from the 1-minute stream: each update of a minute (open or
 * confirmed) gives the bucket's candle to draw. A minute of a later bucket starts the next one.
 */
export class FormingBucket {
  readonly #interval: ResampledInterval;
  #start = -Infinity;
  /** The bucket's minutes in time order; the newest may still change. */
  #minutes: Candle[] = [];
  /** The bucket aggregated over every minute but the newest. */
  #settled: Candle | undefined;

  constructor(interval: ResampledInterval) {
    this.#interval = interval;
  }

  /** Folds one 1-minute candle in; undefined for a minute older than the forming bucket. */
  push(minute: Candle): Candle | undefined {
    const start = candleStartAt(this.#interval, minute.time);
    if (start < this.#start) return undefined;
    if (start > this.#start) {
      this.#start = start;
      this.#minutes = [];
      this.#settled = undefined;
    }
    const newest = this.#minutes.at(-1);
    if (newest === undefined || minute.time > newest.time) {
      if (newest !== undefined) this.#settled = fold(this.#settled, newest, start);
      this.#minutes.push(minute);
    } else if (minute.time === newest.time) this.#minutes[this.#minutes.length - 1] = minute;
    else {
      // A minute filled in behind the newest (a repaired hole): put it in its place and settle again.
      const at = this.#minutes.findIndex((m) => m.time >= minute.time);
      this.#minutes.splice(at, this.#minutes[at]?.time === minute.time ? 1 : 0, minute);
      this.#settled = this.#minutes.slice(0, -1).reduce<Candle | undefined>((bucket, m) => fold(bucket, m, start), undefined);
    }
    const candle = fold(this.#settled, this.#minutes.at(-1) as Candle, start);
    const last = this.#minutes.at(-1) as Candle;
    candle.confirmed = last.confirmed && last.time + MINUTE_MS === nextCandleStart(this.#interval, start);
    return candle;
  }
}
