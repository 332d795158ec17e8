import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { KlineEnvelope, readFrame } from '../../src-main/market/bybit/protocol';
import { CsvError } from '../../src-main/market/candle-csv';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';

const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 50);
let fake: FakeBybit | undefined;
afterEach(async () => fake?.close());

function open(url: string): Promise<{ socket: WebSocket; next: () => Promise<string> }> {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  socket.on('message', (data) => {
    const text = String(data);
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else queue.push(text);
  });
  const next = () => {
    const queued = queue.shift();
    return queued !== undefined ? Promise.resolve(queued) : new Promise<string>((resolve) => waiting.push(resolve));
  };
  return new Promise((resolve, reject) => socket.once('open', () => resolve({ socket, next })).once('error', reject));
}

describe('fake Bybit server', () => {
  it('speaks v5 on the WebSocket: acks, failures, pong, open updates then the confirmed source candle', async () => {
    fake = await new FakeBybit({ rows, startIndex: 10, updatesPerCandle: 2 }).listen();
    const { socket, next } = await open(`${fake.wsUrl}/v5/public/linear`);
    const ctx = { isSubscribed: () => true, lastStart: () => undefined, now: rows[20]!.start };
    socket.send(JSON.stringify({ req_id: 'a', op: 'subscribe', args: ['kline.1.ETHUSDT'] }));
    expect(readFrame(await next(), ctx)).toEqual({ kind: 'op', op: 'subscribe', success: true, message: '', reqId: 'a' });
    socket.send(JSON.stringify({ op: 'subscribe', args: ['kline.1.DOGEUSDT'] }));
    expect(readFrame(await next(), ctx)).toMatchObject({
      kind: 'op',
      success: false,
      message: 'error:handler not found,topic:kline.1.DOGEUSDT',
    });
    socket.send(JSON.stringify({ op: 'ping' }));
    expect(readFrame(await next(), ctx)).toEqual({ kind: 'pong' });
    const frames = [];
    for (let i = 0; i < 3; i++) {
      fake.step();
      frames.push(readFrame(await next(), ctx));
    }
    const candles = frames.flatMap((f) => (f.kind === 'kline' ? f.candles : []));
    expect(candles.map((c) => c.confirmed)).toEqual([false, false, true]);
    expect(candles.every((c) => c.time === rows[10]!.start && c.low <= c.high)).toBe(true);
    expect(candles[2]).toMatchObject({ open: Number(rows[10]!.open), close: Number(rows[10]!.close), volume: Number(rows[10]!.volume) });
    expect(fake.cursor).toBe(11);
    socket.close();
  });

  it('sends frames in one TCP write that the client reads as separate messages', async () => {
    fake = await new FakeBybit({ rows }).listen();
    const { socket, next } = await open(`${fake.wsUrl}/v5/public/linear`);
    const long = 'x'.repeat(300); // past 125 bytes: the 16-bit length form
    fake.sendRawTogether(['{"a":1}', `{"b":"${long}"}`]);
    expect([await next(), await next()]).toEqual(['{"a":1}', `{"b":"${long}"}`]);
    socket.close();
  });

  it("refuses a replay file's impossible candle as import does, naming its line in the file", () => {
    const lines = readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8').split('\n').slice(0, 31);
    const [start, open, high, low, close] = lines[30]!.split(',');
    lines[30] = [start, open, high, low, close, '-1'].join(',');
    const file = join(tempDir(), 'replay.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(() => readSourceCsv(file, 20)).toThrow(new CsvError(31, 'volume -1 is negative'));
  });

  it('refuses a spot subscribe of more than 10 topics like the real server', async () => {
    fake = await new FakeBybit({ rows, category: 'spot' }).listen();
    const { socket, next } = await open(`${fake.wsUrl}/v5/public/spot`);
    socket.send(JSON.stringify({ op: 'subscribe', args: Array.from({ length: 11 }, (_, i) => `kline.1.S${i}USDT`) }));
    expect(JSON.parse(await next())).toMatchObject({ success: false, ret_msg: 'args size >10', op: 'subscribe' });
    socket.close();
  });

  it('serves REST kline pages newest first up to now, and answers 403 past the rate limit', async () => {
    fake = await new FakeBybit({ rows, startIndex: 30, rateLimit: { requests: 2, windowMs: 60_000 } }).listen();
    const get = (query: string) => fetch(`${fake!.restUrl}/v5/market/kline?category=linear&symbol=ETHUSDT&interval=1&${query}`);
    const page = KlineEnvelope.parse(await (await get(`start=${rows[0]!.start}&limit=1000`)).json());
    const list = 'list' in page.result ? page.result.list : [];
    expect(list.map((r) => Number(r[0]))).toEqual(
      rows
        .slice(0, 31)
        .map((r) => r.start)
        .reverse(),
    );
    expect(list[1]).toEqual([
      String(rows[29]!.start),
      rows[29]!.open,
      rows[29]!.high,
      rows[29]!.low,
      rows[29]!.close,
      rows[29]!.volume,
      expect.any(String),
    ]);
    expect(page.time).toBe(rows[30]!.start);
    const limited = KlineEnvelope.parse(await (await get(`start=${rows[0]!.start}&end=${rows[9]!.start}&limit=4`)).json());
    expect('list' in limited.result && limited.result.list.map((r) => Number(r[0]))).toEqual([9, 8, 7, 6].map((i) => rows[i]!.start));
    expect((await get('limit=5')).status).toBe(403);
  });
});
