import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import { serve, type RunningServer } from '../../src-main/server/serve';
import { tempDir } from '../helpers';

let engine: Engine;
let server: RunningServer;

beforeAll(async () => {
  const dir = tempDir();
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  engine = createEngine({ storePath: join(dir, 'store.db'), market: false, modelPath: false });
  server = await serve({ engine, rendererDir });
});
afterAll(async () => {
  await server.close();
  engine.close();
});

function bridgeUrl(token: string): string {
  const url = new URL(server.url);
  return `ws://${url.host}/bridge?token=${token}`;
}

function connect(token = server.token): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(bridgeUrl(token));
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextFrame(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
}

describe('serve', () => {
  it('serves the renderer with a CSP', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('refuses a socket without the run token', async () => {
    await expect(connect('wrong-token')).rejects.toThrow(/401/);
  });

  it('refuses a socket from another origin', async () => {
    const socket = new WebSocket(bridgeUrl(server.token), { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))).rejects.toThrow(/401/);
  });

  it('carries the contract: calls, refusals and pushed events', async () => {
    const socket = await connect();
    socket.send(JSON.stringify({ id: 1, call: 'candles.count', payload: SAMPLE_STREAM }));
    expect(await nextFrame(socket)).toEqual({ id: 1, reply: { ok: true, value: { count: 4320 } } });

    socket.send('{not json');
    expect(await nextFrame(socket)).toMatchObject({ id: null, reply: { ok: false, error: { code: 'bad_request' } } });

    socket.send(JSON.stringify({ id: 2, call: 'candles.drop', payload: {} }));
    expect(await nextFrame(socket)).toMatchObject({ id: 2, reply: { ok: false, error: { code: 'unknown_call' } } });

    socket.send(JSON.stringify({ id: 3, call: 'candles.range', payload: { symbol: 'BTCUSDT', interval: '1', limit: -5 } }));
    expect(await nextFrame(socket)).toMatchObject({ id: 3, reply: { ok: false, error: { code: 'bad_request' } } });

    const candle = {
      time: 1_900_000_000_000 - (1_900_000_000_000 % 60_000),
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 3,
      confirmed: false,
    };
    const pushed = nextFrame(socket);
    engine.events.emit('candle.updated', { ...SAMPLE_STREAM, candle });
    expect(await pushed).toEqual({ event: 'candle.updated', payload: { ...SAMPLE_STREAM, candle } });
    socket.close();
  });
});
