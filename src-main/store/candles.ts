/** Candle persistence. Batches go in one transaction; a confirmed candle is never overwritten. */
import type { Candle, StreamKeyValue } from '../ipc/contract';
import type { Category, Interval } from '../market/intervals';
import type { Db } from './database';

export interface StreamSummaryRow {
  exchange: string;
  category: Category;
  symbol: string;
  interval: Interval;
  count: number;
  first: number | null;
  last: number | null;
}

export interface StreamBatch {
  key: StreamKeyValue;
  candles: Candle[];
}

interface CandleRow {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  confirmed: number;
}

const KEY = 'exchange = @exchange AND category = @category AND symbol = @symbol AND interval = @interval';

function toCandle(r: CandleRow): Candle {
  return { time: r.start, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, confirmed: r.confirmed === 1 };
}

export class CandleStore {
  readonly #upsert;
  readonly #range;
  readonly #count;
  readonly #closed;
  readonly #streams;
  readonly #writeBatch;
  readonly #writeChanges;
  readonly #confirmedStarts;

  constructor(readonly db: Db) {
    this.#upsert = db.prepare(`
      INSERT INTO candles (exchange, category, symbol, interval, start, open, high, low, close, volume, confirmed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
        close = excluded.close, volume = excluded.volume, confirmed = excluded.confirmed
      WHERE candles.confirmed = 0`);
    this.#range = db.prepare<Record<string, unknown>, CandleRow>(`
      SELECT * FROM (SELECT start, open, high, low, close, volume, confirmed FROM candles
        WHERE ${KEY} AND start >= @from AND start <= @to ORDER BY start DESC LIMIT @limit)
      ORDER BY start`);
    this.#count = db.prepare(`SELECT count(*) FROM candles WHERE ${KEY}`).pluck();
    this.#closed = db.prepare<Record<string, unknown>, CandleRow>(`
      SELECT start, open, high, low, close, volume, confirmed FROM candles
      WHERE ${KEY} AND confirmed = 1 AND start >= @from AND start <= @to ORDER BY start`);
    this.#streams = db.prepare<[], StreamSummaryRow>(`
      SELECT exchange, category, symbol, interval, count(*) AS count, min(start) AS first, max(start) AS last
      FROM candles GROUP BY exchange, category, symbol, interval ORDER BY symbol, interval`);
    this.#writeBatch = db.transaction((key: StreamKeyValue, candles: readonly Candle[]) => {
      let changed = 0;
      for (const c of candles) changed += this.#upsertOne(key, c);
      return changed;
    });
    this.#writeChanges = db.transaction((batches: readonly StreamBatch[]) => {
      const changes: StreamBatch[] = [];
      for (const { key, candles } of batches) {
        const changed = candles.filter((c) => this.#upsertOne(key, c) > 0);
        if (changed.length > 0) changes.push({ key, candles: changed });
      }
      return changes;
    });
    this.#confirmedStarts = db
      .prepare(`SELECT start FROM candles WHERE ${KEY} AND confirmed = 1 AND start >= @from ORDER BY start`)
      .pluck();
  }

  #upsertOne(key: StreamKeyValue, c: Candle): number {
    // Positional parameters: binding by name costs more than the row itself on the hot path.
    return this.#upsert.run(
      key.exchange,
      key.category,
      key.symbol,
      key.interval,
      c.time,
      c.open,
      c.high,
      c.low,
      c.close,
      c.volume,
      c.confirmed ? 1 : 0,
    ).changes;
  }

  /**
   * Writes batches of several streams in one transaction and returns, per stream, the candles that
   * actually changed a row (an update to a confirmed candle changes nothing and is left out).
   */
  writeChanges(batches: readonly StreamBatch[]): StreamBatch[] {
    return this.#writeChanges.immediate(batches);
  }

  /** Start times of the confirmed candles from `from` on, ascending, one at a time. */
  confirmedStarts(key: StreamKeyValue, from: number): IterableIterator<number> {
    return this.#confirmedStarts.iterate({ ...key, from }) as IterableIterator<number>;
  }

  /** Writes a batch atomically; returns how many rows were inserted or changed (confirmed rows are kept). */
  write(key: StreamKeyValue, candles: readonly Candle[]): number {
    return this.#writeBatch.immediate(key, candles);
  }

  range(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 100_000): Candle[] {
    return this.#range.all({ ...key, from, to, limit }).map(toCandle);
  }

  /** Closed candles, ascending, without loading them all at once. */
  *closed(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<Candle> {
    for (const row of this.#closed.iterate({ ...key, from, to })) yield toCandle(row);
  }

  count(key: StreamKeyValue): number {
    return Number(this.#count.get(key));
  }

  streams(): StreamSummaryRow[] {
    return this.#streams.all();
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT NOT EXISTS (SELECT 1 FROM candles)').pluck().get() === 1;
  }
}
