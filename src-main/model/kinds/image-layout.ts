/**
 * How an image kind's picture of a window reads, for the model's own view in the UI: its size and
 * channels, and which candles of the window each row and each column shows (the same relation its CAM
 * decodes by). The picture is the input's first height × width positions, row-major, all its channels
 * (a kind may read more after it, e.g. a cnn-lstm's LSTM steps).
 */
import type { Candle } from '../../../src-shared/domain/market';
import type { RowMark } from '../../../src-shared/domain/model-view';
import type { ModelSpec } from '../spec';

export interface ImageLayout {
  size(spec: ModelSpec): { height: number; width: number };
  /** The picture's channels by name, as many as the model's input channels. */
  channels(spec: ModelSpec): string[];
  /** The window's candles (0 = its first) row `row` relates to; none when a row is not a candle (a chart's price level). */
  rowCandles(spec: ModelSpec, row: number): number[];
  /** The window's candles column `column` relates to. */
  columnCandles(spec: ModelSpec, column: number): number[];
  /** What rows that are no candle stand for (a chart's price levels and volume), given the window's candles. */
  rowMarks?(spec: ModelSpec, window: readonly Candle[]): RowMark[];
}
