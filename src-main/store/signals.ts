/** Persistence of explained signals: one row per (stream, candle, confirmed, model version, method). */
import type { AuditFilter, AuditOrder } from '../../src-shared/domain/audit';
import type { ForecastExplanation } from '../../src-shared/domain/forecast-explanation';
import type { Signal } from '../../src-shared/domain/signal';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { SignalSchema } from '../../src-shared/domain/signal';
import { STREAM_MATCH } from './candles';
import type { Db } from './database';
import { ForecastExplanationStore } from './forecast-explanations';

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
  forecasts: string | null;
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
    ...(r.forecasts === null ? {} : { forecasts: JSON.parse(r.forecasts) }),
  });
}

/** The WHERE clause of a filter (fixed text per field, values bound by name) and its parameters. */
function filterClause(filter: AuditFilter): { where: string; params: Record<string, unknown> } {
  const terms: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.stream !== undefined) {
    terms.push(STREAM_MATCH);
    Object.assign(params, filter.stream);
  }
  if (filter.modelVersion !== undefined) {
    terms.push('model_version = @modelVersion');
    params['modelVersion'] = filter.modelVersion;
  }
  if (filter.predicted !== undefined) {
    terms.push('predicted = @predicted');
    params['predicted'] = filter.predicted;
  }
  if (filter.from !== undefined) {
    terms.push('candle_start >= @from');
    params['from'] = filter.from;
  }
  if (filter.to !== undefined) {
    terms.push('candle_start <= @to');
    params['to'] = filter.to;
  }
  return { where: terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`, params };
}

/** The audit's query of the signals matching a filter, in order, without its LIMIT (exported for the query-plan test). */
export function auditQuery(filter: AuditFilter, order: AuditOrder): { sql: string; params: Record<string, unknown> } {
  const { where, params } = filterClause(filter);
  const direction = order === 'newest' ? 'DESC' : 'ASC';
  return { sql: `SELECT * FROM signals ${where} ORDER BY candle_start ${direction}, id ${direction}`, params };
}

export class SignalStore {
  readonly #insert;
  readonly #list;
  readonly #get;
  readonly #forecastExplanations;
  readonly #insertWithForecasts;
  /** Prepared audit queries by their SQL text: a handful of filter shapes, each prepared once. */
  readonly #queries = new Map<string, ReturnType<Db['prepare']>>();

  constructor(readonly db: Db) {
    this.#insert = db.prepare<Record<string, unknown>, { id: number }>(
      `INSERT INTO signals (exchange, category, symbol, interval, candle_start, confirmed, model_version, method, predicted,
         probabilities, window_starts, cam, features, input_hash, created_at, forecasts)
       VALUES (@exchange, @category, @symbol, @interval, @candleStart, @confirmed, @modelVersion, @method, @predicted,
         @probabilities, @windowStarts, @cam, @features, @inputHash, @createdAt, @forecasts)
       ON CONFLICT DO UPDATE SET predicted = excluded.predicted, probabilities = excluded.probabilities,
         window_starts = excluded.window_starts, cam = excluded.cam, features = excluded.features,
         input_hash = excluded.input_hash, created_at = excluded.created_at, forecasts = excluded.forecasts
       RETURNING id`,
    );
    this.#list = db.prepare<Record<string, unknown>, SignalRow>(
      `SELECT * FROM (SELECT * FROM signals WHERE ${STREAM_MATCH} AND candle_start >= @from AND candle_start <= @to
         ORDER BY candle_start DESC, id DESC LIMIT @limit) ORDER BY candle_start, id`,
    );
    this.#get = db.prepare<[number], SignalRow>('SELECT * FROM signals WHERE id = ?');
    this.#forecastExplanations = new ForecastExplanationStore(db);
    this.#insertWithForecasts = db.transaction((signal: Omit<Signal, 'id'>, explanations: readonly ForecastExplanation[]) => {
      const stored = this.insert(signal);
      this.#forecastExplanations.put(stored.id, explanations);
      return stored;
    });
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
      forecasts: signal.forecasts === undefined ? null : JSON.stringify(signal.forecasts),
    });
    if (row === undefined) throw new Error('signal was not stored');
    return { ...signal, id: row.id };
  }

  /** Stores a signal and the explanations of its forecasts, in one transaction: both or neither. */
  insertWithForecasts(signal: Omit<Signal, 'id'>, explanations: readonly ForecastExplanation[]): Signal {
    return this.#insertWithForecasts(signal, explanations);
  }

  /** The stored explanations of signal `id`'s forecasts (none for a direction-only model's). */
  forecastExplanations(id: number): ForecastExplanation[] {
    return this.#forecastExplanations.of(id);
  }

  list(key: StreamKeyValue, from = 0, to = Number.MAX_SAFE_INTEGER, limit = 10_000): Signal[] {
    return this.#list.all({ ...key, from, to, limit }).map(toSignal);
  }

  /**
   * One page of the stored signals matching a filter, across every stream, by candle time (ties by
   * id). Offset paging: the audit shows "rows a–b of N" and jumps to any page.
   */
  page(filter: AuditFilter, order: AuditOrder, offset: number, limit: number): Signal[] {
    const { sql, params } = auditQuery(filter, order);
    return (this.#query(`${sql} LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as SignalRow[]).map(toSignal);
  }

  /** How many stored signals match a filter. */
  count(filter: AuditFilter): number {
    const { where, params } = filterClause(filter);
    return (this.#query(`SELECT count(*) AS n FROM signals ${where}`).get(params) as { n: number }).n;
  }

  /** The streams and models that have stored signals: what the audit can filter by. */
  facets(): { streams: StreamKeyValue[]; models: string[] } {
    const streams = this.db
      .prepare<[], StreamKeyValue>('SELECT DISTINCT exchange, category, symbol, interval FROM signals ORDER BY symbol, interval, category')
      .all();
    const models = this.db.prepare<[], string>('SELECT DISTINCT model_version FROM signals ORDER BY model_version').pluck().all();
    return { streams, models };
  }

  #query(sql: string): ReturnType<Db['prepare']> {
    let statement = this.#queries.get(sql);
    if (statement === undefined) this.#queries.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  get(id: number): Signal | undefined {
    const row = this.#get.get(id);
    return row === undefined ? undefined : toSignal(row);
  }
}
