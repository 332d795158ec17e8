import { describe, expect, it } from 'vitest';
import { CSV_HEADER, CsvError, formatCandleCsvRow, parseCandleCsv } from '../../src-main/market/candle-csv';
import { sharedCsvHead } from '../helpers';

const row = (start: number, o = 100, h = 101, l = 99, c = 100.5, v = 3) => `${start},${o},${h},${l},${c},${v}`;
const csv = (...rows: string[]) => [CSV_HEADER, ...rows].join('\n');

function lineError(text: string): { line: number; reason: string } {
  try {
    parseCandleCsv(text, '1');
  } catch (err) {
    expect(err).toBeInstanceOf(CsvError);
    const { line, reason } = err as CsvError;
    return { line, reason };
  }
  throw new Error('expected a CsvError');
}

describe('parseCandleCsv', () => {
  it('reads real Bybit rows and formats them back unchanged', () => {
    const text = sharedCsvHead('bybit_BTCUSDT_1m.csv', 500);
    const candles = parseCandleCsv(text, '1');
    expect(candles).toHaveLength(500);
    expect(candles.every((c) => c.confirmed)).toBe(true);
    expect([CSV_HEADER, ...candles.map(formatCandleCsvRow)].join('\n') + '\n').toBe(text);
  });

  it('accepts CRLF line ends', () => {
    expect(parseCandleCsv(csv(row(60_000), row(120_000)).replaceAll('\n', '\r\n'), '1')).toHaveLength(2);
  });

  it.each([
    ['a wrong header', 'time,o,h,l,c,v\n' + row(60_000), 1, 'expected header'],
    ['a missing field', csv(row(60_000), '120000,1,2,0.5,1'), 3, 'expected 6 fields, found 5'],
    ['a non-number', csv(row(60_000), '120000,1,abc,0.5,1,2'), 3, 'high "abc" is not a finite number'],
    ['an empty value', csv('60000,,2,0.5,1,2'), 2, 'open "" is not a finite number'],
    ['infinity', csv('60000,1,Infinity,0.5,1,2'), 2, 'high "Infinity" is not a finite number'],
    ['low above high', csv(row(60_000, 100, 99, 101, 100)), 2, 'low 101 is above high 99'],
    ['close outside the range', csv(row(60_000, 100, 101, 99, 105)), 2, 'close 105 lies outside low 99 .. high 101'],
    ['open outside the range', csv(row(60_000, 98, 101, 99, 100)), 2, 'open 98 lies outside low 99 .. high 101'],
    ['a zero price', csv(row(60_000, 0, 101, 0, 100)), 2, 'low 0 is not a positive price'],
    ['a negative volume', csv(row(60_000, 100, 101, 99, 100, -1)), 2, 'volume -1 is negative'],
    ['a time off the minute', csv(row(60_001)), 2, 'not a 1 candle boundary'],
    ['a fractional time', csv('60000.5,1,2,0.5,1,2'), 2, 'not a whole number'],
    ['a duplicate time', csv(row(60_000), row(120_000), row(120_000)), 4, 'is not after the previous row'],
    ['descending times', csv(row(120_000), row(60_000)), 3, 'is not after the previous row'],
  ])('refuses %s, naming the line', (_name, text, line, reason) => {
    const error = lineError(text);
    expect(error.line).toBe(line);
    expect(error.reason).toContain(reason);
  });
});
