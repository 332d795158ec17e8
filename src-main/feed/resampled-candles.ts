/** A stored 1-minute stream read as a higher timeframe, for the chart's resampled timeframes. */
import type { CallInput, CallResponse } from '../../src-shared/contract/bridge';
import { candleStartAt, candleStartBefore, nextCandleStart } from '../../src-shared/domain/intervals';
import { columnsFromCandles } from '../../src-shared/domain/market';
import { minutesPerBucket, resample } from '../../src-shared/domain/resample';
import type { CandleStore } from '../store/candles';

/**
 * The newest `limit` buckets starting at or before `to`, from the 1-minute candles stored: it starts
 * from the newest stored minute at or before `to`, so a long break in the data is stepped over.
 */
export function resampledCandles(
  store: CandleStore,
  { exchange, category, symbol, interval, to, limit }: CallInput<'candles.resampled'>,
): CallResponse<'candles.resampled'> {
  const minuteKey = { exchange, category, symbol, interval: '1' as const };
  const newest = store.range(minuteKey, 0, to ?? Number.MAX_SAFE_INTEGER, 1)[0];
  if (newest === undefined) return { candles: columnsFromCandles([]), cut: [] };
  const lastBucket = candleStartAt(interval, newest.time);
  const firstBucket = candleStartBefore(interval, lastBucket, limit - 1);
  const end = nextCandleStart(interval, lastBucket) - 1;
  const minutes = store.range(minuteKey, firstBucket, end, limit * minutesPerBucket(interval, lastBucket));
  const { candles, cut } = resample(minutes, interval);
  return { candles: columnsFromCandles(candles), cut };
}
