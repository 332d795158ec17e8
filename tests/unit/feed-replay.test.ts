/**
 * Reliability against the fake Bybit server replaying real ETHUSDT candles: history by REST, then
 * live, with connections dropped and stalled while virtual time passes. The store must end up equal
 * to the source rows, as `export` prints them.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine, MarketOptions } from '../../src-main/engine/engine';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { engineOnFake } from '../engine-on-fake';
import { FakeBybit, readSourceCsv, type SourceRow } from '../../src-main/market/fake-bybit/server';
import { runCli, SHARED_DATA, tempDir } from '../helpers';

const SOURCE = join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv');
const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' };
const FAST = {
  connection: { pingIntervalMs: 50, deadAfterMs: 300, reconnectBaseMs: 5, reconnectMaxMs: 50 },
  backfillRetryMs: 50,
  healthIntervalMs: 100,
};

let fake: FakeBybit | undefined;
let engine: Engine | undefined;
afterEach(async () => {
  engine?.close();
  engine = undefined;
  await fake?.close();
});

function startEngine(storePath: string, server: FakeBybit, backfillDepthMs: number, rest?: MarketOptions['rest']): Engine {
  return engineOnFake(storePath, server, { backfillDepthMs, watch: [KEY], ...FAST, rest });
}

function confirmedCount(e: Engine): number {
  return e.store.db.prepare("SELECT count(*) FROM candles WHERE symbol = 'ETHUSDT' AND confirmed = 1").pluck().get() as number;
}

function csvOf(rows: SourceRow[]): string {
  return (
    [
      'start_ms,open,high,low,close,volume',
      ...rows.map((r) => [r.start, r.open, r.high, r.low, r.close, r.volume].map(Number).join(',')),
    ].join('\n') + '\n'
  );
}

describe('live feed against the fake Bybit server', () => {
  it(
    'backfills pages fetched together in time order, within the exchange rate limit, reporting pages done of pages needed',
    { timeout: 120_000 },
    async () => {
      const rows = readSourceCsv(SOURCE, 10_000, 4600);
      const history = 4500;
      // Bybit's limit scaled down (600 requests per 5 s there): the fake answers HTTP 403 past it.
      const limit = { requests: 2, windowMs: 500 };
      fake = await new FakeBybit({ rows, startIndex: history, rateLimit: limit }).listen();
      engine = startEngine(join(tempDir(), 'store.db'), fake, (history + 500) * 60_000, {
        requestsPerWindow: limit.requests,
        windowMs: limit.windowMs,
      });
      const e = engine;
      const progress: { done: number; total: number; rows: number }[] = [];
      const times: number[] = [];
      e.events.listen((name, payload) => {
        if (name === 'backfill.progress') progress.push(payload as (typeof progress)[number]);
        if (name === 'candle.updated') times.push((payload as { candle: { time: number } }).candle.time);
      });
      await vi.waitFor(() => expect(confirmedCount(e)).toBe(history), { timeout: 60_000, interval: 20 });
      await vi.waitFor(() => expect(progress.some((p) => p.done === p.total)).toBe(true), { timeout: 30_000, interval: 10 });
      // Once live, the stream repairs its gap again (nothing left by then): the first run is the history.
      const firstRun = progress.slice(0, progress.findIndex((p) => p.done === p.total) + 1);
      const total = firstRun[0]!.total;
      expect(total).toBeGreaterThanOrEqual(5); // 5000 minutes at 1000 candles a page
      expect(firstRun.map((p) => [p.done, p.total])).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
      expect(firstRun.at(-1)!.rows).toBe(history);
      expect(times.slice(0, history)).toEqual(rows.slice(0, history).map((r) => r.start)); // ascending, each once
      expect(fake.stats.restRequests).toBeGreaterThan(limit.requests);
      expect(fake.stats.restRejected).toBe(0);
    },
  );

  it('ends with exactly the source rows after REST history, live pushes, drops and stalls', { timeout: 150_000 }, async () => {
    const rows = readSourceCsv(SOURCE, 10_000, 7000);
    const history = 4500;
    fake = await new FakeBybit({ rows, startIndex: history, updatesPerCandle: 3 }).listen();
    const dir = tempDir();
    const storePath = join(dir, 'store.db');
    engine = startEngine(storePath, fake, (history + 500) * 60_000);
    const e = engine;
    await vi.waitFor(() => expect(confirmedCount(e)).toBe(history), { timeout: 60_000, interval: 20 });
    await vi.waitFor(() => expect(e.feed?.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });

    let round = 0;
    while (!fake.finished) {
      round++;
      if (round % 4 === 0) fake.stallConnections();
      else if (round % 2 === 0) fake.dropConnections();
      fake.advanceCandles(250);
      const expected = Math.min(fake.cursor, rows.length);
      await vi.waitFor(() => expect(confirmedCount(e)).toBe(expected), { timeout: 60_000, interval: 20 });
    }
    expect(fake.stats.pushes).toBeGreaterThan(1000);
    // The replay is over: no candle is left open (export lists confirmed candles only).
    expect(e.store.db.prepare('SELECT count(*) FROM candles WHERE confirmed = 0').pluck().get()).toBe(0);
    const health = e.feed!.health().streams[0]!;
    expect(health.reconnects).toBeGreaterThanOrEqual(4);
    expect(health.rowsBackfilled).toBeGreaterThan(history);
    // Every pushed frame's latency is measured; backfill pages are not pushes.
    const latency = e.feed!.health().latency;
    expect(latency?.frames).toBeGreaterThan(1000);
    expect(latency?.p50Ms).toBeLessThanOrEqual(latency?.p99Ms ?? -1);
    engine.close();
    engine = undefined;

    const exported = runCli(['export', '--db', storePath, '--symbol', 'ETHUSDT', '--interval', '1']);
    expect(exported.status).toBe(0);
    const lines = exported.stdout.split('\n');
    const expectedLines = csvOf(rows).split('\n');
    expect(lines.length).toBe(expectedLines.length);
    for (let i = 0; i < expectedLines.length; i++)
      if (lines[i] !== expectedLines[i]) expect(`${i}: ${lines[i]}`).toBe(`${i}: ${expectedLines[i]}`);
    const starts = lines.slice(1, -1).map((l) => Number(l.split(',')[0]));
    expect(starts.every((s, i) => i === 0 || s - (starts[i - 1] as number) === 60_000)).toBe(true);
  });
});
