/** The words beside an image model's picture: what it is, its channels' names, and what a hovered part of it relates to. */
import type { ModelImage } from '../../../../src-shared/domain/model-view';
import { candlesOfPart, linesOfCandle, type PicturePart } from './related-candles';

/** A channel's name as the panel shows it: gasf_close → GASF close. */
export function channelLabel(name: string): string {
  const [field, ...series] = name.split('_');
  return series.length === 0 ? name : `${(field ?? '').toUpperCase()} ${series.join(' ')}`;
}

/** One line saying what the picture is and how its cells relate to the candles. */
export function pictureCaption(kind: string, image: Pick<ModelImage, 'height' | 'width'>): string {
  const size = `${image.height} × ${image.width}`;
  switch (kind) {
    case 'gaf-cnn':
      return `Gramian angular fields of the window (${size}), oldest candle top left: cell (row, column) relates those two candles; the diagonal is each candle with itself.`;
    case 'image-cnn':
      return `The chart the model read (${size} pixels): three columns per candle (open, high–low, close), prices above, volume below.`;
    default:
      return `The picture the model read (${size} cells).`;
  }
}

/**
 * What a hovered part relates to: its candles (by `label`) and its attention on the 0..1 scale, a
 * cell's own or a whole row's or column's mean. `heat` is the CAM over the cells on that scale.
 */
export function describePart(image: ModelImage, part: PicturePart, heat: readonly number[], label: (candle: number) => string): string {
  const candles = candlesOfPart(image, part);
  const what = candles.length === 0 ? 'no candle' : `${candles.length === 1 ? 'candle' : 'candles'} ${candles.map(label).join(' and ')}`;
  const { row, column } = part;
  if (row !== undefined && column !== undefined) return `${what} · attention ${(heat[row * image.width + column] ?? 0).toFixed(2)}`;
  const cells =
    row !== undefined
      ? Array.from({ length: image.width }, (_, c) => heat[row * image.width + c] ?? 0)
      : Array.from({ length: image.height }, (_, r) => heat[r * image.width + (column ?? 0)] ?? 0);
  const mean = cells.reduce((a, b) => a + b, 0) / Math.max(1, cells.length);
  const line = row !== undefined ? 'row' : 'column';
  // A chart's row is a price (or volume) level across the whole window.
  const of = candles.length === 0 ? `${line} ${(row ?? column ?? 0) + 1}, a level across the window` : `${line} of ${what}`;
  return `${of} · mean attention ${mean.toFixed(2)}`;
}

/** What the picture outlines for the candle `t` under the chart's crosshair: its row and column, or its block of columns. */
export function chartCandleLine(image: ModelImage, t: number, label: (candle: number) => string): string {
  const { rows, columns } = linesOfCandle(image, t);
  const lines = [rows.length > 0 ? 'row' : '', columns.length === 1 ? 'column' : columns.length > 1 ? `${columns.length} columns` : '']
    .filter((w) => w !== '')
    .join(' and ');
  return `candle ${label(t)} on the chart: its ${lines} outlined`;
}
