import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BybitConnection, DEFAULT_CONNECTION_TIMING, type ConnectionHandlers } from '../../src-main/market/bybit/ws-client';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA } from '../helpers';

const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 50);
let fake: FakeBybit | undefined;
let connection: BybitConnection | undefined;
afterEach(async () => {
  connection?.stop();
  vi.useRealTimers();
  await fake?.close();
});

describe('Bybit WebSocket connection', () => {
  it('pings every 20 s on a live link, as Bybit asks, and keeps it while pongs come', async () => {
    // Only the connection's interval timers and clock are simulated; sockets and I/O stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    fake = await new FakeBybit({ rows, startIndex: 10 }).listen();
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const ignore = () => {};
    const handlers: ConnectionHandlers = {
      onCandles: ignore,
      onReject: ignore,
      onLive: () => live(),
      onSubscribeFailed: ignore,
      onState: ignore,
      onMessage: ignore,
    };
    connection = new BybitConnection(`${fake.wsUrl}/v5/public/linear`, [['kline.1.ETHUSDT']], handlers, () => fake!.now());
    connection.start();
    await isLive;
    const before = fake.stats.pings;
    for (let second = 1; second <= 60; second++) {
      vi.advanceTimersByTime(1000);
      await new Promise((resolve) => setImmediate(resolve)); // lets the ping out and its pong in
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await vi.waitFor(() => expect(fake!.stats.pings - before).toBe(Math.floor(60_000 / DEFAULT_CONNECTION_TIMING.pingIntervalMs)));
    expect(connection.state).toBe('live');
    expect(connection.reconnects).toBe(0);
  });
});
