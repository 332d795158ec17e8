/**
 * Candle persistence. Batches go in one transaction; a confirmed candle is never overwritten: the
 * first confirmation is final, and a later one with other values is reported as a conflict.
 */
import type { Candle, CandleColumns, StreamKeyValue } from '../../src-shared/domain/market';
import type { Category, Interval } from '../../src-shared/domain/intervals';
import type { Db } from './database';

export interface StreamSummaryRow {
  exchange: string;
  category: Category;
  symbol: string;
  interval: Interval;
  first: number | null;
  last: number | null;
}

export interface StreamBatch<C extends readonly Candle[] = Candle[]> {
  key: StreamKeyValue;
  candles: C;
}

/** A confirmation that came after the stored one, with other values: `kept` stays, `refused` is dropped. */
export interface ConfirmationConflict {
  key: StreamKeyValue;
  kept: Candle;
  refused: Candle;
}

/** Whether two candles of one start carry the same values. */
export function sameValues(a: Candle, b: Candle): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

/** A candle as the store keeps it (`confirmed` is 0 or 1). */
export interface CandleRow {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  confirmed: number;
}

const DAY_MS = 86_400_000;
/** SQL naming a stream by its key's named parameters (@exchange, @category, @symbol, @interval). */
export const STREAM_MATCH = 'exchange = @exchange AND category = @category AND symbol = @symbol AND interval = @interval';
/** Reads name the stream by its key; rows carry the stream's integer id (see db/006_candle_streams.sql). */
const KEY = `stream = (SELECT id FROM candle_streams WHERE ${STREAM_MATCH})`;

/** One text key per stream, for maps. */
export function streamId(key: StreamKeyValue): string {
  return `${key.exchange}:${key.category}:${key.symbol}:${key.interval}`;
}

/** The key's own fields only, as named SQL parameters (a key may carry more, e.g. a signal's). */
const named = (key: StreamKeyValue) => ({ exchange: key.exchange, category: key.category, symbol: key.symbol, interval: key.interval });

function toCandle(r: CandleRow): Candle {
  return { time: r.start, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, confirmed: r.confirmed === 1 };
}

export class CandleStore {
  readonly #upsert;
  readonly #range;
  readonly #rangeRaw;
  readonly #count;
  readonly #closed;
  readonly #streams;
  readonly #writeChanges;
  readonly #confirmedStarts;
  readonly #rowAt;
  readonly #addStream;
  readonly #streamIdOf;
  readonly #lastClose;
  readonly #closeAt;
  readonly #isEmpty;
  readonly #checkedUntil;
  readonly #setCheckedUntil;
  /** Stream ids by streamId(); an id never changes once given. */
  readonly #streamIds = new Map<string, number>();

  constructor(readonly db: Db) {
    // The WHERE keeps a confirmed candle final in SQL: an update to it changes nothing (changes = 0).
    this.#upsert = db.prepare(`
      INSERT INTO candle_rows (stream, start, open, high, low, close, volume, confirmed)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
        close = excluded.close, volume = excluded.volume, confirmed = excluded.confirmed
      WHERE candle_rows.confirmed = 0`);
    this.#addStream = db.prepare(
      'INSERT INTO candle_streams (exchange, category, symbol, interval) VALUES (@exchange, @category, @symbol, @interval) ON CONFLICT DO NOTHING',
    );
    this.#streamIdOf = db.prepare(`SELECT id FROM candle_streams WHERE ${STREAM_MATCH}`).pluck();
    this.#range = db.prepare<Record<string, unknown>, CandleRow>(`
      SELECT * FROM (SELECT start, open, high, low, close, volume, confirmed FROM candle_rows
        WHERE ${KEY} AND start >= @from AND start <= @to ORDER BY start DESC LIMIT @limit)
      ORDER BY start`);
    this.#rangeRaw = db.prepare(this.#range.source).raw();
    this.#count = db.prepare(`SELECT count(*) FROM candle_rows WHERE ${KEY}`).pluck();
    this.#closed = db.prepare<Record<string, unknown>, CandleRow>(`
      SELECT start, open, high, low, close, volume, confirmed FROM candle_rows
      WHERE ${KEY} AND confirmed = 1 AND start >= @from AND start <= @to ORDER BY start`);
    this.#streams = db.prepare<[], StreamSummaryRow>(`
      SELECT exchange, category, symbol, interval, first, (SELECT max(start) FROM candle_rows WHERE stream = s.id) AS last
      FROM (SELECT *, (SELECT min(start) FROM candle_rows WHERE stream = candle_streams.id) AS first FROM candle_streams) s
      WHERE first IS NOT NULL ORDER BY symbol, interval`);
    this.#rowAt = db.prepare<[number, number], CandleRow>(
      'SELECT start, open, high, low, close, volume, confirmed FROM candle_rows WHERE stream = ? AND start = ?',
    );
    this.#writeChanges = db.transaction(
      (batches: readonly StreamBatch<readonly Candle[]>[], onConflict: ((conflict: ConfirmationConflict) => void) | undefined) => {
        const changes: StreamBatch[] = [];
        for (const { key, candles } of batches) {
          const stream = this.#streamId(key);
          const changed = candles.filter((c) => {
            if (this.#upsertOne(stream, c) > 0) return true;
            // Nothing changed: the row is confirmed already. Only another confirmation can conflict with it.
            if (c.confirmed && onConflict !== undefined) {
              const kept = toCandle(this.#rowAt.get(stream, c.time) as CandleRow);
              if (!sameValues(kept, c)) onConflict({ key, kept, refused: c });
            }
            return false;
          });
          if (changed.length > 0) changes.push({ key, candles: changed });
        }
        return changes;
      },
    );
    this.#lastClose = db.prepare<Record<string, unknown>, { close: number; start: number }>(
      `SELECT close, start FROM candle_rows WHERE ${KEY} ORDER BY start DESC LIMIT 1`,
    );
    this.#closeAt = db.prepare<Record<string, unknown>, { close: number }>(
      `SELECT close FROM candle_rows WHERE ${KEY} AND start <= @at ORDER BY start DESC LIMIT 1`,
    );
    this.#isEmpty = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM candle_rows)').pluck();
    this.#checkedUntil = db
      .prepare<Record<string, unknown>, number | null>(`SELECT checked_until FROM candle_streams WHERE ${STREAM_MATCH}`)
      .pluck();
    this.#setCheckedUntil = db.prepare(
      `UPDATE candle_streams SET checked_until = max(coalesce(checked_until, @start), @start) WHERE ${STREAM_MATCH}`,
    );
    this.#confirmedStarts = db
      .prepare(`SELECT start FROM candle_rows WHERE ${KEY} AND confirmed = 1 AND start >= @from ORDER BY start`)
      .pluck();
  }

  /** The stream's id, registering the stream on its first write. */
  #streamId(key: StreamKeyValue): number {
    const id = streamId(key);
    let stream = this.#streamIds.get(id);
    if (stream === undefined) {
      this.#addStream.run(named(key));
      stream = Number(this.#streamIdOf.get(named(key)));
      this.#streamIds.set(id, stream);
    }
    return stream;
  }

  #upsertOne(stream: number, c: Candle): number {
    // Positional parameters: binding by name costs more than the row itself on the hot path.
    return this.#upsert.run(stream, c.time, c.open, c.high, c.low, c.close, c.volume, c.confirmed ? 1 : 0).changes;
  }

  /**
   * Writes batches of several streams in one transaction and returns, per stream, the candles that
   * actually changed a row (an update to a confirmed candle changes nothing and is left out). A
   * confirmation of a confirmed candle with other values is passed to `onConflict`, inside the
   * transaction: when it throws, nothing is written.
   */
  writeChanges(batches: readonly StreamBatch<readonly Candle[]>[], onConflict?: (conflict: ConfirmationConflict) => void): StreamBatch[] {
    return this.#writeChanges.immediate(batches, onConflict);
  }

  /** Start times of the confirmed candles from `from` on, ascending, one at a time. */
  confirmedStarts(key: StreamKeyValue, from: number): IterableIterator<number> {
    return this.#confirmedStarts.iterate({ ...key, from }) as IterableIterator<number>;
  }

  /** Writes a batch atomically; returns how many rows were inserted or changed (confirmed rows are kept). */
  write(key: StreamKeyValue, candles: readonly Candle[]): number {
    return this.writeChanges([{ key, candles }])[0]?.candles.length ?? 0;
  }

  range(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 100_000): Candle[] {
    return this.#range.all({ ...key, from, to, limit }).map(toCandle);
  }

  /** The same rows as {@link range}, as columns for the bridge (read raw: no row objects for 100k candles). */
  rangeColumns(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 100_000): CandleColumns {
    const columns: CandleColumns = { time: [], open: [], high: [], low: [], close: [], volume: [], confirmed: [] };
    for (const row of this.#rangeRaw.iterate({ ...key, from, to, limit }) as Iterable<number[]>) {
      const [start = 0, open = 0, high = 0, low = 0, close = 0, volume = 0, confirmed = 0] = row;
      columns.time.push(start);
      columns.open.push(open);
      columns.high.push(high);
      columns.low.push(low);
      columns.close.push(close);
      columns.volume.push(volume);
      columns.confirmed.push(confirmed === 1);
    }
    return columns;
  }

  /** Closed candles, ascending, without loading them all at once. */
  *closed(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER): Generator<Candle> {
    for (const row of this.#closed.iterate({ ...key, from, to })) yield toCandle(row);
  }

  count(key: StreamKeyValue): number {
    return Number(this.#count.get(key));
  }

  /**
   * Every stream with candles, with its first and last start: index lookups per stream, so it stays
   * quick on a store of millions of candles (a count would read every row; `count` asks per stream).
   */
  streams(): StreamSummaryRow[] {
    return this.#streams.all();
  }

  /** The last price and its change over the previous 24 hours (null where the store has too little). */
  quote(key: StreamKeyValue): { last: number | null; lastTime: number | null; change24h: number | null } {
    const last = this.#lastClose.get(key);
    if (last === undefined) return { last: null, lastTime: null, change24h: null };
    const before = this.#closeAt.get({ ...key, at: last.start - DAY_MS });
    return { last: last.close, lastTime: last.start, change24h: before === undefined ? null : last.close / before.close - 1 };
  }

  /** Start of the last candle up to which the stream is known complete (see db/007); undefined when never checked. */
  checkedUntil(key: StreamKeyValue): number | undefined {
    return this.#checkedUntil.get(named(key)) ?? undefined;
  }

  /** Records that the stream is complete up to the candle starting at `start` (never moves back). */
  setCheckedUntil(key: StreamKeyValue, start: number): void {
    this.#setCheckedUntil.run({ ...named(key), start });
  }

  isEmpty(): boolean {
    return this.#isEmpty.get() === 1;
  }
}
