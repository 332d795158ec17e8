/**
 * An image model's own view of an explained window: the picture its network read (a Gramian angular
 * field, a rendered chart), its 2-D CAM over that picture's cells, and which candles each row and
 * column relates to, so the UI can show it beside the chart and tie its cells back to candles.
 */
import { z } from 'zod';
import { EpochMs } from './market';
import { CamMethod } from './signal';

/** The largest picture the view carries (cells of one channel): a 128 × 128 field, or a 64-row chart of 85 candles. */
export const MAX_VIEW_CELLS = 16_384;
/** At most this many channels (a GASF and a GADF of each of four series). */
export const MAX_VIEW_CHANNELS = 8;

const CandleIndices = z.array(z.number().int().nonnegative()).max(4);

/** What a row that is no candle stands for: a price level (a chart's top and bottom price rows) or a named band. */
export const RowMarkSchema = z.object({ row: z.number().int().nonnegative(), price: z.number().optional(), text: z.string().optional() });
export type RowMark = z.output<typeof RowMarkSchema>;

export const ModelImageSchema = z.object({
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  /** The picture's channels by name, as the model names its inputs (e.g. gasf_close, gadf_close; chart). */
  channels: z.array(z.string()).min(1).max(MAX_VIEW_CHANNELS),
  /** Every cell's value per channel, rows top first, cell-major: pixels[(row · width + column) · channels + c]. */
  pixels: z.array(z.number()).max(MAX_VIEW_CELLS * MAX_VIEW_CHANNELS),
  /**
   * The CAM over the cells, row-major, before normalization: decoded onto the candles by the rows and
   * columns and min-max normalized, it is the signal's `cam`.
   */
  cam: z.array(z.number()).max(MAX_VIEW_CELLS),
  /** Per row, the window's candles it relates to (0 = the window's first); none for a row that is no candle (a price level). */
  rowCandles: z.array(CandleIndices),
  /** Per column, the window's candles it relates to. */
  columnCandles: z.array(CandleIndices),
  /** Marks on rows that are no candle (a chart's highest and lowest price, its volume band). */
  rowMarks: z.array(RowMarkSchema).max(8),
});
export type ModelImage = z.output<typeof ModelImageSchema>;

export const ModelViewSchema = z.object({
  modelVersion: z.string(),
  kind: z.string(),
  method: CamMethod,
  /** The conv block explained. */
  layer: z.number().int().nonnegative(),
  /** Start of each candle of the window, oldest first. */
  windowStarts: z.array(EpochMs),
  /** The CAM decoded onto the candles (0..1, as `windowStarts`): the signal's own `cam`; empty without a picture. */
  cam: z.array(z.number()),
  /** Null for a model that reads the candles along time (no picture); `note` then says so. */
  image: ModelImageSchema.nullable(),
  note: z.string().optional(),
});
export type ModelView = z.output<typeof ModelViewSchema>;
