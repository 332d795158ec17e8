/**
 * A link that delivers only refused pushes stores nothing while it looks fine. The soak stalled that
 * way: its market clock fell behind the exchange's, every push then started "in the future" and was
 * refused, and health said live. Such a stream must show as failed, with the reason, and come back.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src-main/engine/engine';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { UP_STATES } from '../../src-shared/domain/health';
import { engineOnFake } from '../engine-on-fake';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';

const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' };
const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 20_000, 400);

let fake: FakeBybit | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  engine?.close();
  engine = undefined;
  await fake?.close();
});

describe('a stream whose every push is refused', () => {
  it('shows as failed with the reason and is logged, then live again once pushes are accepted', async () => {
    const log: string[] = [];
    const exchange = await new FakeBybit({ rows, startIndex: 200, updatesPerCandle: 3 }).listen();
    fake = exchange;
    // Our market clock two minutes behind the exchange's: each push starts after it allows.
    let behindMs = 120_000;
    const e = engineOnFake(
      join(tempDir(), 'store.db'),
      { wsUrl: exchange.wsUrl, restUrl: exchange.restUrl, now: () => exchange.now() - behindMs },
      {
        backfillDepthMs: 300 * 60_000,
        watch: [KEY],
        connection: { pingIntervalMs: 50, deadAfterMs: 500, reconnectBaseMs: 5, reconnectMaxMs: 50 },
        healthIntervalMs: 20,
      },
      (line) => log.push(line),
    );
    engine = e;
    const stream = () => e.feed!.health().streams[0]!;
    await vi.waitFor(() => expect(stream().state).toBe('live'), { timeout: 30_000, interval: 10 });
    await e.feed!.idle();
    const stored = e.store.db.prepare('SELECT count(*) FROM candles').pluck();
    const before = stored.get();
    exchange.play(20);

    await vi.waitFor(() => expect(stream().state).toBe('failed'), { timeout: 30_000, interval: 10 });
    expect(stream().error).toMatch(/^no push accepted for \d+ s: every one refused \(far_future: candle \d+ starts after/);
    expect(stream().rejected.far_future).toBeGreaterThan(0);
    expect(stored.get()).toBe(before);
    // Logged by the next health sample.
    await vi.waitFor(
      () =>
        expect(log).toContainEqual(expect.stringMatching(/^linear ETHUSDT 1: no push accepted for \d+ s: every one refused \(far_future/)),
      { timeout: 5_000, interval: 10 },
    );

    behindMs = 0;
    await vi.waitFor(() => expect(UP_STATES.has(stream().state)).toBe(true), { timeout: 30_000, interval: 10 });
    expect(log).toContain('linear ETHUSDT 1: pushes accepted again');
    await vi.waitFor(() => expect(stored.get()).toBeGreaterThan(before as number), { timeout: 30_000, interval: 10 });
  });
});
