/**
 * Market figures:
 *  1. sustained candle updates/s through the real write path (frame validation, coalescing writer,
 *     one transaction per turn, 'candle.updated' events) into a WAL file database;
 *  2. latency p50/p99 from a push leaving the fake Bybit server to the event delivered, 100 symbols live;
 *  3. a 1M-candle backfill from the fake REST server at Bybit's real limit (600 requests / 5 s, 1000 per page).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { CandleWriter } from '../../src-main/feed/candle-writer';
import type { StreamKeyValue } from '../../src-main/ipc/contract';
import { EventHub } from '../../src-main/ipc/dispatch';
import { klineTopic, readFrame } from '../../src-main/market/bybit/protocol';
import { CandleStore } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { WebSocket } from 'ws';
import { readSourceCsv } from '../fake-bybit/server';
import { ROOT, SHARED_DATA, tempDir } from '../helpers';

const SOURCE = join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv');
const rows = readSourceCsv(SOURCE);
const symbols = (n: number) => Array.from({ length: n }, (_, i) => `SYM${String(i).padStart(3, '0')}USDT`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---- 1. sustained updates/s ------------------------------------------------------------------
/** Pushes of 100 symbols, candle by candle: 4 updates per candle, the last confirming it. */
function pushFrames(names: string[], candles: number): string[] {
  const frames: string[] = [];
  for (let candle = 0; candle < candles; candle++) {
    const row = rows[candle]!;
    for (let phase = 1; phase <= 4; phase++) {
      for (const symbol of names) {
        const close = phase === 4 ? row.close : String(Number(row.open) + phase * 0.01);
        const wire = { start: row.start, end: row.start + 59_999, interval: '1', open: row.open, close, high: row.high, low: row.low };
        const data = [
          {
            ...wire,
            volume: String((Number(row.volume) * phase) / 4),
            turnover: '0',
            confirm: phase === 4,
            timestamp: row.start + phase * 15_000,
          },
        ];
        frames.push(JSON.stringify({ topic: klineTopic('1', symbol), type: 'snapshot', ts: row.start + phase * 15_000, data }));
      }
    }
  }
  return frames;
}

/** Frames validated, coalesced, written (one transaction per turn of `perTurn` frames) and announced. */
function sustained(frames: string[], names: string[], perTurn: number): void {
  const store = new CandleStore(openDatabase(join(tempDir(), 'updates.db')));
  const events = new EventHub();
  let delivered = 0;
  events.listen(() => delivered++);
  const writer = new CandleWriter(store, events);
  const topics = new Set(names.map((s) => klineTopic('1', s)));
  const lastStart = new Map<string, number>();
  const ctx = { isSubscribed: (t: string) => topics.has(t), lastStart: (t: string) => lastStart.get(t), now: rows[600]!.start };
  const started = performance.now();
  let validationMs = 0;
  for (let i = 0; i < frames.length; i++) {
    const validating = performance.now();
    const frame = readFrame(frames[i]!, ctx);
    validationMs += performance.now() - validating;
    if (frame.kind !== 'kline') throw new Error('bench frame rejected');
    lastStart.set(frame.topic, frame.candles[0]!.time);
    writer.put({ exchange: 'bybit', category: 'linear', symbol: frame.symbol, interval: '1' }, frame.candles);
    if ((i + 1) % perTurn === 0) writer.flush(); // what the setImmediate flush does after each socket read
  }
  writer.flush();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `sustained, ${perTurn} frames per turn: ${frames.length.toLocaleString()} updates in ${seconds.toFixed(2)} s = ` +
      `${Math.round(frames.length / seconds).toLocaleString()} updates/s validated → written → announced ` +
      `(${writer.stats.rowsChanged.toLocaleString()} row writes in ${writer.stats.transactions} transactions, ${delivered.toLocaleString()} events; ` +
      `JSON + zod validation ${(validationMs / 1000).toFixed(2)} s, coalescing + SQLite + events ${(seconds - validationMs / 1000).toFixed(2)} s)`,
  );
  store.db.close();
}

{
  const names = symbols(100);
  const frames = pushFrames(names, 500);
  sustained(frames, names, 100); // one push per symbol per turn: no coalescing at all
  sustained(frames, names, 2000); // a backlog: 20 pushes per symbol per turn, coalesced
}

// ---- 2. latency with 100 symbols live --------------------------------------------------------
/** The fake exchange in its own process, as a remote one would be; resolves with its endpoints. */
async function fakeProcess(args: string[]): Promise<{ wsBase: string; restBase: string; stop: () => void }> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests', 'fake-bybit', 'main.ts'), '--csv', SOURCE, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [, wsBase = '', restBase = ''] = await new Promise<RegExpExecArray>((resolve) => {
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /--bybit-ws (\S+) --bybit-rest (\S+)/.exec(output);
      if (match) resolve(match);
    });
  });
  return { wsBase, restBase, stop: () => server.kill('SIGTERM') };
}

const watch = (names: string[]) =>
  names.map((symbol) => ({ exchange: 'bybit', category: 'linear', symbol, interval: '1' }) satisfies StreamKeyValue);

{
  const names = symbols(100);
  const history = 1000;
  const stepMs = 50;
  const fake = await fakeProcess(['--symbols', names.join(','), '--history', String(history), '--step-ms', String(stepMs)]);
  // A sibling socket receives the same frames at the same moment: its arrival time is "frame received".
  const receivedAt = new Map<string, number>();
  let marketNow = rows[history]!.start;
  const observer = new WebSocket(`${fake.wsBase}/v5/public/linear`);
  observer.on('open', () => observer.send(JSON.stringify({ op: 'subscribe', args: names.map((s) => klineTopic('1', s)) })));
  observer.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as { topic?: string; ts: number; data: { start: number; close: string; confirm: boolean }[] };
    if (frame.topic === undefined) return;
    marketNow = Math.max(marketNow, frame.ts);
    const c = frame.data[0]!;
    receivedAt.set(`${frame.topic.slice(8)}|${c.start}|${Number(c.close)}|${c.confirm}`, at);
  });
  const engine = createEngine({
    storePath: join(tempDir(), 'latency.db'),
    seedSample: false,
    // The feed alone: in this 1200× accelerated time the model would score 1200× its real load.
    modelPath: false,
    market: {
      wsBase: fake.wsBase,
      restBase: fake.restBase,
      source: 'fake',
      marketNow: () => marketNow,
      backfillDepthMs: 3_600_000,
      watch: watch(names),
    },
  });
  const latencies: number[] = [];
  engine.events.listen((name, payload) => {
    if (name !== 'candle.updated') return;
    const { symbol, candle } = payload as { symbol: string; candle: { time: number; close: number; confirmed: boolean } };
    const received = receivedAt.get(`${symbol}|${candle.time}|${candle.close}|${candle.confirmed}`);
    if (received !== undefined) latencies.push(performance.now() - received);
  });
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  latencies.sort((a, b) => a - b);
  console.log(
    `latency, frame received → validated → stored → event delivered, 100 symbols live, ${Math.round((100 * 1000) / stepMs).toLocaleString()} pushes/s: ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms (${latencies.length.toLocaleString()} samples over 15 s)`,
  );
  observer.close();
  engine.close();
  fake.stop();
}

// ---- 3. 1M-candle backfill -------------------------------------------------------------------
{
  const streams = Math.ceil(1_000_000 / (rows.length - 1));
  const names = symbols(streams);
  const { wsBase, restBase, stop } = await fakeProcess([
    '--symbols',
    names.join(','),
    '--history',
    String(rows.length - 1),
    '--step-ms',
    '0',
  ]);
  const started = performance.now();
  const engine = createEngine({
    storePath: join(tempDir(), 'backfill.db'),
    seedSample: false,
    modelPath: false,
    market: {
      wsBase,
      restBase,
      source: 'fake',
      marketNow: () => rows.at(-1)!.start,
      backfillDepthMs: rows.at(-1)!.start - rows[0]!.start,
      watch: watch(names),
    },
  });
  await nextTurn();
  await engine.feed!.idle();
  const seconds = (performance.now() - started) / 1000;
  const stored = engine.store.db.prepare('SELECT count(*) FROM candles WHERE confirmed = 1').pluck().get() as number;
  console.log(
    `backfill: ${stored.toLocaleString()} candles (${streams} streams × ${(rows.length - 1).toLocaleString()}) in ${seconds.toFixed(1)} s, ` +
      `${engine.feed!.rest.stats.requests} requests at ≤600 per 5 s, 1000 per page`,
  );
  engine.close();
  stop();
}
