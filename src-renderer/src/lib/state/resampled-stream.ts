/**
 * A timeframe the store does not hold, shown resampled from its stored 1-minute stream: pages of
 * whole buckets from the engine (`candles.resampled`), and the forming bucket kept live from the
 * 1-minute pushes. Models score only the streams of their own interval, so no signal shows here.
 */
import { candleStartAt } from '../../../../src-shared/domain/intervals';
import { candlesFromColumns, type Candle, type StreamKeyValue } from '../../../../src-shared/domain/market';
import { FormingBucket, isResampledInterval, RESAMPLED_INTERVALS, type ResampledInterval } from '../../../../src-shared/domain/resample';
import type { Bridge } from '../bridge';
import { sameStream, type StreamChoice } from './stream-choice';

export interface ResampledStream {
  /** The stored 1-minute stream the candles come from. */
  source: StreamKeyValue;
  interval: ResampledInterval;
}

/** The shown choice as a resampled stream: a timeframe not stored itself whose symbol's 1-minute stream is. */
export function resampledStream(stored: readonly StreamChoice[], choice: StreamChoice | undefined): ResampledStream | undefined {
  if (choice === undefined || !isResampledInterval(choice.interval) || stored.some((s) => sameStream(s, choice))) return undefined;
  const minute = { ...choice, interval: '1' as const };
  return stored.some((s) => sameStream(s, minute)) ? { source: { exchange: 'bybit', ...minute }, interval: choice.interval } : undefined;
}

/** The timeframes a symbol's stored 1-minute stream gives beyond those stored. */
export function resampledIntervals(stored: readonly StreamChoice[], symbol: string | undefined): ResampledInterval[] {
  const minute = stored.find((s) => s.symbol === symbol && s.interval === '1');
  if (minute === undefined) return [];
  return RESAMPLED_INTERVALS.filter((interval) => resampledStream(stored, { ...minute, interval }) !== undefined);
}

/** The newest `limit` buckets starting before `before` (ms), or the newest of all. */
export async function resampledPage(bridge: Bridge, stream: ResampledStream, limit: number, before?: number): Promise<Candle[]> {
  const { category, symbol } = stream.source;
  const page = await bridge.invoke('candles.resampled', {
    category,
    symbol,
    interval: stream.interval,
    limit,
    ...(before === undefined ? {} : { to: before - 1 }),
  });
  return candlesFromColumns(page.candles);
}

/** The forming bucket of the newest shown candle, filled with its stored minutes, to follow the live pushes. */
export async function formingBucket(bridge: Bridge, stream: ResampledStream, newest: Candle | undefined): Promise<FormingBucket> {
  const bucket = new FormingBucket(stream.interval);
  if (newest === undefined) return bucket;
  const minutes = await bridge.invoke('candles.range', { ...stream.source, from: candleStartAt(stream.interval, newest.time) });
  for (const minute of candlesFromColumns(minutes)) bucket.push(minute);
  return bucket;
}
