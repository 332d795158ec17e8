/** The candle CSV format shared by `import`, `export` and ../shared/data: pure parsing and formatting. */
import type { Candle } from '../../src-shared/domain/market';
import { readCandleValues } from './candle-validation';
import { isCandleStart, type Interval } from '../../src-shared/domain/intervals';

export const CSV_HEADER = 'start_ms,open,high,low,close,volume';
const INTEGER = /^\d+$/;

export class CsvError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvError';
  }
}

/**
 * Parses a whole file and checks every row; the first bad row throws a CsvError naming its line,
 * so a caller can refuse the file as a whole.
 */
export function parseCandleCsv(text: string, interval: Interval): Candle[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const header = (lines[0] ?? '').replace(/\r$/, '').trim();
  if (header !== CSV_HEADER) throw new CsvError(1, `expected header "${CSV_HEADER}", found "${header.slice(0, 80)}"`);
  const candles: Candle[] = [];
  for (let i = 1; i < lines.length; i++) {
    const candle = parseRow((lines[i] ?? '').replace(/\r$/, ''), i + 1, interval);
    const previous = candles.at(-1);
    if (previous && candle.time <= previous.time) {
      throw new CsvError(i + 1, `start_ms ${candle.time} is not after the previous row's ${previous.time}`);
    }
    candles.push(candle);
  }
  return candles;
}

function parseRow(row: string, line: number, interval: Interval): Candle {
  const fields = row.split(',');
  if (fields.length !== 6) throw new CsvError(line, `expected 6 fields, found ${fields.length}`);
  const [startText = '', ...rest] = fields.map((f) => f.trim());
  if (!INTEGER.test(startText)) throw new CsvError(line, `start_ms "${startText}" is not a whole number of ms`);
  const time = Number(startText);
  if (!Number.isSafeInteger(time)) throw new CsvError(line, `start_ms ${startText} is out of range`);
  if (!isCandleStart(interval, time)) throw new CsvError(line, `start_ms ${time} is not a ${interval} candle boundary`);
  const [open = '', high = '', low = '', close = '', volume = ''] = rest;
  const values = readCandleValues({ open, high, low, close, volume });
  if ('kind' in values) throw new CsvError(line, values.reason);
  return { time, ...values, confirmed: true };
}

export function formatCandleCsvRow(c: Candle): string {
  return `${c.time},${c.open},${c.high},${c.low},${c.close},${c.volume}`;
}
