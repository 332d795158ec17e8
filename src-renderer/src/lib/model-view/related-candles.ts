/**
 * Which candles a part of an image model's picture relates to, and back: the rows and columns of a
 * candle. A gaf-cnn's cell (i, j) relates candles i and j (its row is candle i, its column candle j);
 * an image-cnn's column belongs to one candle's block of three, and its rows are price levels.
 */
import type { ModelImage } from '../../../../src-shared/domain/model-view';

/** A hovered part of the picture: a cell (row and column), or a whole row or column (from its axis). */
export interface PicturePart {
  row?: number;
  column?: number;
}

type Lines = Pick<ModelImage, 'rowCandles' | 'columnCandles'>;

/** The window's candles (0 = its first) a part relates to, ascending, each once. */
export function candlesOfPart(image: Lines, part: PicturePart): number[] {
  const rows = part.row === undefined ? [] : (image.rowCandles[part.row] ?? []);
  const columns = part.column === undefined ? [] : (image.columnCandles[part.column] ?? []);
  return [...new Set([...rows, ...columns])].sort((a, b) => a - b);
}

/** The rows and columns that show candle `t`: a gaf-cnn's row and column t, an image-cnn's block of columns. */
export function linesOfCandle(image: Lines, t: number): { rows: number[]; columns: number[] } {
  const holding = (lines: readonly (readonly number[])[]) => lines.flatMap((candles, i) => (candles.includes(t) ? [i] : []));
  return { rows: holding(image.rowCandles), columns: holding(image.columnCandles) };
}

/** The cell under a point of the picture drawn `cellWidth` × `cellHeight` per cell; undefined off it. */
export function cellAt(
  image: Pick<ModelImage, 'height' | 'width'>,
  x: number,
  y: number,
  cellWidth: number,
  cellHeight: number,
): { row: number; column: number } | undefined {
  const row = Math.floor(y / cellHeight);
  const column = Math.floor(x / cellWidth);
  if (!(row >= 0 && row < image.height && column >= 0 && column < image.width)) return undefined;
  return { row, column };
}

/** Min-max to 0..1 (all 0 when flat), as the engine normalizes a CAM: the picture's cells on the heat scale. */
export function unitRange(values: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.map((v) => (max > min ? (v - min) / (max - min) : 0));
}
