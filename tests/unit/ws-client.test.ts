import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { BybitConnection, DEFAULT_CONNECTION_TIMING, type ConnectionHandlers } from '../../src-main/market/bybit/ws-client';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA } from '../helpers';

const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 50);
let fake: FakeBybit | undefined;
let connection: BybitConnection | undefined;
let hostile: { server: Server; sockets: Socket[] } | undefined;
afterEach(async () => {
  connection?.stop();
  vi.useRealTimers();
  await fake?.close();
  fake = undefined;
  for (const socket of hostile?.sockets ?? []) socket.destroy();
  await new Promise((resolve) => (hostile === undefined ? resolve(undefined) : hostile.server.close(resolve)));
  hostile = undefined;
});

/**
 * An exchange on 127.0.0.1 that takes connections and then does not do its part: it never answers the
 * upgrade ('upgrade'), or upgrades and never acknowledges a subscription ('subscribe').
 */
async function hostileExchange(never: 'upgrade' | 'subscribe'): Promise<{ url: string; attempts: () => number }> {
  const server = createServer();
  const sockets: Socket[] = [];
  let attempts = 0;
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket: Socket, head) => {
    attempts++;
    sockets.push(socket);
    if (never === 'subscribe') wss.handleUpgrade(req, socket, head, () => {}); // frames are read and left unanswered
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hostile = { server, sockets };
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v5/public/linear`, attempts: () => attempts };
}

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
      onLog: ignore,
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

describe('Bybit WebSocket connection that never becomes live', () => {
  it.each(['upgrade', 'subscribe'] as const)(
    'gives up an attempt whose %s is never answered, says why, and connects again',
    async (never) => {
      const exchange = await hostileExchange(never);
      const log: string[] = [];
      const states: string[] = [];
      const ignore = () => {};
      connection = new BybitConnection(
        exchange.url,
        [['kline.1.ETHUSDT']],
        {
          onCandles: ignore,
          onReject: ignore,
          onLive: ignore,
          onSubscribeFailed: ignore,
          onState: (state) => states.push(state),
          onMessage: ignore,
          onLog: (line) => log.push(line),
        },
        Date.now,
        // The dead-link time stays long: only the deadline on becoming live may end these attempts.
        { ...DEFAULT_CONNECTION_TIMING, liveWithinMs: 300, reconnectBaseMs: 5, reconnectMaxMs: 20 },
      );
      connection.start();
      await vi.waitFor(() => expect(exchange.attempts()).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 });
      const stuckIn = never === 'upgrade' ? 'connecting' : 'subscribing, 1 of 1 subscribe requests unanswered';
      const why = `not live 300 ms after connecting (still ${stuckIn})`;
      expect(log.some((line) => line.startsWith(`lost (${why}) while `))).toBe(true);
      expect(log.filter((line) => line.startsWith('connecting to')).length).toBeGreaterThanOrEqual(3);
      expect(connection.reconnects).toBeGreaterThanOrEqual(2);
      expect(states).toContain('reconnecting');
      expect(connection.lastError).toBe(why);
      expect(connection.state).not.toBe('live');
    },
  );
});
