import { readFileSync } from 'node:fs';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { CandleStore } from '../store/candles';
import { CsvError, parseCandleCsv } from './candle-csv';
import { clockProblem } from './candle-validation';

/**
 * Imports a candle CSV file as confirmed candles, all or nothing: the whole file is checked before
 * the single write transaction, so a bad row leaves the store as it was. A candle that has not ended
 * by `now` cannot be imported as closed. A row that differs from a candle already stored as
 * confirmed leaves it as it is (the first confirmation is final) and is counted in `conflicts`.
 */
export function importCandleCsv(
  store: CandleStore,
  key: StreamKeyValue,
  file: string,
  now = Date.now(),
): { rows: number; written: number; conflicts: number } {
  const candles = parseCandleCsv(readFileSync(file, 'utf8'), key.interval);
  candles.forEach((candle, i) => {
    // Row i is on line i + 2, after the header.
    if (clockProblem(key.interval, candle, now) !== null) throw new CsvError(i + 2, `the candle at ${candle.time} has not ended yet`);
  });
  let conflicts = 0;
  const [changed] = store.writeChanges([{ key, candles }], () => conflicts++);
  return { rows: candles.length, written: changed?.candles.length ?? 0, conflicts };
}
