/**
 * Soak: 30 minutes of market time at 1,000 pushes/s (100 symbols, each pushing 10 times a market
 * second) from the fake exchange in its own process through the whole live path (socket, frame
 * validation, writer, SQLite in WAL mode, checkpoints, events), played 10× faster than real time.
 * Every 3 market minutes it samples the engine's RSS, open file descriptors, the WAL's size and the
 * feed's own latency p99 (frame received → stored → event delivered) of the pushes since the last
 * sample (and the live heap after a full collection, with NODE_OPTIONS=--expose-gc); then prints the first and last samples and each figure's trend over the second half, per
 * 10 market minutes. Steady means a trend near 0, not upward.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../src-main/engine/engine';
import { readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';
import { fakeProcess, watch } from './fake-exchange';

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
let marketNow = liveFrom;
let pushes = 0;
const engine = createEngine({
  storePath,
  seedSample: false,
  modelPath: false,
  market: { wsBase: fake.wsBase, restBase: fake.restBase, source: 'fake', marketNow: () => marketNow, watch: watch(names) },
});
engine.events.listen((name, payload) => {
  if (name !== 'candle.updated') return;
  const { candle } = payload as { candle: { time: number } };
  if (candle.time < liveFrom) return;
  pushes++;
  // The market clock as the pushes tell it: each update is a tenth of a market second.
  marketNow = Math.max(marketNow, candle.time + ((pushes / SYMBOLS) % (updatesPerCandle + 1)) * (60_000 / (updatesPerCandle + 1)));
});

const fileMb = (path: string) => {
  try {
    return statSync(path).size / 2 ** 20;
  } catch {
    return 0;
  }
};
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
  samples.push({
    heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    marketMinute: Math.round((pushes / (SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND * 60)) * 10) / 10,
    rssMb: process.memoryUsage().rss / 2 ** 20,
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
  `minute ${s.marketMinute}: RSS ${s.rssMb.toFixed(0)} MB, heap ${s.heapMb.toFixed(0)} MB, ${s.fds} fds, WAL ${s.walMb.toFixed(1)} MB, p99 ${s.p99Ms?.toFixed(2) ?? '-'} ms`;
const secondHalf = samples.slice(Math.floor(samples.length / 2));
console.log(
  `soak: ${pushes.toLocaleString()} pushes (${SYMBOLS} symbols × ${PUSHES_PER_SYMBOL_PER_SECOND}/s × ${MARKET_MINUTES} market minutes = ` +
    `${(SYMBOLS * PUSHES_PER_SYMBOL_PER_SECOND).toLocaleString()} pushes/s of market time) in ${seconds.toFixed(0)} s real ` +
    `(${Math.round(pushes / seconds).toLocaleString()} pushes/s, ${SPEEDUP}× offered); database ${fileMb(storePath).toFixed(1)} MB`,
);
for (const s of [...samples.slice(0, 2), ...samples.slice(-2)]) console.log(`  ${show(s)}`);
console.log(
  `  trend over the second half, per 10 market minutes: RSS ${trend(secondHalf, (s) => s.rssMb)} MB, heap ${trend(secondHalf, (s) => s.heapMb)} MB, fds ${trend(secondHalf, (s) => s.fds)}, ` +
    `WAL ${trend(secondHalf, (s) => s.walMb)} MB, p99 ${trend(secondHalf, (s) => s.p99Ms)} ms`,
);
engine.close();
fake.stop();
