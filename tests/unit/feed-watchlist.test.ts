/** Watchlist and symbol search over the bridge, spot batching, against the fake Bybit server. */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src-main/engine/engine';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { engineOnFake, type FakeEndpoints } from '../engine-on-fake';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { callEngine as call, SHARED_DATA, tempDir } from '../helpers';

const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 300);
const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' };
let fake: FakeBybit | undefined;
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) e.close();
  await fake?.close();
});

function engineOn(storePath: string, server: FakeEndpoints): Engine {
  const engine = engineOnFake(storePath, server, {
    backfillDepthMs: 250 * 60_000,
    connection: { pingIntervalMs: 50, deadAfterMs: 2000, reconnectBaseMs: 5, reconnectMaxMs: 50 },
    rest: { retries: 0 },
  });
  engines.push(engine);
  return engine;
}

describe('watchlist and symbol search', () => {
  it('keeps the watchlist in the store, follows a stream once added, and searches symbols offline from the cache', async () => {
    fake = await new FakeBybit({
      rows,
      startIndex: 250,
      symbols: ['ETHUSDT'],
      extraInstruments: ['BTCUSDT', 'ETHBTC', 'SOLUSDT'],
    }).listen();
    const storePath = join(tempDir(), 'store.db');
    const engine = engineOn(storePath, fake);
    expect(await call(engine, 'watchlist.list', {})).toEqual([]);
    await call(engine, 'watchlist.add', { symbol: 'ETHUSDT', interval: '1' });
    await vi.waitFor(
      () => expect(engine.store.count({ exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' })).toBe(250),
      {
        timeout: 30_000,
        interval: 10,
      },
    );
    const online = (await call(engine, 'instruments.search', { query: 'eth' })) as {
      instruments: { symbol: string }[];
      fromCache: boolean;
    };
    expect(online.fromCache).toBe(false);
    expect(online.instruments.map((i) => i.symbol)).toEqual(['ETHBTC', 'ETHUSDT']);
    engine.close();
    engines.length = 0;
    const restUrl = fake.restUrl;
    await fake.close();
    fake = undefined;

    // The exchange is gone: the watchlist and the instrument list come from the store.
    const offline = engineOn(storePath, { wsUrl: 'ws://127.0.0.1:9', restUrl, now: () => rows[250]!.start });
    expect(await call(offline, 'watchlist.list', {})).toEqual([
      { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' },
    ]);
    const cached = (await call(offline, 'instruments.search', { query: 'USDT', limit: 2 })) as {
      instruments: { symbol: string }[];
      fromCache: boolean;
      cached: number;
    };
    expect(cached).toMatchObject({ fromCache: true, cached: 4 });
    expect(cached.instruments.map((i) => i.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(await call(offline, 'watchlist.remove', { symbol: 'ETHUSDT', interval: '1' })).toEqual([]);
  });

  it('subscribes a spot watchlist of 12 symbols, each topic in a request of its own, and follows every stream', async () => {
    const symbols = Array.from({ length: 12 }, (_, i) => `S${String.fromCharCode(65 + i)}USDT`);
    fake = await new FakeBybit({ rows, startIndex: 250, symbols, category: 'spot' }).listen();
    const server = fake;
    const engine = engineOn(join(tempDir(), 'store.db'), server);
    for (const symbol of symbols) await call(engine, 'watchlist.add', { symbol, interval: '1', category: 'spot' });
    await vi.waitFor(() => expect(engine.feed!.health().streams.map((s) => s.state)).toEqual(symbols.map(() => 'live')), {
      timeout: 30_000,
      interval: 10,
    });
    server.advanceCandles(2);
    const confirmed = () => engine.store.db.prepare("SELECT count(*) FROM candles WHERE category = 'spot' AND confirmed = 1").pluck().get();
    await vi.waitFor(() => expect(confirmed()).toBe(12 * 252), { timeout: 30_000, interval: 10 });
    expect(engine.feed!.health().rejected).toEqual({});
  });

  it('reconnects only the category whose topics changed, and a stream keeps counting its reconnects', async () => {
    fake = await new FakeBybit({ rows, startIndex: 250, symbols: ['ETHUSDT', 'BTCUSDT'] }).listen();
    const server = fake;
    const engine = engineOn(join(tempDir(), 'store.db'), server);
    const eth = () => engine.feed!.health().streams.find((s) => s.symbol === 'ETHUSDT' && s.category === 'linear');
    await call(engine, 'watchlist.add', { symbol: 'ETHUSDT', interval: '1' });
    await vi.waitFor(() => expect(eth()?.state).toBe('live'), { timeout: 30_000, interval: 10 });
    server.dropConnections();
    await vi.waitFor(() => expect(eth()).toMatchObject({ state: 'live', reconnects: 1 }), { timeout: 30_000, interval: 10 });
    const opened = server.stats.connections;

    // A spot stream (this exchange serves linear only, so its connection keeps failing) leaves linear
    // alone. The bridge would refuse it (no spot instruments here): it is written to the store directly.
    engine.watchlist.add({ exchange: 'bybit', symbol: 'ETHUSDT', interval: '1', category: 'spot' });
    engine.feed!.reload();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.stats.connections).toBe(opened);
    expect(eth()).toMatchObject({ state: 'live', reconnects: 1 });

    // Another linear symbol: linear is connected again with both topics; ETHUSDT's count carries over.
    await call(engine, 'watchlist.add', { symbol: 'BTCUSDT', interval: '1' });
    await vi.waitFor(
      () => expect(engine.feed!.health().streams.filter((s) => s.category === 'linear' && s.state === 'live')).toHaveLength(2),
      {
        timeout: 30_000,
        interval: 10,
      },
    );
    expect(server.stats.connections).toBe(opened + 1);
    expect(eth()).toMatchObject({ reconnects: 1 });
  });

  it('refuses a symbol the exchange does not list, saying why, and leaves the watchlist and the live stream alone', async () => {
    fake = await new FakeBybit({ rows, startIndex: 250, symbols: ['ETHUSDT'], extraInstruments: ['SOLUSDT'] }).listen();
    const engine = engineOn(join(tempDir(), 'store.db'), fake);
    await call(engine, 'watchlist.add', { symbol: 'ETHUSDT', interval: '1' });
    await vi.waitFor(() => expect(engine.feed!.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });
    const connections = fake.stats.connections;
    await expect(call(engine, 'watchlist.add', { symbol: 'ETHXUSDT', interval: '1' })).rejects.toThrow(
      'watchlist.add: the exchange lists no linear instrument ETHXUSDT (instruments-info)',
    );
    expect(await call(engine, 'watchlist.list', {})).toEqual([KEY]);
    expect(fake.stats.connections).toBe(connections);
    expect(engine.feed!.health().streams).toMatchObject([{ symbol: 'ETHUSDT', state: 'live' }]);
  });

  it('a topic the exchange refuses fails alone, with its reason, while the others stay live', async () => {
    // This exchange serves 1-minute candles only: it refuses kline.5.ETHUSDT as Bybit refuses an unknown topic.
    fake = await new FakeBybit({ rows, startIndex: 250, symbols: ['ETHUSDT'] }).listen();
    const server = fake;
    const engine = engineOn(join(tempDir(), 'store.db'), server);
    await call(engine, 'watchlist.add', { symbol: 'ETHUSDT', interval: '1' });
    await call(engine, 'watchlist.add', { symbol: 'ETHUSDT', interval: '5' });
    const health = (interval: string) => engine.feed!.health().streams.find((s) => s.interval === interval);
    await vi.waitFor(
      () => {
        expect(health('1')).toMatchObject({ state: 'live' });
        expect(health('5')).toMatchObject({ state: 'failed' });
        expect(health('5')?.error).toContain('subscribe failed: error:handler not found,topic:kline.5.ETHUSDT');
      },
      { timeout: 20_000, interval: 10 },
    );
    await engine.feed!.idle();
    server.advanceCandles(2);
    await vi.waitFor(() => expect(engine.store.range(KEY, rows[251]!.start, rows[251]!.start)[0]).toMatchObject({ confirmed: true }), {
      timeout: 30_000,
      interval: 10,
    });
    expect(health('1')).toMatchObject({ state: 'live', reconnects: 0 });
  });
});
