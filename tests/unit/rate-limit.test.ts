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

  it('holds a place for each request in flight and counts it from its reply', async () => {
    let now = 1_000;
    const limit = new SlidingWindowLimit(2, 5000, () => now);
    const sleep = async (ms: number) => void (now += ms);
    const first = await limit.acquire(sleep);
    const second = await limit.acquire(sleep);
    expect(limit.delay()).toBeGreaterThan(0); // both places held while the replies are awaited
    now = 2_000;
    first();
    first(); // a second release changes nothing
    now = 3_000;
    second();
    expect(limit.delay()).toBe(5000 - 1000); // the first reply counts from 2 000, not from its send at 1 000
    const third = await limit.acquire(sleep);
    expect(now).toBe(7_000);
    third();
    expect(limit.delay()).toBe(1000); // the second reply (at 3 000) leaves the window at 8 000
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(20, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(3, 500, 30_000, () => 0.25)).toBe(1000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(0);
  });
});
