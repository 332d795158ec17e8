import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candleOfColumn, chartMapToCandles, chartRows, renderChartImage, type ChartCandle } from '../../src-main/features/chart-image';
import '../fast-check-seed';

/** An image as text, one line per row, '#' for a lit pixel. */
function drawn(image: { width: number; pixels: Float32Array }): string[] {
  const lines: string[] = [];
  for (let from = 0; from < image.pixels.length; from += image.width)
    lines.push(Array.from(image.pixels.subarray(from, from + image.width), (v) => (v === 1 ? '#' : v === 0 ? '.' : '?')).join(''));
  return lines;
}

describe('chart image', () => {
  it('draws a known window pixel for pixel: open tick left, high-low bar middle, close tick right, volume below a blank row', () => {
    // 10 rows: 7 price rows (16 on row 0 down to 10 on row 6, one per unit), a blank row, 2 volume rows.
    const candles: ChartCandle[] = [
      { open: 11, high: 13, low: 10, close: 12, volume: 4 },
      { open: 12, high: 16, low: 12, close: 15, volume: 2 },
      { open: 14, high: 15, low: 11, close: 11, volume: 0 },
    ];
    expect(drawn(renderChartImage(candles, 10))).toEqual([
      '....#....',
      '....##.#.',
      '....#.##.',
      '.#..#..#.',
      '.####..#.',
      '##.....##',
      '.#.......',
      '.........',
      '.#.......',
      '.#..#....',
    ]);
  });

  it('is 64 rows high by default: 51 price rows, a blank row, 12 volume rows', () => {
    expect(chartRows(64)).toEqual({ price: 51, volume: 12 });
    const image = renderChartImage([
      { open: 100, high: 110, low: 90, close: 105, volume: 10 },
      { open: 105, high: 106, low: 104, close: 104, volume: 5 },
    ]);
    expect([image.height, image.width]).toEqual([64, 6]);
    const lines = drawn(image);
    expect(lines[0]).toBe('.#....');
    expect(lines[50]).toBe('.#....');
    expect(lines[51]).toBe('......');
    expect(lines.slice(52, 58).every((line) => line === '.#....')).toBe(true);
    expect(lines.slice(58).every((line) => line === '.#..#.')).toBe(true);
  });

  it('draws a window that does not move on the middle price row, and none of its volume when it has none', () => {
    const flat = { open: 5, high: 5, low: 5, close: 5, volume: 0 };
    const lines = drawn(renderChartImage([flat, flat], 10));
    expect(lines[3]).toBe('######');
    expect(lines.filter((line) => line.includes('#'))).toHaveLength(1);
  });

  it('draws every candle as one open tick, one contiguous high-low bar and one close tick in its own column block', () => {
    const candle = fc
      .tuple(
        fc.double({ min: 1, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
      )
      .chain(([low, range, volume]) =>
        fc.record({
          open: fc.double({ min: low, max: low + range, noNaN: true }),
          close: fc.double({ min: low, max: low + range, noNaN: true }),
          high: fc.constant(low + range),
          low: fc.constant(low),
          volume: fc.constant(volume * 1e6),
        }),
      );
    fc.assert(
      fc.property(fc.array(candle, { minLength: 1, maxLength: 20 }), (candles) => {
        const { height, width, pixels } = renderChartImage(candles);
        const { price } = chartRows(height);
        const column = (c: number, rows: [number, number]) =>
          Array.from({ length: rows[1] - rows[0] }, (_, r) => pixels[(rows[0] + r) * width + c] ?? NaN);
        candles.forEach((_, t) => {
          expect(column(3 * t, [0, price]).filter((v) => v === 1)).toHaveLength(1);
          expect(column(3 * t + 2, [0, price]).filter((v) => v === 1)).toHaveLength(1);
          expect(
            column(3 * t, [price, height])
              .concat(column(3 * t + 2, [price, height]))
              .every((v) => v === 0),
          ).toBe(true);
          const bar = column(3 * t + 1, [0, price]).join('');
          expect(bar).toMatch(/^0*1+0*$/);
        });
        // The highest high reaches the top row, the lowest low the last price row; the blank row stays blank.
        const moves = Math.max(...candles.map((c) => c.high)) > Math.min(...candles.map((c) => c.low));
        expect(pixels.subarray(0, width).some((v) => v === 1)).toBe(moves);
        expect(pixels.subarray((price - 1) * width, price * width).some((v) => v === 1)).toBe(moves);
        expect(pixels.subarray(price * width, (price + 1) * width).every((v) => v === 0)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses an empty window, a candle whose open or close leaves its range, a non-finite value and a negative volume', () => {
    const ok = { open: 2, high: 3, low: 1, close: 2, volume: 1 };
    expect(() => renderChartImage([])).toThrow(/at least one candle/);
    expect(() => renderChartImage([ok, { ...ok, close: 4 }])).toThrow(
      /candle 1 of the window has its open or close outside its low–high range/,
    );
    expect(() => renderChartImage([{ ...ok, low: NaN }])).toThrow(/candle 0 of the window has a non-finite value/);
    expect(() => renderChartImage([{ ...ok, volume: -1 }])).toThrow(/candle 0 of the window has a negative volume/);
    expect(() => renderChartImage([ok], 4)).toThrow(/at least 5 rows/);
  });
});

describe('chart map decoded onto candles', () => {
  it('gives each candle the mean of its block of 3 columns over all rows', () => {
    // 2 rows × 2 candles: candle 0 holds 1, 2, 3, 7, 8, 9 (mean 5); candle 1 holds 4, 5, 6, 10, 11, 12 (mean 8).
    const map = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect(chartMapToCandles(map, 2, 2)).toEqual([5, 8]);
    expect([0, 2, 3, 5].map(candleOfColumn)).toEqual([0, 0, 1, 1]);
  });

  it('refuses a map of another size than the image', () => {
    expect(() => chartMapToCandles(new Float32Array(64 * 9 - 1), 64, 3)).toThrow(/has 576 cells, got 575/);
  });
});
