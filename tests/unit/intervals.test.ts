import { describe, expect, it } from 'vitest';
import { intervalMs, isCandleStart, nextCandleStart } from '../../src-main/market/intervals';

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
});
