/** Which candle of another chart holds a moment: what a synced crosshair lands on. Pure, no DOM. */
import type { Candle } from '../../../../src-shared/domain/market';

/** The candle holding `time` (the last one starting at or before it), if any. */
export function candleHolding(candles: readonly Candle[], time: number): Candle | undefined {
  let lo = 0;
  let hi = candles.length - 1;
  if (hi < 0 || (candles[0]?.time ?? Infinity) > time) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((candles[mid]?.time ?? Infinity) <= time) lo = mid;
    else hi = mid - 1;
  }
  return candles[lo];
}
