/** Store figures: bulk import speed of real candles through the real write path (WAL file). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { CandleStore } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { SHARED_DATA, tempDir } from '../helpers';

const key: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const text = readFileSync(join(SHARED_DATA, 'bybit_BTCUSDT_1m.csv'), 'utf8');

let started = performance.now();
const candles = parseCandleCsv(text, '1');
const parseMs = performance.now() - started;

const store = new CandleStore(openDatabase(join(tempDir(), 'bench.db')));
started = performance.now();
store.write(key, candles);
const writeMs = performance.now() - started;

started = performance.now();
const loaded = store.range(key, 0, Number.MAX_SAFE_INTEGER, 100_000);
const readMs = performance.now() - started;
store.db.close();

console.log(`csv parse: ${candles.length} candles in ${parseMs.toFixed(0)} ms (${((candles.length / parseMs) * 1000).toFixed(0)} rows/s)`);
console.log(`store write, one transaction: ${((candles.length / writeMs) * 1000).toFixed(0)} candles/s`);
console.log(`store read, newest ${loaded.length} candles: ${readMs.toFixed(0)} ms`);
