import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src-shared/domain/market';
import { FormingBucket, resample } from '../../src-shared/domain/resample';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { sharedCsvHead } from '../helpers';

const MINUTE = 60_000;
const at = (iso: string): number => Date.parse(iso);

/** A 1-minute candle at an ISO time: open, high, low, close, volume. */
function minute(iso: string, [open, high, low, close, volume]: [number, number, number, number, number], confirmed = true): Candle {
  return { time: at(iso), open, high, low, close, volume, confirmed };
}

describe('resampling 1-minute candles as Bybit aggregates', () => {
  it('aggregates a 15m bucket cut by a break from the minutes there are, and says it was cut', () => {
    const minutes = [
      minute('2025-06-02T10:00:00Z', [100, 101, 99, 100.5, 2]),
      minute('2025-06-02T10:01:00Z', [100.5, 103, 100, 102, 1]),
      // a break: 10:02 to 10:11 missing
      minute('2025-06-02T10:12:00Z', [101, 101.5, 98, 99, 4]),
      minute('2025-06-02T10:14:00Z', [99, 100, 97.5, 98, 0.5]),
      // the next bucket, whole
      ...Array.from({ length: 15 }, (_, i) => ({
        ...minute('2025-06-02T10:15:00Z', [98, 98, 98, 98, 1]),
        time: at('2025-06-02T10:15:00Z') + i * MINUTE,
      })),
    ];
    const { candles, cut } = resample(minutes, '15');
    expect(candles).toEqual([
      { time: at('2025-06-02T10:00:00Z'), open: 100, high: 103, low: 97.5, close: 98, volume: 7.5, confirmed: true },
      { time: at('2025-06-02T10:15:00Z'), open: 98, high: 98, low: 98, close: 98, volume: 15, confirmed: true },
    ]);
    expect(cut).toEqual([at('2025-06-02T10:00:00Z')]);
  });

  it('confirms a bucket a break ended, and leaves the newest forming until its last minute is confirmed', () => {
    const minutes = [
      minute('2025-06-02T10:03:00Z', [10, 11, 9, 10, 1]), // the 10:00 bucket ends early: a break
      minute('2025-06-02T10:05:00Z', [12, 13, 12, 13, 1]),
      minute('2025-06-02T10:09:00Z', [13, 14, 12, 14, 1], false),
    ];
    const { candles, cut } = resample(minutes, '5');
    expect(candles.map((c) => [c.time, c.confirmed])).toEqual([
      [at('2025-06-02T10:00:00Z'), true],
      [at('2025-06-02T10:05:00Z'), false],
    ]);
    expect(cut).toEqual([at('2025-06-02T10:00:00Z'), at('2025-06-02T10:05:00Z')]);
  });

  it('cuts days at 00:00 UTC, and 4h candles at 00:00, 04:00, … UTC', () => {
    const minutes = [
      minute('2025-06-01T23:58:00Z', [5, 6, 4, 5.5, 1]),
      minute('2025-06-01T23:59:00Z', [5.5, 7, 5, 6, 2]),
      minute('2025-06-02T00:00:00Z', [6, 6.5, 3, 4, 3]),
      minute('2025-06-02T00:01:00Z', [4, 4.5, 3.5, 4.2, 4]),
    ];
    expect(resample(minutes, 'D').candles).toEqual([
      { time: at('2025-06-01T00:00:00Z'), open: 5, high: 7, low: 4, close: 6, volume: 3, confirmed: true },
      { time: at('2025-06-02T00:00:00Z'), open: 6, high: 6.5, low: 3, close: 4.2, volume: 7, confirmed: false },
    ]);
    expect(resample(minutes, '240').candles.map((c) => new Date(c.time).toISOString())).toEqual([
      '2025-06-01T20:00:00.000Z',
      '2025-06-02T00:00:00.000Z',
    ]);
  });

  it('starts the week on Monday 00:00 UTC, as Bybit does', () => {
    // 2025-06-01 was a Sunday.
    const minutes = [
      minute('2025-05-26T00:00:00Z', [1, 2, 1, 2, 1]), // Monday: the week's first minute
      minute('2025-06-01T23:59:00Z', [3, 4, 0.5, 3.5, 1]), // Sunday: its last
      minute('2025-06-02T00:00:00Z', [3.5, 3.6, 3.4, 3.5, 1]), // Monday: the next week
    ];
    const { candles, cut } = resample(minutes, 'W');
    expect(candles).toEqual([
      { time: at('2025-05-26T00:00:00Z'), open: 1, high: 4, low: 0.5, close: 3.5, volume: 2, confirmed: true },
      { time: at('2025-06-02T00:00:00Z'), open: 3.5, high: 3.6, low: 3.4, close: 3.5, volume: 1, confirmed: false },
    ]);
    expect(cut).toEqual(candles.map((c) => c.time)); // 2 and 1 of 10,080 minutes
  });

  it('updates the forming bucket live from each push of the 1-minute stream', () => {
    const bucket = new FormingBucket('5');
    const pushes: [string, [number, number, number, number, number], boolean][] = [
      ['2025-06-02T10:03:00Z', [10, 10.5, 9.5, 10.2, 1], false],
      ['2025-06-02T10:03:00Z', [10, 11, 9.5, 10.8, 2], true],
      ['2025-06-02T10:04:00Z', [10.8, 10.9, 9, 9.2, 0.5], false],
      ['2025-06-02T10:04:00Z', [10.8, 10.9, 8.8, 9.1, 1.5], true], // the bucket's last minute, confirmed
      ['2025-06-02T10:05:00Z', [9.1, 9.3, 9.0, 9.3, 1], false], // the next bucket
    ];
    const shown = pushes.map(([iso, values, confirmed]) => bucket.push(minute(iso, values, confirmed)));
    const start = at('2025-06-02T10:00:00Z');
    expect(shown).toEqual([
      { time: start, open: 10, high: 10.5, low: 9.5, close: 10.2, volume: 1, confirmed: false },
      { time: start, open: 10, high: 11, low: 9.5, close: 10.8, volume: 2, confirmed: false },
      { time: start, open: 10, high: 11, low: 9, close: 9.2, volume: 2.5, confirmed: false },
      { time: start, open: 10, high: 11, low: 8.8, close: 9.1, volume: 3.5, confirmed: true },
      { time: at('2025-06-02T10:05:00Z'), open: 9.1, high: 9.3, low: 9.0, close: 9.3, volume: 1, confirmed: false },
    ]);
    expect(bucket.push(minute('2025-06-02T10:04:00Z', [1, 1, 1, 1, 1]))).toBeUndefined(); // an older bucket's minute
  });

  it('gives live the candle resampling the same minutes gives, whatever order the minutes of a bucket are filled in', () => {
    const real = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 120), '1');
    fc.assert(
      fc.property(fc.shuffledSubarray(real.slice(0, 30), { minLength: 1 }), (some) => {
        const bucket = new FormingBucket('30');
        let shown: Candle | undefined;
        for (const m of some) shown = bucket.push(m) ?? shown;
        const sorted = [...some].sort((a, b) => a.time - b.time);
        const whole = resample(sorted, '30').candles.at(-1);
        expect(shown).toEqual({ ...whole, confirmed: shown?.confirmed });
      }),
      { numRuns: 200 },
    );
  });

  it('matches a plain group-by of a real month into 15-minute buckets', () => {
    const real = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 44_614), '1');
    const groups = new Map<number, Candle[]>();
    for (const c of real) {
      const start = c.time - (c.time % (15 * MINUTE));
      groups.set(start, [...(groups.get(start) ?? []), c]);
    }
    const expected = [...groups].map(([time, group]) => ({
      time,
      open: group[0]?.open,
      high: Math.max(...group.map((c) => c.high)),
      low: Math.min(...group.map((c) => c.low)),
      close: group.at(-1)?.close,
      volume: group.reduce((sum, c) => sum + c.volume, 0),
    }));
    const { candles, cut } = resample(real, '15');
    expect(candles.map(({ time, open, high, low, close, volume }) => ({ time, open, high, low, close, volume }))).toEqual(expected);
    // The file starts at 17:05 and ends at 16:38: only its first and last buckets are partial.
    expect(cut).toEqual([expected[0]?.time, expected.at(-1)?.time]);
  });
});
