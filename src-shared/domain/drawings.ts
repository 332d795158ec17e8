/** Drawings on a stream's chart (lines, a rectangle, notes) and the multi-chart layouts, both kept in the store. */
import { z } from 'zod';
import { CategorySchema, EpochMs, IntervalSchema, StreamKey, SymbolName } from './market';

/** A price on the chart: finite and positive (every candle's low is). */
export const DrawingPrice = z.number().positive();
export const DrawingPoint = z.object({ time: EpochMs, price: DrawingPrice }).strict();
export type DrawingPointValue = z.output<typeof DrawingPoint>;

export const DRAWING_KINDS = ['hline', 'hray', 'trend', 'rect', 'text'] as const;
export type DrawingKind = (typeof DRAWING_KINDS)[number];

/** The longest text note, in characters. */
export const MAX_NOTE_CHARS = 200;

/** What a drawing is, by kind: its anchor points in candle time (ms) and price. */
export const DrawingShape = z.discriminatedUnion('kind', [
  /** A horizontal line across the whole chart; `alert` makes it a price alert (fires when a candle crosses it). */
  z.object({ kind: z.literal('hline'), price: DrawingPrice, alert: z.boolean().default(false) }).strict(),
  /** A horizontal line from a point to the right edge. */
  z.object({ kind: z.literal('hray'), at: DrawingPoint }).strict(),
  z.object({ kind: z.literal('trend'), from: DrawingPoint, to: DrawingPoint }).strict(),
  /** Opposite corners, in any order. */
  z.object({ kind: z.literal('rect'), from: DrawingPoint, to: DrawingPoint }).strict(),
  z.object({ kind: z.literal('text'), at: DrawingPoint, text: z.string().trim().min(1).max(MAX_NOTE_CHARS) }).strict(),
]);
export type DrawingShapeValue = z.output<typeof DrawingShape>;

/** A drawing to store: a new one without `id`, an edited one (moved, locked) with it. */
export const DrawingInput = StreamKey.extend({
  id: z.number().int().positive().optional(),
  shape: DrawingShape,
  /** A locked drawing cannot be moved or deleted until unlocked. */
  locked: z.boolean().default(false),
}).strict();
export type DrawingInputValue = z.output<typeof DrawingInput>;

export const DrawingSchema = DrawingInput.extend({ id: z.number().int().positive(), createdAt: EpochMs, updatedAt: EpochMs });
export type Drawing = z.output<typeof DrawingSchema>;

export const LAYOUT_CHART_COUNTS = [1, 2, 4] as const;
export type LayoutChartCount = (typeof LAYOUT_CHART_COUNTS)[number];

/** A chart of a layout: its own symbol and interval. */
export const LayoutChart = z.object({ category: CategorySchema, symbol: SymbolName, interval: IntervalSchema }).strict();
export type LayoutChartValue = z.output<typeof LayoutChart>;

/**
 * How many charts are on screen and what the charts beside the main one show (the main chart's stream is
 * the preferences' `stream`), with the crosshair and the time scale synced between them or not.
 */
export const LayoutSchema = z
  .object({
    charts: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    /** The 2nd to 4th charts, in screen order; a missing one shows the main chart's stream. */
    others: z.array(LayoutChart).max(3).default([]),
    syncCrosshair: z.boolean().default(true),
    syncTime: z.boolean().default(false),
  })
  .strict();
export type Layout = z.output<typeof LayoutSchema>;

/** The working layout is saved under this name on every change and restored at start. */
export const CURRENT_LAYOUT = 'current';
export const LayoutName = z.string().trim().min(1).max(60);
export const NamedLayoutSchema = z.object({ name: LayoutName, layout: LayoutSchema, updatedAt: EpochMs });
export type NamedLayout = z.output<typeof NamedLayoutSchema>;
