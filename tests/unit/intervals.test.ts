import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKFILL_CANDLES, historyStart } from '../../src-main/feed/feed';
import { intervalMs, isCandleStart, nextCandleStart } from '../../src-shared/domain/intervals';

describe('intervals', () => {
  it('knows fixed lengths', () => {
    expect(intervalMs('1')).toBe(60_000);
    expect(intervalMs('240')).toBe(4 * 3_600_000);
    expect(intervalMs('D')).toBe(86_400_000);
  });

  it('opens weeks on Monday and months on the 1st (UTC)', () => {
    expect(isCandleStart('W', Date.UTC(2025, 5, 2))).toBe(true); // a Monday
    expect(isCandleStart('W', Date.UTC(2025, 5, 3))).toBe(false);
    expect(isCandleStart('M', Date.UTC(2025, 1, 1))).toBe(true);
    expect(isCandleStart('M', Date.UTC(2025, 1, 2))).toBe(false);
    expect(nextCandleStart('M', Date.UTC(2025, 0, 1))).toBe(Date.UTC(2025, 1, 1));
    expect(nextCandleStart('M', Date.UTC(2024, 11, 1))).toBe(Date.UTC(2025, 0, 1));
  });

  it("starts a new stream's history as many candles back at every interval, or the days asked for", () => {
    const now = Date.UTC(2026, 10, 21, 8, 30, 15);
    expect(historyStart('1', now)).toBe(Date.UTC(2026, 10, 14, 8, 30)); // 7 days of 1-minute candles
    expect(historyStart('D', now)).toBe(Date.UTC(2026, 10, 21) - DEFAULT_BACKFILL_CANDLES * 86_400_000);
    expect(historyStart('M', now)).toBe(Date.UTC(2026, 10 - DEFAULT_BACKFILL_CANDLES, 1));
    expect(historyStart('D', now, 7 * 86_400_000)).toBe(Date.UTC(2026, 10, 14));
  });
});
