/**
 * `serve` under hostile clients, over real sockets: malformed upgrades, frames past the limits, a
 * client that stops reading, foreign Host headers. None may stop the server or slow the others.
 */
import { request as httpRequest } from 'node:http';
import { mkdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { MAX_THUMBNAIL_CHARS } from '../../src-shared/domain/alerts';
import type { Dispatch } from '../../src-main/ipc/dispatch';
import { BRIDGE_PATH, MAX_CLIENT_FRAME_BYTES } from '../../src-shared/contract/transport';
import { serve, SLOW_CLIENT_CLOSE_CODE } from '../../src-main/server/serve';
import { startServe, tempDir } from '../helpers';

/** A real `serve` process: a crash shows as its exit, not as an error inside the test runner. */
let served: Awaited<ReturnType<typeof startServe>>;
let token: string;

beforeAll(async () => {
  served = await startServe(['--db', join(tempDir(), 'store.db'), '--feed', 'off']);
  token = new URL(served.url).searchParams.get('token') ?? '';
}, 120_000);
afterAll(() => served.stop());

const port = () => Number(new URL(served.url).port);
const bridgeUrl = () => `ws://127.0.0.1:${port()}${BRIDGE_PATH}?token=${token}`;

function connect(options?: ConstructorParameters<typeof WebSocket>[2], url = bridgeUrl()): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function call(socket: WebSocket, id: number, name: string, payload: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as { id?: number };
      if (frame.id !== id) return;
      socket.off('message', onMessage);
      resolve(frame);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, call: name, payload }));
  });
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

/** Sends raw bytes to the server and resolves with everything it answers before it closes. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port(), '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
  });
}

function upgradeRequest(path: string, headers: Record<string, string>): string {
  const all = {
    Host: `127.0.0.1:${port()}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

function get(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: port(), path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** The server still answers pages and calls. */
async function expectServing(): Promise<void> {
  expect(served.process.exitCode).toBeNull();
  expect((await fetch(served.url)).status).toBe(200);
  const socket = await connect();
  expect(await call(socket, 1, 'candles.count', SAMPLE_STREAM)).toEqual({ id: 1, reply: { ok: true, value: { count: 4320 } } });
  socket.close();
}

describe('serve refuses malformed upgrades and keeps serving', () => {
  it.each([
    ['Origin: null, no token', `/bridge`, { Origin: 'null' }],
    ['an unparsable Origin, no token', `/bridge`, { Origin: 'http://[' }],
    ['Origin: null with the token', 'TOKEN', { Origin: 'null' }],
    ['an Origin that is not http', 'TOKEN', { Origin: 'file://' }],
  ])('answers 401 to %s', async (_name, path, headers) => {
    const answer = await raw(upgradeRequest(path === 'TOKEN' ? `${BRIDGE_PATH}?token=${token}` : path, headers));
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    await expectServing();
  });

  it('answers 400 to an upgrade whose request target is not a URL', async () => {
    expect(await raw(upgradeRequest('http://[', {}))).toMatch(/^HTTP\/1\.1 400 /);
    await expectServing();
  });

  it('survives a client that resets its connection before the refusal', async () => {
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const socket = netConnect(port(), '127.0.0.1', () => {
          socket.write(upgradeRequest(`${BRIDGE_PATH}?token=wrong`, {}));
          socket.resetAndDestroy();
          resolve();
        });
      });
    }
    await expectServing();
  });
});

describe('serve closes a socket that breaks the frame rules, and only that one', () => {
  it('closes with 1009 on a frame over the transport limit', async () => {
    const bystander = await connect();
    const socket = await connect();
    const closing = closed(socket);
    socket.send('x'.repeat(MAX_CLIENT_FRAME_BYTES + 1));
    expect((await closing).code).toBe(1009);
    expect(await call(bystander, 2, 'candles.count', SAMPLE_STREAM)).toMatchObject({ id: 2, reply: { ok: true } });
    bystander.close();
    await expectServing();
  });

  it('closes with 1007 on a text frame that is not UTF-8', async () => {
    const socket = await connect();
    const closing = closed(socket);
    socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await closing).code).toBe(1007);
    await expectServing();
  });

  it('admits the largest thumbnail the contract admits, and refuses a longer one as a bad request', async () => {
    const socket = await connect();
    const png = (chars: number) => `data:image/png;base64,${'A'.repeat(chars - 'data:image/png;base64,'.length)}`;
    const largest = { firedId: Number.MAX_SAFE_INTEGER, png: png(MAX_THUMBNAIL_CHARS) };
    const largestFrame = JSON.stringify({ id: Number.MAX_SAFE_INTEGER, call: 'alerts.thumbnail', payload: largest });
    expect(Buffer.byteLength(largestFrame)).toBeLessThan(MAX_CLIENT_FRAME_BYTES);
    expect(await call(socket, 3, 'alerts.thumbnail', largest)).toEqual({ id: 3, reply: { ok: true, value: { stored: false } } });
    const tooLong = { firedId: 1, png: png(MAX_THUMBNAIL_CHARS + 1) };
    expect(await call(socket, 4, 'alerts.thumbnail', tooLong)).toMatchObject({
      id: 4,
      reply: { ok: false, error: { code: 'bad_request' } },
    });
    socket.close();
    await expectServing();
  });
});

/** An in-process server with a small unread cap, counting the calls it computes. */
async function smallCapServer() {
  const dir = tempDir();
  mkdirSync(join(dir, 'renderer'));
  const engine = createEngine({ storePath: join(dir, 'store.db'), market: false, modelPath: false });
  const logged: string[] = [];
  const counted = { calls: 0 };
  const dispatch: Dispatch = (name, payload) => {
    counted.calls++;
    return engine.dispatch(name, payload);
  };
  const maxUnreadBytes = 1 << 20;
  const server = await serve({
    engine: { ...engine, dispatch },
    rendererDir: join(dir, 'renderer'),
    log: (line) => logged.push(line),
    maxUnreadBytes,
  });
  return {
    url: `ws://${new URL(server.url).host}${BRIDGE_PATH}?token=${server.token}`,
    maxUnreadBytes,
    counted,
    dropped: () => logged.some((line) => /dropped the client at .* unread/.test(line)),
    close: async () => {
      await server.close();
      engine.close();
    },
  };
}

const rangeCall = JSON.stringify({ id: 0, call: 'candles.range', payload: SAMPLE_STREAM });

describe('serve drops a client that stops reading', () => {
  it('closes it with a reason once its unread replies pass the cap, while the others keep working', async () => {
    const server = await smallCapServer();
    const bystander = await connect({}, server.url);
    const slow = await connect({}, server.url);
    slow.pause();
    const replyBytes = JSON.stringify(await call(bystander, 7, 'candles.range', SAMPLE_STREAM)).length;
    // Up to enough replies to fill the cap beyond what the kernel's socket buffers on both sides may
    // hold, in rounds, each followed by a call of a client that reads: the server has had the round.
    const kernelBuffers = 48 << 20;
    let id = 100;
    for (let sent = 0; !server.dropped() && sent * replyBytes < server.maxUnreadBytes + kernelBuffers; sent += 10) {
      for (let i = 0; i < 10; i++) slow.send(rangeCall);
      await call(bystander, id++, 'app.info', {});
    }
    await vi.waitFor(() => expect(server.dropped()).toBe(true), { timeout: 10_000, interval: 100 });
    expect(await call(bystander, 5, 'candles.count', SAMPLE_STREAM)).toMatchObject({ id: 5, reply: { ok: true } });
    const closing = closed(slow);
    slow.resume();
    expect(await closing).toEqual({ code: SLOW_CLIENT_CLOSE_CODE, reason: expect.stringMatching(/too slow/) as unknown });
    bystander.close();
    await server.close();
  }, 90_000);

  it('computes no more replies for it once dropped, however many calls it sent at once', async () => {
    const server = await smallCapServer();
    const slow = await connect({}, server.url);
    slow.pause();
    const sent = 300;
    for (let i = 0; i < sent; i++) slow.send(rangeCall);
    await vi.waitFor(() => expect(server.dropped()).toBe(true), { timeout: 60_000, interval: 100 });
    const computed = server.counted.calls;
    const bystander = await connect({}, server.url);
    expect(await call(bystander, 8, 'app.info', {})).toMatchObject({ id: 8, reply: { ok: true } });
    expect(server.counted.calls).toBe(computed + 1);
    expect(computed).toBeLessThan(sent);
    slow.terminate();
    bystander.close();
    await server.close();
  }, 90_000);
});

describe('serve checks the Host header against DNS rebinding', () => {
  it('serves pages and sockets to loopback names', async () => {
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, 'localhost']) expect(await get('/', host)).toBe(200);
    const socket = await connect({ headers: { Host: `localhost:${port()}` }, origin: `http://localhost:${port()}` });
    expect(await call(socket, 6, 'candles.count', SAMPLE_STREAM)).toMatchObject({ id: 6, reply: { ok: true } });
    socket.close();
  });

  it.each([`evil.example:8080`, 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', 'x@127.0.0.1'])(
    'answers 403 to a page or socket asked for as "%s"',
    async (host) => {
      expect(await get('/', host)).toBe(403);
      const answer = await raw(upgradeRequest(`${BRIDGE_PATH}?token=${token}`, { Host: host }));
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    },
  );

  it('answers 403 to a request without a Host header', async () => {
    expect(await raw('GET / HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
  });
});

describe('serve beyond loopback', () => {
  it('warns on stderr when it listens on every interface, and not on loopback', async () => {
    const open = await startServe(['--db', join(tempDir(), 'store.db'), '--feed', 'off', '--host', '0.0.0.0']);
    await open.stop();
    expect(open.output()).toMatch(/\[serve\] WARNING: listening on 0\.0\.0\.0:\d+, beyond this machine's loopback.*plain HTTP/);
    expect(served.output()).not.toMatch(/WARNING/);
  }, 120_000);
});
