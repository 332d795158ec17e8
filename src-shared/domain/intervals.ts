/** Bybit v5 kline intervals, as they appear in topics and REST queries. */
export const INTERVALS = ['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D', 'W', 'M'] as const;
export type Interval = (typeof INTERVALS)[number];

export const CATEGORIES = ['linear', 'spot'] as const;
export type Category = (typeof CATEGORIES)[number];

const MINUTE_MS = 60_000;

/**
 * Length of one candle in ms. Monthly candles have no fixed length, so callers that step
 * through time must use {@link nextCandleStart} instead.
 */
export function intervalMs(interval: Exclude<Interval, 'M'>): number {
  switch (interval) {
    case 'D':
      return 1440 * MINUTE_MS;
    case 'W':
      return 7 * 1440 * MINUTE_MS;
    default:
      return Number(interval) * MINUTE_MS;
  }
}

/** Start of the candle after the one starting at `start` (UTC calendar months for 'M'). */
export function nextCandleStart(interval: Interval, start: number): number {
  if (interval === 'M') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + intervalMs(interval);
}

/** Whether `start` is a valid candle open time for the interval (weeks open on Monday 00:00 UTC). */
export function isCandleStart(interval: Interval, start: number): boolean {
  if (interval === 'M') {
    const d = new Date(start);
    return d.getTime() === Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const mondayOffset = interval === 'W' ? 4 * 1440 * MINUTE_MS : 0; // 1970-01-01 was a Thursday
  return (start - mondayOffset) % intervalMs(interval) === 0;
}

/** Start of the candle that contains `time`. */
export function candleStartAt(interval: Interval, time: number): number {
  if (interval === 'M') {
    const d = new Date(time);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const offset = interval === 'W' ? 4 * 1440 * MINUTE_MS : 0;
  const ms = intervalMs(interval);
  return time - ((((time - offset) % ms) + ms) % ms);
}

/** Start of the candle `count` candles before the one that contains `time`. */
export function candleStartBefore(interval: Interval, time: number, count: number): number {
  if (interval !== 'M') return candleStartAt(interval, time - count * intervalMs(interval));
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - count, 1);
}
