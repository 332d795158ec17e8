/**
 * A window of candles drawn as a small black-and-white OHLC-and-volume chart, the image of Jiang,
 * Kelly and Xiu, "(Re-)Imag(in)ing Price Trends" (2023): 64 pixels high, 3 columns per candle (the
 * open as a tick on the left column, the high-low range as a bar in the middle one, the close as a
 * tick on the right one), prices scaled to the window's lowest low and highest high over the top 51
 * rows, then a blank row, then the volume as a bar in the middle column over the bottom 12 rows,
 * scaled to the window's largest volume. Lit pixels are 1, the rest 0. Pure arithmetic.
 */

export const IMAGE_HEIGHT = 64;
export const PIXELS_PER_CANDLE = 3;
export const PRICE_ROWS = 51;
export const VOLUME_ROWS = 12;

export interface Ohlcv {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The image of `candles`, [IMAGE_HEIGHT × 3·T] row-major (row 0 at the top), one channel. */
export function candleImage(candles: readonly Ohlcv[]): Float32Array {
  const width = PIXELS_PER_CANDLE * candles.length;
  const image = new Float32Array(IMAGE_HEIGHT * width);
  const low = Math.min(...candles.map((c) => c.low));
  const high = Math.max(...candles.map((c) => c.high));
  const loudest = Math.max(...candles.map((c) => c.volume));
  // Row of a price: the highest high on row 0, the lowest low on row PRICE_ROWS − 1; a flat window in the middle.
  const row = (price: number) => (high > low ? Math.round(((high - price) / (high - low)) * (PRICE_ROWS - 1)) : (PRICE_ROWS - 1) >> 1);
  const light = (r: number, column: number) => (image[r * width + column] = 1);
  candles.forEach((c, t) => {
    const left = PIXELS_PER_CANDLE * t;
    light(row(c.open), left);
    for (let r = row(c.high); r <= row(c.low); r++) light(r, left + 1);
    light(row(c.close), left + 2);
    const bar = loudest > 0 ? Math.round((c.volume / loudest) * VOLUME_ROWS) : 0;
    for (let r = IMAGE_HEIGHT - bar; r < IMAGE_HEIGHT; r++) light(r, left + 1);
  });
  return image;
}

/** A map over the image's cells → one value per candle: the mean over its block of 3 columns, all rows. */
export function columnBlocksToCandles(cells: ArrayLike<number>, T: number): number[] {
  const width = PIXELS_PER_CANDLE * T;
  if (cells.length !== IMAGE_HEIGHT * width)
    throw new RangeError(`a ${IMAGE_HEIGHT} × ${width} map has ${IMAGE_HEIGHT * width} cells, got ${cells.length}`);
  const sums = new Array<number>(T).fill(0);
  for (let r = 0; r < IMAGE_HEIGHT; r++)
    for (let column = 0; column < width; column++) {
      const t = Math.floor(column / PIXELS_PER_CANDLE);
      sums[t] = (sums[t] ?? 0) + (cells[r * width + column] ?? 0);
    }
  return sums.map((sum) => sum / (IMAGE_HEIGHT * PIXELS_PER_CANDLE));
}

/** A copy of one image [cells, channels] with the column blocks of `candles` blanked. */
export function blankColumnBlocks(image: Float32Array, channels: number, T: number, candles: readonly number[]): Float32Array {
  const width = PIXELS_PER_CANDLE * T;
  const out = Float32Array.from(image);
  for (const t of candles)
    for (let r = 0; r < IMAGE_HEIGHT; r++) {
      const from = (r * width + PIXELS_PER_CANDLE * t) * channels;
      out.fill(0, from, from + PIXELS_PER_CANDLE * channels);
    }
  return out;
}
