/** Persistence of explained signals: one row per (stream, candle, confirmed, model version, method). */
import type { Signal } from '../../src-shared/domain/signal';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { SignalSchema } from '../../src-shared/domain/signal';
import { STREAM_MATCH } from './candles';
import type { Db } from './database';

interface SignalRow {
  id: number;
  exchange: string;
  category: string;
  symbol: string;
  interval: string;
  candle_start: number;
  confirmed: number;
  model_version: string;
  method: string;
  predicted: string;
  probabilities: string;
  window_starts: string;
  cam: string;
  features: string;
  input_hash: string;
  created_at: number;
}

function toSignal(r: SignalRow): Signal {
  return SignalSchema.parse({
    id: r.id,
    exchange: r.exchange,
    category: r.category,
    symbol: r.symbol,
    interval: r.interval,
    candleStart: r.candle_start,
    confirmed: r.confirmed === 1,
    modelVersion: r.model_version,
    predicted: r.predicted,
    probabilities: JSON.parse(r.probabilities),
    method: r.method,
    windowStarts: JSON.parse(r.window_starts),
    cam: JSON.parse(r.cam),
    features: JSON.parse(r.features),
    inputHash: r.input_hash,
    createdAt: r.created_at,
  });
}

export class SignalStore {
  readonly #insert;
  readonly #list;
  readonly #get;

  constructor(readonly db: Db) {
    this.#insert = db.prepare<Record<string, unknown>, { id: number }>(
      `INSERT INTO signals (exchange, category, symbol, interval, candle_start, confirmed, model_version, method, predicted,
         probabilities, window_starts, cam, features, input_hash, created_at)
       VALUES (@exchange, @category, @symbol, @interval, @candleStart, @confirmed, @modelVersion, @method, @predicted,
         @probabilities, @windowStarts, @cam, @features, @inputHash, @createdAt)
       ON CONFLICT DO UPDATE SET predicted = excluded.predicted, probabilities = excluded.probabilities,
         window_starts = excluded.window_starts, cam = excluded.cam, features = excluded.features,
         input_hash = excluded.input_hash, created_at = excluded.created_at
       RETURNING id`,
    );
    this.#list = db.prepare<Record<string, unknown>, SignalRow>(
      `SELECT * FROM (SELECT * FROM signals WHERE ${STREAM_MATCH} AND candle_start >= @from AND candle_start <= @to
         ORDER BY candle_start DESC, id DESC LIMIT @limit) ORDER BY candle_start, id`,
    );
    this.#get = db.prepare<[number], SignalRow>('SELECT * FROM signals WHERE id = ?');
  }

  /**
   * Stores a signal and returns it with its id. The same stream, candle, model and method replace
   * the earlier row (a re-score of the same window gives the same values).
   */
  insert(signal: Omit<Signal, 'id'>): Signal {
    const row = this.#insert.get({
      ...signal,
      confirmed: signal.confirmed ? 1 : 0,
      probabilities: JSON.stringify(signal.probabilities),
      windowStarts: JSON.stringify(signal.windowStarts),
      cam: JSON.stringify(signal.cam),
      features: JSON.stringify(signal.features),
    });
    if (row === undefined) throw new Error('signal was not stored');
    return { ...signal, id: row.id };
  }

  list(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 10_000): Signal[] {
    return this.#list.all({ ...key, from, to, limit }).map(toSignal);
  }

  get(id: number): Signal | undefined {
    const row = this.#get.get(id);
    return row === undefined ? undefined : toSignal(row);
  }
}
