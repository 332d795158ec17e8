/**
 * A window of candles drawn as a small black-and-white OHLC-and-volume chart, the image of Jiang,
 * Kelly and Xiu, "(Re-)Imag(in)ing Price Trends" (2023), and the decoding of a 2-D map over that
 * image back onto its candles. Pure arithmetic.
 *
 * Each candle is a block of 3 columns: the open as a tick on the left column, the high-low range as
 * a bar in the middle one, the close as a tick on the right one. The top rows hold the prices, scaled
 * to the window's lowest low (bottom price row) and highest high (top row); the bottom fifth holds
 * the volume as a bar in the middle column, scaled to the window's largest volume; one blank row
 * parts them. At 64 rows: 51 price rows, 1 blank, 12 volume rows. Lit pixels are 1, the rest 0.
 */
import type { Candle } from '../../src-shared/domain/market';
import { FeatureError } from './windows';

export const CHART_HEIGHT = 64;
export const PIXELS_PER_CANDLE = 3;

export type ChartCandle = Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** The rows of an image `height` pixels high: price rows on top, one blank row, the bottom fifth for volume. */
export function chartRows(height: number): { price: number; volume: number } {
  if (!Number.isInteger(height) || height < 5)
    throw new FeatureError(`a chart image needs an integer height of at least 5 rows, got ${height}`);
  const volume = Math.floor(height / 5);
  return { price: height - volume - 1, volume };
}

function checkCandle(c: ChartCandle, t: number): void {
  const values = [c.open, c.high, c.low, c.close, c.volume];
  if (!values.every(Number.isFinite)) throw new FeatureError(`candle ${t} of the window has a non-finite value`);
  if (c.low > Math.min(c.open, c.close) || c.high < Math.max(c.open, c.close))
    throw new FeatureError(`candle ${t} of the window has its open or close outside its low–high range`);
  if (c.volume < 0) throw new FeatureError(`candle ${t} of the window has a negative volume`);
}

/**
 * The image of `candles`, `height` × 3·T pixels, row-major with row 0 at the top. A window whose
 * prices do not move is drawn on the middle price row; a window without volume has no volume bars.
 */
export function renderChartImage(
  candles: readonly ChartCandle[],
  height = CHART_HEIGHT,
): { height: number; width: number; pixels: Float32Array } {
  if (candles.length === 0) throw new FeatureError('a chart image needs at least one candle');
  candles.forEach(checkCandle);
  const rows = chartRows(height);
  const width = PIXELS_PER_CANDLE * candles.length;
  const pixels = new Float32Array(height * width);
  const low = Math.min(...candles.map((c) => c.low));
  const high = Math.max(...candles.map((c) => c.high));
  const loudest = Math.max(...candles.map((c) => c.volume));
  const priceRow = (price: number) => (high > low ? Math.round(((high - price) / (high - low)) * (rows.price - 1)) : (rows.price - 1) >> 1);
  const light = (row: number, column: number) => (pixels[row * width + column] = 1);
  candles.forEach((c, t) => {
    const left = PIXELS_PER_CANDLE * t;
    light(priceRow(c.open), left);
    for (let row = priceRow(c.high); row <= priceRow(c.low); row++) light(row, left + 1);
    light(priceRow(c.close), left + 2);
    const bar = loudest > 0 ? Math.round((c.volume / loudest) * rows.volume) : 0;
    for (let row = height - bar; row < height; row++) light(row, left + 1);
  });
  return { height, width, pixels };
}

/** The candle a column of the image belongs to. */
export function candleOfColumn(column: number): number {
  return Math.floor(column / PIXELS_PER_CANDLE);
}

/**
 * A map over the image's cells (a 2-D CAM, row-major `height` × 3·T) → one value per candle: the
 * mean over the candle's block of 3 columns, all rows.
 */
export function chartMapToCandles(map: ArrayLike<number>, height: number, candles: number): number[] {
  const width = PIXELS_PER_CANDLE * candles;
  if (map.length !== height * width)
    throw new RangeError(
      `a map over a ${height} × ${width} chart image of ${candles} candles has ${height * width} cells, got ${map.length}`,
    );
  const sums = new Array<number>(candles).fill(0);
  for (let row = 0; row < height; row++)
    for (let column = 0; column < width; column++) {
      const t = candleOfColumn(column);
      sums[t] = (sums[t] ?? 0) + (map[row * width + column] ?? 0);
    }
  return sums.map((sum) => sum / (height * PIXELS_PER_CANDLE));
}
