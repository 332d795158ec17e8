/**
 * Market figures:
 *  1. sustained candle updates/s through the real write path (frame validation, coalescing writer,
 *     one transaction per turn, 'candle.updated' events) into a WAL file database, frames offered at a
 *     fixed rate as a socket would deliver them;
 *  2. latency p50/p99 from a frame sent by the exchange (its own process stamps the wall time in the
 *     frame) to the event delivered, 100 symbols live, beside the event loop's own delay;
 *  3. a 1M-candle backfill from the fake REST server at Bybit's real limit (600 requests / 5 s, 1000 per page);
 *  4. the WAL's size under a commit per push, sustained, against its bound (WalCheckpointer.bound).
 */
import { statSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { CandleWriter } from '../../src-main/feed/candle-writer';
import { createEngineBus } from '../../src-main/bus/bus';
import { klineTopic, readFrame } from '../../src-main/market/bybit/protocol';
import { CandleStore } from '../../src-main/store/candles';
import { WalCheckpointer } from '../../src-main/store/checkpointer';
import { openDatabase } from '../../src-main/store/database';
import { WebSocket } from 'ws';
import { readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { fakeProcess, watch } from './fake-exchange';
import { SHARED_DATA, tempDir } from '../helpers';

const SOURCE = join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv');
const rows = readSourceCsv(SOURCE);
const symbols = (n: number) => Array.from({ length: n }, (_, i) => `SYM${String(i).padStart(3, '0')}USDT`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const walBytes = (path: string) => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
const mib = (bytes: number) => (bytes / (1 << 20)).toFixed(1);

// ---- 1. sustained updates/s ------------------------------------------------------------------
/** Pushes of 100 symbols, candle by candle: 4 updates per candle, the last confirming it. */
function pushFrames(names: string[], candles: number): string[] {
  const frames: string[] = [];
  for (let candle = 0; candle < candles; candle++) {
    const row = rows[candle]!;
    for (let phase = 1; phase <= 4; phase++) {
      for (const symbol of names) {
        // An open update's close moves up from the open, within the candle's range.
        const close = phase === 4 ? row.close : String(Math.min(Number(row.high), Number(row.open) + phase * 0.01));
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

/** At most what one socket read callback hands over before the loop moves on (libuv: 32 reads of 64 KiB). */
const READ_BYTES_PER_TURN = 32 * 65_536;

/**
 * Frames offered at `rate` per second as a socket delivers them: each turn takes every frame that has
 * arrived by then (at most one read callback's worth), validates it and hands it to the writer, which
 * commits on its own schedule (setImmediate after the turn, as live; the WAL checkpointed off-thread,
 * as the feed does). Sustained means keeping up: done about frames/rate seconds after the start.
 */
async function sustained(frames: string[], names: string[], rate: number): Promise<void> {
  const path = join(tempDir(), 'updates.db');
  const store = new CandleStore(openDatabase(path));
  const checkpointer = new WalCheckpointer(store.db);
  const bus = createEngineBus();
  let delivered = 0;
  bus.listen('candle.updated', () => delivered++);
  let walPeak = 0;
  const writer = new CandleWriter(store, bus, {
    afterCommit: () => {
      checkpointer.bound();
      walPeak = Math.max(walPeak, walBytes(path));
    },
  });
  const topics = new Set(names.map((s) => klineTopic('1', s)));
  const lastStart = new Map<string, number>();
  const ctx = { isSubscribed: (t: string) => topics.has(t), lastStart: (t: string) => lastStart.get(t), now: rows[600]!.start };
  const started = performance.now();
  let validationMs = 0;
  let next = 0;
  while (next < frames.length) {
    const arrived = Math.min(frames.length, Math.floor(((performance.now() - started) / 1000) * rate));
    const validating = performance.now();
    for (let bytes = 0; next < arrived && bytes < READ_BYTES_PER_TURN; next++) {
      const text = frames[next]!;
      bytes += text.length;
      const frame = readFrame(text, ctx);
      if (frame.kind !== 'kline') throw new Error('bench frame rejected');
      lastStart.set(frame.topic, frame.candles[0]!.time);
      // Stamped as the feed stamps a push it has just read: the writer bounds how long it waits.
      writer.put({ exchange: 'bybit', category: 'linear', symbol: frame.symbol, interval: '1' }, frame.candles, performance.now());
    }
    validationMs += performance.now() - validating;
    await nextTurn(); // the writer's flush runs first: it was scheduled by the first put of the turn
  }
  const seconds = (performance.now() - started) / 1000;
  const offered = frames.length / rate;
  console.log(
    `sustained, ${rate.toLocaleString()} updates/s offered by 100 symbols: ${frames.length.toLocaleString()} updates done in ${seconds.toFixed(2)} s ` +
      `(offered over ${offered.toFixed(2)} s${seconds > offered * 1.05 ? ', FELL BEHIND' : ', kept up'}) = ${Math.round(frames.length / seconds).toLocaleString()} updates/s ` +
      `validated → written → announced; ${writer.stats.rowsChanged.toLocaleString()} row writes (an open candle's updates in one transaction coalesce) ` +
      `in ${writer.stats.transactions.toLocaleString()} transactions, ${delivered.toLocaleString()} events; JSON + zod validation ${(validationMs / 1000).toFixed(2)} s; ` +
      `WAL peak ${mib(walPeak)} MiB (bound ${mib(checkpointer.maxWalBytes)} MiB, ${checkpointer.stats.restarts} RESTART checkpoints)`,
  );
  checkpointer.stop();
  store.db.close();
}

{
  const names = symbols(100);
  const frames = pushFrames(names, 500);
  for (const rate of [50_000, 100_000, 200_000]) await sustained(frames, names, rate);
}

// ---- 2. latency with 100 symbols live --------------------------------------------------------
/**
 * Latency with 100 symbols each pushing every `stepMs` of real time, measured over 15 s, to the event
 * delivered: as the feed itself measures it from its socket's frame received (the figure its health
 * reports); from the frame as a sibling socket in this process received it (a push it read after the
 * engine's event is left out); and, as an upper bound, from the frame sent (the exchange, in its own
 * process, stamps its wall time in the frame; the loopback hop included).
 */
async function latency(stepMs: number): Promise<void> {
  const names = symbols(100);
  const history = 1000;
  const fake = await fakeProcess(SOURCE, [
    '--symbols',
    names.join(','),
    '--history',
    String(history),
    '--step-ms',
    String(stepMs),
    '--stamp-sends',
  ]);
  const wallNow = () => performance.timeOrigin + performance.now();
  const sentAt = new Map<string, number>();
  const receivedAt = new Map<string, number>();
  const deliveredAt = new Map<string, number>();
  let marketNow = rows[history]!.start;
  const observer = new WebSocket(`${fake.wsBase}/v5/public/linear`);
  observer.on('open', () => observer.send(JSON.stringify({ op: 'subscribe', args: names.map((s) => klineTopic('1', s)) })));
  observer.on('message', (data) => {
    const frame = JSON.parse(String(data)) as {
      topic?: string;
      ts: number;
      sentAt: number;
      data: { start: number; close: string; confirm: boolean }[];
    };
    if (frame.topic === undefined) return;
    marketNow = Math.max(marketNow, frame.ts);
    const c = frame.data[0]!;
    const key = `${frame.topic.slice(8)}|${c.start}|${Number(c.close)}|${c.confirm}`;
    sentAt.set(key, frame.sentAt);
    if (!deliveredAt.has(key)) receivedAt.set(key, wallNow());
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
  engine.events.listen((name, payload) => {
    if (name !== 'candle.updated') return;
    const { symbol, candle } = payload as { symbol: string; candle: { time: number; close: number; confirmed: boolean } };
    // Live pushes only: backfilled candles were never pushed.
    if (candle.time >= rows[history]!.start) deliveredAt.set(`${symbol}|${candle.time}|${candle.close}|${candle.confirmed}`, wallNow());
  });
  // Measured once the history is written and the stream is live, as a trader watching it sees it.
  await engine.feed?.idle();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  engine.feed?.writer.latency.clear();
  deliveredAt.clear();
  // How long the event loop waited beyond its own work: on a shared machine, mostly waiting for a CPU.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  loopDelay.disable();
  const since = (starts: Map<string, number>) =>
    [...deliveredAt].flatMap(([key, at]) => (starts.has(key) ? [at - (starts.get(key) ?? 0)] : [])).sort((a, b) => a - b);
  const figures = (latencies: number[]) =>
    `p50 ${percentile(latencies, 50).toFixed(2)} ms, p90 ${percentile(latencies, 90).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms (${latencies.length.toLocaleString()} pushes)`;
  const own = engine.feed?.health().latency;
  console.log(
    `latency to the event delivered (validated, stored), 100 symbols live, ${Math.round((100 * 1000) / stepMs).toLocaleString()} pushes/s over 15 s: ` +
      `as the feed measures it, from its socket's frame received: p50 ${own?.p50Ms.toFixed(2)} ms, p99 ${own?.p99Ms.toFixed(2)} ms (last ${own?.frames} frames); ` +
      `from a sibling socket's frame received ${figures(since(receivedAt))}; from the frame sent ${figures(since(sentAt))}; ` +
      `event-loop delay in the same run: p50 ${(loopDelay.percentile(50) / 1e6).toFixed(2)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(2)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
  );
  observer.close();
  engine.close();
  fake.stop();
}
// Bybit pushes a topic every 1–60 s, so 100 symbols give at most 100 pushes/s; then 20× that, as a stress.
await latency(1000);
await latency(50);

// ---- 3. 1M-candle backfill -------------------------------------------------------------------
{
  const streams = Math.ceil(1_000_000 / (rows.length - 1));
  const names = symbols(streams);
  const { wsBase, restBase, stop } = await fakeProcess(SOURCE, [
    '--symbols',
    names.join(','),
    '--history',
    String(rows.length - 1),
    '--step-ms',
    '0',
  ]);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
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
  const cpu = process.cpuUsage(cpuBefore);
  const stored = engine.store.db.prepare('SELECT count(*) FROM candles WHERE confirmed = 1').pluck().get() as number;
  console.log(
    `backfill: ${stored.toLocaleString()} candles (${streams} streams × ${(rows.length - 1).toLocaleString()}) in ${seconds.toFixed(1)} s, ` +
      `${engine.feed!.rest.stats.requests} requests at ≤600 per 5 s, 1000 per page; CPU time of this process ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`,
  );
  engine.close();
  stop();
}

// ---- 4. the WAL under a commit per push ------------------------------------------------------
/**
 * Pushes offered at `rate` per second for `seconds`, each committed on its own as under light load
 * (the writer flushes once the read that brought a push is handled): the load that grew the WAL
 * without bound before it had one. Reports the rate kept, the WAL's peak and final size against the
 * bound, the RESTART checkpoints it took, and each push's delay from when it was due to its commit.
 */
async function walUnderLoad(rate: number, seconds: number): Promise<void> {
  const names = symbols(100);
  const frames = pushFrames(names, Math.ceil((rate * seconds) / 400)).slice(0, rate * seconds);
  const path = join(tempDir(), 'wal.db');
  const store = new CandleStore(openDatabase(path));
  const checkpointer = new WalCheckpointer(store.db);
  let walPeak = 0;
  let longestBound = 0;
  const writer = new CandleWriter(store, createEngineBus(), {
    afterCommit: () => {
      const bounding = performance.now();
      checkpointer.bound();
      longestBound = Math.max(longestBound, performance.now() - bounding);
      walPeak = Math.max(walPeak, walBytes(path));
    },
  });
  const topics = new Set(names.map((s) => klineTopic('1', s)));
  const lastStart = new Map<string, number>();
  const ctx = { isSubscribed: (t: string) => topics.has(t), lastStart: (t: string) => lastStart.get(t), now: rows[600]!.start };
  /** From when each push was due to arrive to its commit done: waiting behind a RESTART checkpoint included. */
  const latencies: number[] = [];
  const started = performance.now();
  for (let next = 0; next < frames.length;) {
    const arrived = Math.min(frames.length, Math.floor(((performance.now() - started) / 1000) * rate));
    if (next === arrived) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const arrivedAt = started + (next * 1000) / rate;
    const frame = readFrame(frames[next++]!, ctx);
    if (frame.kind !== 'kline') throw new Error('bench frame rejected');
    lastStart.set(frame.topic, frame.candles[0]!.time);
    writer.put({ exchange: 'bybit', category: 'linear', symbol: frame.symbol, interval: '1' }, frame.candles, performance.now());
    await new Promise((resolve) => process.nextTick(resolve)); // the writer's flush of this push runs first
    latencies.push(performance.now() - arrivedAt);
  }
  writer.flush(); // past 10,000 pushes/s (a burst after a stall) the writer waits for the turn's end
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `WAL under a commit per push, ${rate.toLocaleString()} pushes/s offered for ${seconds} s: ${Math.round(frames.length / elapsed).toLocaleString()} pushes/s kept, ` +
      `${writer.stats.transactions.toLocaleString()} commits; WAL peak ${mib(walPeak)} MiB, at the end ${mib(walBytes(path))} MiB, store ${mib(statSync(path).size)} MiB ` +
      `(bound ${mib(checkpointer.maxWalBytes)} MiB; ${checkpointer.stats.restarts} RESTART checkpoints, ${checkpointer.stats.restartsBusy} given up, the longest holding the writer ${longestBound.toFixed(1)} ms); ` +
      `due → stored p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, p99.9 ${percentile(latencies, 99.9).toFixed(2)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
  );
  checkpointer.stop();
  store.db.close();
}
await walUnderLoad(1_200, 20);
await walUnderLoad(5_000, 20);
