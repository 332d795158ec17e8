/**
 * Resampling figures: 1,000,000 one-minute candles to 1h (target < 200 ms), beside an anchor: one
 * plain pass over the same candles summing their volume, the least any aggregation costs on this
 * machine at this moment (the cores are shared, so the ratio is steadier than the figure).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Candle } from '../../src-shared/domain/market';
import { resample } from '../../src-shared/domain/resample';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { SHARED_DATA } from '../helpers';

const COUNT = 1_000_000;
const MINUTE = 60_000;
const real = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_BTCUSDT_1m.csv'), 'utf8'), '1');
const first = real[0]?.time ?? 0;
// The real month's candles over and over, minute after minute: a million without a break.
const candles: Candle[] = Array.from({ length: COUNT }, (_, i) => ({ ...(real[i % real.length] as Candle), time: first + i * MINUTE }));

function best(runs: number, work: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

let volume = 0;
const anchorMs = best(5, () => {
  volume = 0;
  for (const c of candles) volume += c.volume;
});
let buckets = 0;
const resampleMs = best(5, () => {
  buckets = resample(candles, '60').candles.length;
});
console.log(
  `resample ${COUNT.toLocaleString()} 1m candles to 1h (${buckets.toLocaleString()} candles): ${resampleMs.toFixed(1)} ms (target < 200 ms), ` +
    `${(resampleMs / anchorMs).toFixed(1)}× the anchor (one pass summing the volume, ${volume.toFixed(0)}: ${anchorMs.toFixed(1)} ms)`,
);
