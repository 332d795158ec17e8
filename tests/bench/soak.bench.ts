/**
 * Soak: 30 minutes of market time at 1,000 pushes/s (100 symbols, each pushing 10 times a market
 * second) from the fake exchange in its own process through the whole live path (socket, frame
 * validation, writer, SQLite in WAL mode, checkpoints, events), played 10× faster than real time.
 * Every 3 market minutes it samples the engine's RSS (split into private memory, mapped files and
 * shared memory), the JavaScript heap V8 holds and, with NODE_OPTIONS=--expose-gc, what is live in it
 * after a full collection, the memory outside it that V8 knows of (Buffers), open file descriptors,
 * the WAL's size and the feed's own latency p99 (frame received → stored → event delivered) of the
 * pushes since the last sample; then prints every sample and each figure's trend over the second
 * half, per 10 market minutes. Steady means a trend near 0, not upward; a single step that then
 * stays flat is a high-water mark (memory the allocators keep after a busy stretch), not a leak.
 * Private memory that neither the heap nor external memory accounts for is native (SQLite, malloc).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';
import { exchangeClock, fakeProcess, watch } from './fake-exchange';

const SOURCE = join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv');
const SYMBOLS = 100;
const PUSHES_PER_SYMBOL_PER_SECOND = 10;
const MARKET_MINUTES = 30;
const SPEEDUP = 10;
const SAMPLE_EVERY_MARKET_MS = 3 * 60_000;
const HISTORY = 200;

interface Sample {
  marketMinute: number;
  rssMb: number;
  /** Live JavaScript objects after a full collection (when node runs with --expose-gc). */
  heapMb: number;
  /** The heap V8 holds from the system after that collection (live objects and its free space). */
  heapTotalMb: number;
  /** Memory outside the JavaScript heap that V8 knows of (Buffers, ArrayBuffers, native wrappers). */
  externalMb: number;
  /** RSS split as the kernel counts it: private memory (malloc, V8), mapped files, shared memory (SQLite's -shm). */
  anonMb: number;
  mappedFileMb: number;
  shmemMb: number;
  fds: number;
  walMb: number;
  p99Ms: number | null;
  pushes: number;
}

const rows = readSourceCsv(SOURCE, 0, HISTORY + MARKET_MINUTES + 2);
const names = Array.from({ length: SYMBOLS }, (_, i) => `SOAK${String(i).padStart(3, '0')}USDT`);
const updatesPerCandle = 60 * PUSHES_PER_SYMBOL_PER_SECOND - 1;
const stepMs = 1000 / PUSHES_PER_SYMBOL_PER_SECOND / SPEEDUP;
const fake = await fakeProcess(SOURCE, [
  '--symbols',
  names.join(','),
  '--history',
  String(HISTORY),
  '--step-ms',
  String(stepMs),
  '--updates-per-candle',
  String(updatesPerCandle),
]);
const storePath = join(tempDir(), 'soak.db');
const liveFrom = rows[HISTORY]!.start;
const clock = exchangeClock(fake.wsBase, names[0]!, liveFrom, SPEEDUP);
let pushes = 0;
const engine = createEngine({
  storePath,
  seedSample: false,
  modelPath: false,
  // A run that stalls or falls behind says why.
  log: (line) => console.error(`[engine] ${line}`),
  market: { wsBase: fake.wsBase, restBase: fake.restBase, source: 'fake', marketNow: clock.now, watch: watch(names) },
});
engine.events.listen((name, payload) => {
  if (name !== 'candle.updated') return;
  const { candle } = payload as { candle: { time: number } };
  if (candle.time < liveFrom) return;
  pushes++;
});

const fileMb = (path: string) => {
  try {
    return statSync(path).size / 2 ** 20;
  } catch {
    return 0;
  }
};
/** A `kB` line of /proc/self/status in MB. */
const statusMb = (status: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
const samples: Sample[] = [];
const totalPushes = SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND * 60 * MARKET_MINUTES;
const samplePushes = (SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND * SAMPLE_EVERY_MARKET_MS) / 1000;
const started = performance.now();
let nextSample = samplePushes;
while (pushes < totalPushes) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (performance.now() - started > (MARKET_MINUTES * 60_000 * 3) / SPEEDUP) break; // far behind: report what there is
  if (pushes < nextSample) continue;
  nextSample += samplePushes;
  const latency = engine.feed?.health().latency ?? null;
  engine.feed?.writer.latency.clear();
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  samples.push({
    heapMb: memory.heapUsed / 2 ** 20,
    heapTotalMb: memory.heapTotal / 2 ** 20,
    externalMb: memory.external / 2 ** 20,
    anonMb: statusMb(status, 'RssAnon'),
    mappedFileMb: statusMb(status, 'RssFile'),
    shmemMb: statusMb(status, 'RssShmem'),
    marketMinute: Math.round((pushes / (SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND * 60)) * 10) / 10,
    rssMb: memory.rss / 2 ** 20,
    fds: readdirSync('/proc/self/fd').length,
    walMb: fileMb(`${storePath}-wal`),
    p99Ms: latency?.p99Ms ?? null,
    pushes,
  });
}
const seconds = (performance.now() - started) / 1000;

/** Least-squares slope of y over the market minutes, per 10 market minutes. */
function trend(points: Sample[], y: (s: Sample) => number | null): string {
  const xy = points.flatMap((s) => {
    const value = y(s);
    return value === null ? [] : [[s.marketMinute, value] as const];
  });
  if (xy.length < 2) return 'n/a';
  const mx = xy.reduce((a, [x]) => a + x, 0) / xy.length;
  const my = xy.reduce((a, [, v]) => a + v, 0) / xy.length;
  const slope = xy.reduce((a, [x, v]) => a + (x - mx) * (v - my), 0) / xy.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return `${slope >= 0 ? '+' : ''}${(slope * 10).toFixed(3)}`;
}
const show = (s: Sample) =>
  `minute ${s.marketMinute}: RSS ${s.rssMb.toFixed(0)} MB (private ${s.anonMb.toFixed(0)}, files ${s.mappedFileMb.toFixed(0)}, shared ${s.shmemMb.toFixed(0)}), ` +
  `heap ${s.heapMb.toFixed(0)} MB of ${s.heapTotalMb.toFixed(0)}, external ${s.externalMb.toFixed(0)} MB, ${s.fds} fds, WAL ${s.walMb.toFixed(1)} MB, p99 ${s.p99Ms?.toFixed(2) ?? '-'} ms`;
const secondHalf = samples.slice(Math.floor(samples.length / 2));
console.log(
  `soak: ${pushes.toLocaleString()} pushes (${SYMBOLS} symbols × ${PUSHES_PER_SYMBOL_PER_SECOND}/s × ${MARKET_MINUTES} market minutes = ` +
    `${(SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND).toLocaleString()} pushes/s of market time) in ${seconds.toFixed(0)} s real ` +
    `(${Math.round(pushes / seconds).toLocaleString()} pushes/s, ${SPEEDUP}× offered); database ${fileMb(storePath).toFixed(1)} MB`,
);
// Every sample: a step (RSS raised once, e.g. while the engine fell behind) reads differently from a slope.
for (const s of samples) console.log(`  ${show(s)}`);
console.log(
  `  trend over the second half, per 10 market minutes: RSS ${trend(secondHalf, (s) => s.rssMb)} MB, private ${trend(secondHalf, (s) => s.anonMb)} MB, heap ${trend(secondHalf, (s) => s.heapMb)} MB of ${trend(secondHalf, (s) => s.heapTotalMb)} MB, external ${trend(secondHalf, (s) => s.externalMb)} MB, fds ${trend(secondHalf, (s) => s.fds)}, ` +
    `WAL ${trend(secondHalf, (s) => s.walMb)} MB, p99 ${trend(secondHalf, (s) => s.p99Ms)} ms`,
);
engine.close();
clock.close();
fake.stop();
