import { readFileSync } from 'node:fs';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { CandleStore } from '../store/candles';
import { parseCandleCsv } from './candle-csv';

/**
 * Imports a candle CSV file as confirmed candles, all or nothing: the whole file is checked before
 * the single write transaction, so a bad row leaves the store as it was.
 */
export function importCandleCsv(store: CandleStore, key: StreamKeyValue, file: string): { rows: number; written: number } {
  const candles = parseCandleCsv(readFileSync(file, 'utf8'), key.interval);
  return { rows: candles.length, written: store.write(key, candles) };
}
