import { describe, expect, it } from 'vitest';
import { LatencyWindow } from '../../src-main/feed/latency';

describe('feed latency window', () => {
  it('summarizes the most recent samples, and forgets them when cleared', () => {
    const window = new LatencyWindow(100);
    expect(window.summary()).toBeNull();
    for (let i = 1; i <= 50; i++) window.record(i);
    expect(window.summary()).toEqual({ p50Ms: 26, p99Ms: 50, frames: 50 });
    for (let i = 51; i <= 250; i++) window.record(i);
    // Only the last 100 samples (151..250) count.
    expect(window.summary()).toEqual({ p50Ms: 201, p99Ms: 250, frames: 100 });
    window.clear();
    expect(window.summary()).toBeNull();
  });
});
