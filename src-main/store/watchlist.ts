/** The watched streams and the cached instrument list (migration 002). */
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { Category, Interval } from '../../src-shared/domain/intervals';
import type { Db } from './database';

export interface InstrumentRow {
  symbol: string;
  status: string;
  baseCoin: string;
  quoteCoin: string;
}

export class WatchlistStore {
  constructor(readonly db: Db) {}

  list(): StreamKeyValue[] {
    return this.db
      .prepare<[], { exchange: 'bybit'; category: Category; symbol: string; interval: Interval }>(
        'SELECT exchange, category, symbol, interval FROM watchlist ORDER BY category, symbol, interval',
      )
      .all();
  }

  add(key: StreamKeyValue): void {
    this.db
      .prepare(
        `INSERT INTO watchlist (exchange, category, symbol, interval, added_at)
         VALUES (@exchange, @category, @symbol, @interval, @addedAt) ON CONFLICT DO NOTHING`,
      )
      .run({ ...key, addedAt: Date.now() });
  }

  remove(key: StreamKeyValue): void {
    this.db
      .prepare('DELETE FROM watchlist WHERE exchange = @exchange AND category = @category AND symbol = @symbol AND interval = @interval')
      .run(key);
  }

  /** Replaces the whole watchlist in one transaction. */
  replace(keys: readonly StreamKeyValue[]): void {
    this.db
      .transaction(() => {
        this.db.prepare('DELETE FROM watchlist').run();
        for (const key of keys) this.add(key);
      })
      .immediate();
  }

  /** Replaces the cached instruments of a category with a fresh list from the exchange. */
  cacheInstruments(category: Category, instruments: readonly InstrumentRow[]): void {
    const insert = this.db.prepare(`INSERT INTO instruments (exchange, category, symbol, status, base_coin, quote_coin, fetched_at)
      VALUES ('bybit', @category, @symbol, @status, @baseCoin, @quoteCoin, @fetchedAt)`);
    const fetchedAt = Date.now();
    this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM instruments WHERE exchange = 'bybit' AND category = ?").run(category);
        for (const i of instruments) insert.run({ category, fetchedAt, ...i });
      })
      .immediate();
  }

  /** Cached instruments whose symbol contains `query` (case-insensitive), exact and prefix matches first. */
  searchInstruments(category: Category, query: string, limit: number): InstrumentRow[] {
    const q = query.toUpperCase();
    return this.db
      .prepare<Record<string, unknown>, InstrumentRow>(
        `SELECT symbol, status, base_coin AS baseCoin, quote_coin AS quoteCoin FROM instruments
         WHERE exchange = 'bybit' AND category = @category AND instr(symbol, @q) > 0
         ORDER BY symbol <> @q, instr(symbol, @q), symbol LIMIT @limit`,
      )
      .all({ category, q, limit });
  }

  /** The cached instrument of that exact symbol, if listed. */
  instrument(category: Category, symbol: string): InstrumentRow | undefined {
    return this.db
      .prepare<Record<string, unknown>, InstrumentRow>(
        `SELECT symbol, status, base_coin AS baseCoin, quote_coin AS quoteCoin FROM instruments
         WHERE exchange = 'bybit' AND category = @category AND symbol = @symbol`,
      )
      .get({ category, symbol });
  }

  instrumentCount(category: Category): number {
    return Number(this.db.prepare("SELECT count(*) FROM instruments WHERE exchange = 'bybit' AND category = ?").pluck().get(category));
  }
}
