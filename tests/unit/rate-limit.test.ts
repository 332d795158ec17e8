import { describe, expect, it } from 'vitest';
import { SlidingWindowLimit } from '../../src-main/market/bybit/rate-limit';
import { backoffDelay } from '../../src-main/market/bybit/ws-client';

describe('request limit and reconnect backoff', () => {
  it('lets at most `limit` requests into any window, then says how long to wait', () => {
    let now = 1_000;
    const limit = new SlidingWindowLimit(600, 5000, () => now);
    for (let i = 0; i < 300; i++) expect(limit.tryTake()).toBe(true);
    now = 3_000;
    for (let i = 0; i < 300; i++) expect(limit.tryTake()).toBe(true);
    expect(limit.tryTake()).toBe(false);
    expect(limit.delay()).toBe(3000);
    now = 5_999;
    expect(limit.tryTake()).toBe(false);
    now = 6_000; // the first 300 left the window
    for (let i = 0; i < 300; i++) expect(limit.tryTake()).toBe(true);
    expect(limit.tryTake()).toBe(false);
    expect(limit.delay()).toBe(2000);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(3, 500, 30_000, () => 0.25)).toBe(1000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(0);
  });
});
