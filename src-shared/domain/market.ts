/** The market's vocabulary: streams, candles and instruments, as main and renderer both see them. */
import { z } from 'zod';
import { CATEGORIES, INTERVALS } from './intervals';

export const SymbolName = z.string().regex(/^[A-Z0-9]{2,30}$/, 'symbol must be 2-30 upper-case letters or digits');
export const IntervalSchema = z.enum(INTERVALS);
export const CategorySchema = z.enum(CATEGORIES);
export const EpochMs = z.number().int().nonnegative();

export const StreamKey = z.object({
  exchange: z.literal('bybit').default('bybit'),
  category: CategorySchema.default('linear'),
  symbol: SymbolName,
  interval: IntervalSchema,
});
export type StreamKeyValue = z.output<typeof StreamKey>;

export const CandleSchema = z.object({
  time: EpochMs,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  confirmed: z.boolean(),
});
export type Candle = z.output<typeof CandleSchema>;

/**
 * Many candles as columns: a third of the JSON of an array of objects, and quick to validate, which
 * matters when the chart loads 100k of them at start.
 */
export const CandleColumnsSchema = z
  .object({
    time: z.array(EpochMs),
    open: z.array(z.number()),
    high: z.array(z.number()),
    low: z.array(z.number()),
    close: z.array(z.number()),
    volume: z.array(z.number()),
    confirmed: z.array(z.boolean()),
  })
  .refine((c) => [c.open, c.high, c.low, c.close, c.volume, c.confirmed].every((column) => column.length === c.time.length), {
    message: 'candle columns must all have the same length',
  });
export type CandleColumns = z.output<typeof CandleColumnsSchema>;

export function candlesFromColumns(c: CandleColumns): Candle[] {
  return c.time.map((time, i) => ({
    time,
    open: c.open[i] ?? NaN,
    high: c.high[i] ?? NaN,
    low: c.low[i] ?? NaN,
    close: c.close[i] ?? NaN,
    volume: c.volume[i] ?? NaN,
    confirmed: c.confirmed[i] ?? false,
  }));
}

export function columnsFromCandles(candles: readonly Candle[]): CandleColumns {
  return {
    time: candles.map((c) => c.time),
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
    confirmed: candles.map((c) => c.confirmed),
  };
}

/** A stored stream and the span of its candles. */
export const StreamSummary = z.object({
  exchange: z.string(),
  category: CategorySchema,
  symbol: SymbolName,
  interval: IntervalSchema,
  first: EpochMs.nullable(),
  last: EpochMs.nullable(),
});

/** A watched stream's last price and 24 h change, from the store. */
export const QuoteSchema = StreamKey.extend({
  last: z.number().nullable(),
  lastTime: EpochMs.nullable(),
  change24h: z.number().nullable(),
});

export const InstrumentSchema = z.object({ symbol: z.string(), status: z.string(), baseCoin: z.string(), quoteCoin: z.string() });
