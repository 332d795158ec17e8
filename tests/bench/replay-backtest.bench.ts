/**
 * Analyst figures: explained backtest throughput on wasm over a slice of the Binance file (with its breaks
 * the full 429k rows are projected from it), feature building alone, the model on one helper thread and
 * on one per core, each with its CPU time; and replay pace at 1000× with the bundled model.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ExplainPool } from '../../src-main/backtest/explain-pool';
import { runBacktest } from '../../src-main/backtest/run';
import { DEFAULT_RULES } from '../../src-main/backtest/simulate';
import { bundledModelPath, createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { historyLength, runFeatures, unbrokenRuns } from '../../src-main/features/windows';
import type { EventPayload } from '../../src-shared/contract/bridge';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { loadModel } from '../../src-main/model/model-file';
import { SHARED_DATA, tempDir } from '../helpers';

const SLICE = 20_000;
const FULL_ROWS = 429_069;
const modelPath = bundledModelPath();
if (modelPath === undefined) throw new Error('no bundled model in resources/models');
const loaded = loadModel(modelPath);
const { features, normalization } = loaded.metadata;
if (features === null || normalization === null) throw new Error('the bundled model has no feature pipeline');

const lines = readFileSync(join(SHARED_DATA, 'binance_BTCUSDT_1m.csv'), 'utf8').split('\n');
const candles = parseCandleCsv([lines[0], ...lines.slice(1, SLICE + 1)].join('\n'), '1');
// Feature building alone (computed once per unbroken run, then sliced per window), to tell it from the model's share.
{
  const started = performance.now();
  const size = features.windowLength * features.channels.length;
  const row = new Float32Array(size);
  let built = 0;
  for (const run of unbrokenRuns(candles, 60_000)) {
    if (run.length < historyLength(features)) continue;
    const write = runFeatures(run, features, 60_000, normalization);
    for (let end = historyLength(features) - 1; end < run.length; end++, built++) write(end, row, 0);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`features alone: ${built.toLocaleString()} windows in ${seconds.toFixed(2)} s = ${(built / seconds).toFixed(0)} windows/s`);
}

// The CLI's path: the model on a helper thread per core (and on one, for comparison), this thread building features.
await useBackend(['wasm']);
for (const threads of [1, availableParallelism()]) {
  const pool = await ExplainPool.start(modelPath, ['wasm'], threads);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const run = await runBacktest(pool.explain, candles, 60_000, loaded.metadata, DEFAULT_RULES, { parallel: pool.size });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  // CPU time beside wall time: on a shared machine the wall figure says as much about the neighbours.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perSecond = run.windows.length / seconds;
  console.log(
    `backtest on wasm, ${threads} thread(s): ${run.windows.length.toLocaleString()} explained windows in ${seconds.toFixed(1)} s = ${perSecond.toFixed(0)} windows/s ` +
      `(${cpuSeconds.toFixed(1)} CPU-s = ${(run.windows.length / cpuSeconds).toFixed(0)} windows per CPU-second); ` +
      `the full binance file (${FULL_ROWS.toLocaleString()} rows) projects to ${(FULL_ROWS / perSecond / 60).toFixed(1)} min (target < 2 min on wasm)`,
  );
  if (threads === 1 && availableParallelism() === 1) break;
}

// Replay at 1000× (60 ms per 1-minute candle) with the bundled model scoring every step.
const engine = createEngine({ storePath: join(tempDir(), 'bench.db'), market: false });
await engine.model?.ready;
const all = engine.store.range(SAMPLE_STREAM);
const STEPS = 200;
const from = all[all.length - STEPS]?.time ?? 0;
const reply = await engine.dispatch('replay.start', { ...SAMPLE_STREAM, from, to: all.at(-1)?.time ?? 0, warmup: 200 });
if (!reply.ok) throw new Error(reply.error.message);
const { id } = (reply.value as { state: { id: string } }).state;
const done = new Promise<EventPayload<'replay.state'>>((resolve) =>
  engine.events.listen((name, payload) => {
    if (name === 'replay.state' && !(payload as EventPayload<'replay.state'>).playing) resolve(payload as EventPayload<'replay.state'>);
  }),
);
const started = performance.now();
await engine.dispatch('replay.control', { id, action: 'play', speed: 1000 });
const final = await done;
const seconds = (performance.now() - started) / 1000;
console.log(
  `replay at 1000×: ${final.cursor + 1} candles, each scored and explained, in ${seconds.toFixed(1)} s (pace ${(STEPS * 0.06).toFixed(1)} s); ${final.late} steps late`,
);
engine.close();
