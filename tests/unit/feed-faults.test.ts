/** Bad frames and REST error replies against the fake Bybit server: counted, logged once, never stored. */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine, MarketOptions } from '../../src-main/engine/engine';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { healthLines } from '../../src-main/feed/health-text';
import { REJECT_KINDS } from '../../src-main/market/bybit/protocol';
import { engineOnFake } from '../engine-on-fake';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';

const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' };
const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 20_000, 400);

let fake: FakeBybit;
let engine: Engine | undefined;
afterEach(async () => {
  engine?.close();
  engine = undefined;
  await fake.close();
});

async function startLive(log: string[], market: MarketOptions = {}): Promise<Engine> {
  fake = await new FakeBybit({ rows, startIndex: 200, updatesPerCandle: 1 }).listen();
  const e = engineOnFake(
    join(tempDir(), 'store.db'),
    fake,
    {
      backfillDepthMs: 300 * 60_000,
      watch: [KEY],
      connection: { pingIntervalMs: 50, deadAfterMs: 5000, reconnectBaseMs: 5, reconnectMaxMs: 50 },
      rest: { tooManyRequestsWaitMs: 10, forbiddenWaitMs: 10 },
      backfillRetryMs: 50,
      ...market,
    },
    (line) => log.push(line),
  );
  engine = e;
  await vi.waitFor(() => expect(confirmed(e)).toBe(200), { timeout: 30_000, interval: 10 });
  await vi.waitFor(() => expect(e.feed?.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });
  return e;
}

function confirmed(e: Engine): number {
  return e.store.db.prepare('SELECT count(*) FROM candles WHERE confirmed = 1').pluck().get() as number;
}

function push(candle: Record<string, unknown>, topic = 'kline.1.ETHUSDT'): string {
  const base = {
    start: 0,
    end: 0,
    interval: '1',
    open: '100',
    close: '100',
    high: '100',
    low: '100',
    volume: '1',
    turnover: '100',
    confirm: true,
    timestamp: 0,
  };
  return JSON.stringify({ topic, data: [{ ...base, ...candle }], ts: fake.now(), type: 'snapshot' });
}

describe('feed faults', () => {
  it('rejects bad frames by kind, logs each kind once, writes none of them and keeps the connection', async () => {
    const log: string[] = [];
    const e = await startLive(log);
    fake.advanceCandles(3);
    await vi.waitFor(() => expect(confirmed(e)).toBe(203), { timeout: 30_000, interval: 10 });
    const old = rows[150]!.start;
    const future = fake.now() + 3_600_000 - (fake.now() % 60_000);
    const current = fake.now() - (fake.now() % 60_000);
    const next = current + 60_000;
    const bad = [
      '{"topic":"kline.1.ETHUSDT","data":[{',
      push({ start: current, open: 100 }),
      push({ start: current, close: 'NaN' }),
      push({ start: current, high: '1e999' }),
      push({ start: current, low: '200' }),
      push({ start: current, volume: '-1' }),
      push({ start: current, open: '0', low: '0' }),
      push({ start: current, open: '101' }),
      push({ start: current, close: '99' }),
      push({ start: current }, 'kline.1.XRPUSDT'),
      push({ start: old }),
      push({ start: future }),
      // One minute ahead: that minute has not begun on the exchange's clock.
      push({ start: next }),
      // The minute now open, confirmed already.
      push({ start: current }),
    ];
    for (const frame of [...bad, ...bad]) fake.sendRaw(frame);
    fake.advanceCandles(2);
    await vi.waitFor(() => expect(confirmed(e)).toBe(205), { timeout: 30_000, interval: 10 });

    const health = e.feed!.health();
    expect(health.rejected).toEqual({
      malformed_json: 2,
      wrong_type: 2,
      non_finite: 4,
      impossible_candle: 10,
      unknown_topic: 2,
      out_of_order: 2,
      far_future: 4,
      early_confirmation: 2,
    });
    expect(health.streams[0]).toMatchObject({ state: 'live', reconnects: 0 });
    expect(health.streams[0]!.rejected).toMatchObject({ out_of_order: 2, far_future: 4, impossible_candle: 10, early_confirmation: 2 });
    // serve's log: the stream's own rejects, then every reject, those no stream could own included.
    const lines = healthLines(health);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^linear ETHUSDT 1: live, .* rejected: .*out_of_order 2/);
    expect(lines[1]).toMatch(
      /^feed fake: latency p50 [\d.]+ ms, p99 [\d.]+ ms; rejected over all connections \(frames no stream could own included\): malformed_json 2, /,
    );
    expect(lines[1]).toContain('unknown_topic 2');
    // Each kind logged once, in the order the fault script sends them (the order REJECT_KINDS declares;
    // conflicting confirmations have their own test, feed-conflicts).
    expect(log.filter((l) => l.startsWith('rejected (')).map((l) => /\((\w+)\)/.exec(l)?.[1])).toEqual(
      REJECT_KINDS.filter((kind) => kind !== 'conflicting_confirmation'),
    );
    const [stored] = e.store.range(KEY, old, old);
    expect(stored).toMatchObject({ close: Number(rows[150]!.close), confirmed: true });
    expect(e.store.range(KEY, future, future)).toEqual([]);
    // The candles of those minutes hold the exchange's true values, and nothing impossible was stored.
    for (const start of [current, next]) {
      const row = rows.find((r) => r.start === start)!;
      expect(e.store.range(KEY, start, start)[0]).toMatchObject({ close: Number(row.close), volume: Number(row.volume), confirmed: true });
    }
    const impossible = e.store.db
      .prepare(
        'SELECT count(*) FROM candles WHERE volume < 0 OR low <= 0 OR low > high OR open NOT BETWEEN low AND high OR close NOT BETWEEN low AND high',
      )
      .pluck()
      .get();
    expect(impossible).toBe(0);
  });

  it('refuses impossible rows a REST backfill brings, counts them in health and stores the good rows beside them', async () => {
    const broken = rows.map((r) => ({ ...r }));
    Object.assign(broken[100]!, { volume: '-3' });
    Object.assign(broken[101]!, { open: String(Number(broken[101]!.high) + 1) });
    Object.assign(broken[102]!, { close: String(Number(broken[102]!.low) - 1) });
    Object.assign(broken[103]!, { low: '0' });
    fake = await new FakeBybit({ rows: broken, startIndex: 200, updatesPerCandle: 1 }).listen();
    const e = engineOnFake(join(tempDir(), 'store.db'), fake, { backfillDepthMs: 300 * 60_000, watch: [KEY] });
    engine = e;
    await vi.waitFor(() => expect(e.feed?.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });
    await e.feed!.idle();
    expect(e.feed!.health().streams[0]!.rejected).toEqual({ impossible_candle: 4 });
    expect(confirmed(e)).toBe(196);
    expect(e.store.range(KEY, broken[100]!.start, broken[103]!.start)).toEqual([]);
    expect(e.store.range(KEY, broken[99]!.start, broken[99]!.start)).toHaveLength(1);
  });

  it('resumes its gap scan after a restart where it left off: a hole the exchange cannot fill is not fetched again', async () => {
    const e = await startLive([]);
    await e.feed!.idle();
    const storePath = e.store.db.name;
    const hole = rows[150]!.start;
    // As if the exchange had no candle there: REST gave none, and the scan went past it.
    e.store.db.prepare('DELETE FROM candle_rows WHERE start = ?').run(hole);
    expect(e.store.checkedUntil(KEY)).toBe(rows[199]!.start);
    e.close();
    engine = undefined;

    const again = engineOnFake(storePath, fake, { watch: [KEY], rest: { retries: 0 } });
    engine = again;
    await vi.waitFor(() => expect(again.feed?.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });
    await again.feed!.idle();
    expect(again.store.range(KEY, hole, hole)).toEqual([]);
    expect(again.store.checkedUntil(KEY)).toBe(rows[199]!.start);
  });

  it('says why a connection keeps failing, in health and in the log', async () => {
    const log: string[] = [];
    fake = await new FakeBybit({ rows, startIndex: 200 }).listen();
    // This exchange serves linear only: it closes a spot stream's socket at once.
    engine = engineOnFake(
      join(tempDir(), 'store.db'),
      fake,
      { backfillDepthMs: 60_000, watch: [{ ...KEY, category: 'spot' }], connection: { reconnectBaseMs: 5, reconnectMaxMs: 50 } },
      (line) => log.push(line),
    );
    const e = engine;
    await vi.waitFor(() => expect(e.feed?.health().streams[0]?.error).toContain('closed by the exchange (1008 unknown stream)'), {
      timeout: 10_000,
      interval: 10,
    });
    expect(log).toContainEqual(
      expect.stringMatching(/^spot connection lost \(closed by the exchange \(1008 unknown stream\)\) while \w+; reconnecting in \d+ ms$/),
    );
  });

  it('fetches by REST a candle whose confirmation never came, the connection staying up', async () => {
    const e = await startLive([]);
    fake.advanceCandles(1);
    await vi.waitFor(() => expect(confirmed(e)).toBe(201), { timeout: 30_000, interval: 10 });
    const lost = fake.rows[fake.cursor]!;
    fake.loseConfirmations(1);
    fake.advanceCandles(1);
    const requests = fake.stats.restRequests;
    fake.step(); // the next candle's first update: the lost confirmation's candle has ended
    await vi.waitFor(
      () => expect(e.store.range(KEY, lost.start, lost.start)[0]).toMatchObject({ confirmed: true, close: Number(lost.close) }),
      { timeout: 10_000, interval: 20 },
    );
    expect(fake.stats.restRequests).toBeGreaterThan(requests);
    expect(e.feed!.health().streams[0]).toMatchObject({ state: 'live', reconnects: 0 });
  });

  it('repairs at once a hole that opened while connected: candles never pushed, also across a reconnect made while the exchange was quiet', async () => {
    const log: string[] = [];
    const e = await startLive(log, { backfillRetryMs: 1000 });
    const closedRows = () => e.store.range(KEY, rows[0]!.start, rows.at(-1)!.start, 1000).filter((c) => c.confirmed);
    const sourceUpTo = (count: number) =>
      rows.slice(0, count).map((r) => ({ time: r.start, close: Number(r.close), volume: Number(r.volume) }));
    const stored = () => closedRows().map((c) => ({ time: c.time, close: c.close, volume: c.volume }));
    await e.feed!.idle(); // no backfill left running that could fill the hole by chance
    const requests = fake.stats.restRequests;

    // Quiet for 7 candles, the connection up; the first push after it jumps ahead. The first repair
    // fails, so 'repairing' lasts until its retry a second later.
    fake.skipCandles(7);
    fake.advanceCandles(7);
    fake.failRest({ kind: 'retcode', retCode: 10001, retMsg: 'params error' });
    fake.step();
    await vi.waitFor(() => expect(e.feed!.health().streams[0]!.state).toBe('repairing'), { timeout: 10_000, interval: 5 });
    await vi.waitFor(() => expect(stored()).toEqual(sourceUpTo(207)), { timeout: 15_000, interval: 10 });
    await vi.waitFor(() => expect(e.feed!.health().streams[0]).toMatchObject({ state: 'live', reconnects: 0, error: null }), {
      timeout: 10_000,
      interval: 10,
    });
    expect(log.some((l) => l.includes('repairing'))).toBe(true);

    // Quiet again, and the client reconnects meanwhile: its gap repair finds nothing new yet.
    fake.advanceCandles(1);
    fake.skipCandles(5);
    fake.dropConnections();
    await vi.waitFor(() => expect(e.feed!.health().streams[0]).toMatchObject({ state: 'live', reconnects: 1 }), {
      timeout: 30_000,
      interval: 10,
    });
    await e.feed!.idle();
    fake.advanceCandles(10);
    fake.step();
    await vi.waitFor(() => expect(stored()).toEqual(sourceUpTo(218)), { timeout: 15_000, interval: 10 });
    expect(fake.stats.restRequests).toBeGreaterThan(requests);
  });

  it('retries slow-down replies, reports a REST error without storing it, and still repairs the gap', async () => {
    const log: string[] = [];
    const e = await startLive(log);
    fake.failRest(
      { kind: 'retcode', retCode: 10006, retMsg: 'Too many visits!' },
      { kind: 'http', status: 403, body: 'access too frequent' },
      { kind: 'retcode', retCode: 10001, retMsg: 'params error' },
    );
    fake.dropConnections();
    fake.advanceCandles(20);
    await vi.waitFor(() => expect(confirmed(e)).toBe(220), { timeout: 30_000, interval: 10 });
    expect(log.some((l) => l.includes('HTTP 403'))).toBe(true);
    expect(log.some((l) => l.includes('backfill failed') && l.includes('retCode 10001 params error'))).toBe(true);
    expect(e.feed!.rest.stats.slowDowns).toBe(2);
    const stored = e.store.range(KEY, rows[0]!.start, rows[219]!.start, 1000);
    expect(stored.filter((c) => c.confirmed).map((c) => c.close)).toEqual(rows.slice(0, 220).map((r) => Number(r.close)));
    await vi.waitFor(() => expect(e.feed!.health().streams[0]!.error).toBeNull(), { timeout: 30_000, interval: 10 });
  });
});
