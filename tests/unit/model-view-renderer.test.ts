/** The renderer's pure pieces of an image model's own view: which candles a part of the picture relates to, its axes, its colours, its words. */
import { describe, expect, it } from 'vitest';
import type { ModelImage } from '../../src-shared/domain/model-view';
import type { Signal } from '../../src-shared/domain/signal';
import { heatRgba } from '../../src-renderer/src/lib/heatmap/colour-scale';
import { axisTicks } from '../../src-renderer/src/lib/model-view/picture-axes';
import { HEAT_COVER, pictureRgba } from '../../src-renderer/src/lib/model-view/picture-pixels';
import { channelLabel, chartCandleLine, describePart } from '../../src-renderer/src/lib/model-view/picture-words';
import { outlineSpans } from '../../src-renderer/src/lib/model-view/related-candles-outline';
import { candlesOfPart, cellAt, linesOfCandle, unitRange } from '../../src-renderer/src/lib/model-view/related-candles';
import { viewRequest } from '../../src-renderer/src/lib/model-view/view-request';
import { timeFormatters } from '../../src-renderer/src/lib/time-format';

/** A gaf-cnn's picture of T candles: row i and column j are candles i and j. */
function gafImage(T: number, cam: number[] = Array.from({ length: T * T }, (_, p) => p)): ModelImage {
  return {
    height: T,
    width: T,
    channels: ['gasf_close', 'gadf_close'],
    pixels: Array.from({ length: T * T * 2 }, (_, i) => (i % 2 === 0 ? Math.floor(i / 2) / (T * T) : -1)),
    cam,
    rowCandles: Array.from({ length: T }, (_, i) => [i]),
    columnCandles: Array.from({ length: T }, (_, j) => [j]),
    rowMarks: [],
  };
}

/** An image-cnn's chart of T candles, `height` rows: columns in blocks of three, rows no candle. */
function chartImage(T: number, height = 4): ModelImage {
  return {
    height,
    width: 3 * T,
    channels: ['chart'],
    pixels: Array.from({ length: height * 3 * T }, (_, p) => p % 2),
    cam: Array.from({ length: height * 3 * T }, () => 0),
    rowCandles: Array.from({ length: height }, () => []),
    columnCandles: Array.from({ length: 3 * T }, (_, c) => [Math.floor(c / 3)]),
    rowMarks: [],
  };
}

describe('the candles a part of the picture relates to', () => {
  it('a gaf-cnn: cell (i, j) candles i and j, the diagonal one candle, a row or column its candle', () => {
    const image = gafImage(8);
    expect(candlesOfPart(image, { row: 6, column: 2 })).toEqual([2, 6]);
    expect(candlesOfPart(image, { row: 3, column: 3 })).toEqual([3]);
    expect(candlesOfPart(image, { row: 5 })).toEqual([5]);
    expect(candlesOfPart(image, { column: 0 })).toEqual([0]);
    expect(linesOfCandle(image, 4)).toEqual({ rows: [4], columns: [4] });
  });

  it('an image-cnn: a cell or column its block candle, a row (a price level) none; a candle is its block of three columns', () => {
    const image = chartImage(5);
    expect(candlesOfPart(image, { row: 2, column: 7 })).toEqual([2]);
    expect(candlesOfPart(image, { column: 14 })).toEqual([4]);
    expect(candlesOfPart(image, { row: 1 })).toEqual([]);
    expect(linesOfCandle(image, 3)).toEqual({ rows: [], columns: [9, 10, 11] });
  });

  it('finds the cell under a point, and none off the picture', () => {
    const image = chartImage(5);
    expect(cellAt(image, 0, 0, 4, 6)).toEqual({ row: 0, column: 0 });
    expect(cellAt(image, 59.9, 23.9, 4, 6)).toEqual({ row: 3, column: 14 });
    expect(cellAt(image, 60, 10, 4, 6)).toBeUndefined();
    expect(cellAt(image, -1, 10, 4, 6)).toBeUndefined();
    expect(cellAt(image, 10, 24, 4, 6)).toBeUndefined();
  });

  it('outlines each related candle one bar wide around its x on the chart, none off the time scale', () => {
    expect(outlineSpans([100, null, 130], 8)).toEqual([
      { left: 96, right: 104 },
      { left: 126, right: 134 },
    ]);
    // Thin bars (zoomed out) still get a band a trader can see.
    expect(outlineSpans([50], 1)).toEqual([{ left: 48, right: 52 }]);
  });
});

describe('the axes of the picture', () => {
  const format = timeFormatters('UTC', 'en-GB');
  const tickFormat = { time: (ms: number) => format.tick(ms / 1000, 3), day: (ms: number) => format.tick(ms / 1000, 2) };
  const minute = 60_000;
  const start = Date.UTC(2026, 11, 3, 23, 50);
  const starts = Array.from({ length: 32 }, (_, i) => start + i * minute);

  it("ticks a few candles back from the signal's own, at the middle of their rows, the date where the day changes", () => {
    const ticks = axisTicks(gafImage(32).rowCandles, starts, 5, tickFormat);
    expect(ticks.map((t) => t.candle)).toEqual([3, 10, 17, 24, 31]);
    expect(ticks.map((t) => t.at)).toEqual([3.5, 10.5, 17.5, 24.5, 31.5]);
    expect(ticks.map((t) => t.time)).toEqual(['23:53', '00:00', '00:07', '00:14', '00:21']);
    expect(ticks.map((t) => t.day)).toEqual(['3 Dec', '4 Dec', undefined, undefined, undefined]);
  });

  it('puts a chart candle tick at the middle of its block of three columns, and none on rows that are no candle', () => {
    const image = chartImage(4);
    const ticks = axisTicks(image.columnCandles, starts, 2, tickFormat);
    expect(ticks.map((t) => [t.candle, t.at])).toEqual([
      [1, 4.5],
      [3, 10.5],
    ]);
    expect(axisTicks(image.rowCandles, starts, 5, tickFormat)).toEqual([]);
    expect(axisTicks(image.columnCandles, starts, 0, tickFormat)).toEqual([]);
  });
});

describe('the colours of the picture', () => {
  it('shows the chosen channel in grey without the heatmap, lowest black and highest white', () => {
    const image = gafImage(2);
    const rgba = pictureRgba(image, 0, false);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(rgba.subarray(12, 16))).toEqual([255, 255, 255, 255]);
    // The GADF channel here is flat: all black.
    expect(Array.from(pictureRgba(image, 1, false)).filter((_, i) => i % 4 !== 3)).toEqual(Array(12).fill(0));
  });

  it("lays the CAM over it on the chart's heat scale: the hottest cell the scale's top colour over its grey", () => {
    const image = gafImage(2, [0, 0, 0, 5]);
    const rgba = pictureRgba(image, 0, true);
    const [r, g, b, a] = heatRgba(1);
    const cover = a * HEAT_COVER;
    expect(Array.from(rgba.subarray(12, 15))).toEqual(
      [255 + (r - 255) * cover, 255 + (g - 255) * cover, 255 + (b - 255) * cover].map(Math.round),
    );
    const [r0, , b0, a0] = heatRgba(0);
    expect(rgba[2]).toBe(Math.round(b0 * a0 * HEAT_COVER));
    expect(rgba[0]).toBe(Math.round(r0 * a0 * HEAT_COVER));
  });

  it('scales to 0..1 by min and max, flat as 0', () => {
    expect(unitRange([2, 4, 3])).toEqual([0, 1, 0.5]);
    expect(unitRange([7, 7])).toEqual([0, 0]);
  });
});

describe('the words beside the picture', () => {
  const label = (t: number) => `c${t}`;

  it('names channels and what a hovered part relates to, with its attention', () => {
    expect(channelLabel('gasf_close')).toBe('GASF close');
    expect(channelLabel('gadf_volume')).toBe('GADF volume');
    expect(channelLabel('chart')).toBe('chart');
    const image = gafImage(2);
    const heat = [0, 0.25, 0.5, 1];
    expect(describePart(image, { row: 1, column: 0 }, heat, label)).toBe('candles c0 and c1 · attention 0.50');
    expect(describePart(image, { row: 1 }, heat, label)).toBe('row of candle c1 · mean attention 0.75');
    expect(describePart(chartImage(2), { row: 0 }, Array(24).fill(0), label)).toBe(
      'row 1, a level across the window · mean attention 0.00',
    );
  });

  it('says what the picture outlines for the candle under the chart crosshair', () => {
    expect(chartCandleLine(gafImage(4), 2, label)).toBe('candle c2 on the chart: its row and column outlined');
    expect(chartCandleLine(chartImage(4), 2, label)).toBe('candle c2 on the chart: its 3 columns outlined');
  });
});

describe('asking for the view', () => {
  const signal: Signal = {
    id: 7,
    exchange: 'bybit',
    category: 'linear',
    symbol: 'BTCUSDT',
    interval: '1',
    candleStart: 1_700_000_000_000,
    confirmed: true,
    modelVersion: 'gafcnn-1',
    predicted: 'buy',
    probabilities: [0.5, 0.3, 0.2],
    method: 'scorecam',
    windowStarts: [],
    cam: [],
    features: [],
    inputHash: 'h',
    createdAt: 0,
  };

  it('asks a stored signal by its id, explained as it is shown (its method, a forecast head picked)', () => {
    expect(viewRequest(signal)).toEqual({ id: 7, method: 'scorecam' });
    expect(viewRequest({ ...signal, explains: { head: 'var', target: 1 } })).toEqual({ id: 7, method: 'scorecam', head: 'var', target: 1 });
  });

  it("asks a replayed or forming candle's signal, not stored, by its window and model", () => {
    const window = { category: 'linear', symbol: 'BTCUSDT', interval: '1', candleStart: 1_700_000_000_000, modelVersion: 'gafcnn-1' };
    expect(viewRequest({ ...signal, id: 0 })).toEqual({ window: { ...window, forming: false }, method: 'scorecam' });
    expect(viewRequest({ ...signal, id: 0, confirmed: false })).toEqual({ window: { ...window, forming: true }, method: 'scorecam' });
  });
});
