/**
 * The live market feed: follows the watchlist over Bybit's public WebSocket, fills history and every
 * gap by REST, and writes through one CandleWriter so each change reaches the store once and is
 * published as 'candle.updated' on the engine's bus. Reports health per stream and backfill progress as events.
 *
 * Completeness: a stream's history is filled from the end of its contiguous run of confirmed candles
 * (or, when it has none, from `backfillDepthMs` or DEFAULT_BACKFILL_CANDLES back) up to now: on start,
 * when the first subscription is live, and after every reconnect, so a candle confirmed while no
 * socket listened is fetched; and at once when a push skips ahead of the newest closed candle on a
 * connection that stayed up (a confirmation lost, or candles never pushed), the stream showing
 * 'repairing' in health until the hole is filled.
 */
import pLimit from 'p-limit';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { FeedHealth, StreamHealth } from '../../src-shared/domain/health';
import type { EngineBus } from '../bus/bus';
import type { EventHub } from '../ipc/dispatch';
import { BybitRest, type RestTiming } from '../market/bybit/rest-client';
import { klineTopic, planSubscriptions, publicStreamUrl, type Reject } from '../market/bybit/protocol';
import { BybitConnection, DEFAULT_CONNECTION_TIMING, type ConnectionState, type ConnectionTiming } from '../market/bybit/ws-client';
import {
  candleStartAt,
  candleStartBefore,
  intervalMs,
  nextCandleStart,
  type Category,
  type Interval,
} from '../../src-shared/domain/intervals';
import { streamId, type CandleStore } from '../store/candles';
import { WalCheckpointer } from '../store/checkpointer';
import type { WatchlistStore } from '../store/watchlist';
import { CandleWriter, conflictReject } from './candle-writer';

/**
 * Candles fetched for a stream with nothing stored, unless `backfillDepthMs` says otherwise: 7 days
 * of 1-minute candles, and as many candles at any other interval (a day's candles would otherwise
 * give a new daily stream a week of history).
 */
export const DEFAULT_BACKFILL_CANDLES = 7 * 1440;
const PAGE_CANDLES = 1000;

const INSTRUMENTS_REFRESH_MS = 3_600_000;
/** A failed or fruitless instruments-info request is not repeated sooner. */
const INSTRUMENTS_RETRY_MS = 60_000;

/** Where the history of a stream with nothing stored begins: `depthMs` back, or DEFAULT_BACKFILL_CANDLES candles. */
export function historyStart(interval: Interval, now: number, depthMs?: number): number {
  return depthMs === undefined ? candleStartBefore(interval, now, DEFAULT_BACKFILL_CANDLES) : candleStartAt(interval, now - depthMs);
}

export interface FeedOptions {
  store: CandleStore;
  watchlist: WatchlistStore;
  /** The push to renderers: health and backfill progress. */
  events: EventHub;
  /** Where stored candles are published. */
  bus: EngineBus;
  /** WebSocket base (`wss://stream.bybit.com`); the category path is added. */
  wsBase: string;
  restBase: string;
  /** How health names the source. */
  source: string;
  /** Market time; a replay passes its virtual clock. */
  marketNow?: () => number;
  connection?: Partial<ConnectionTiming>;
  rest?: Partial<RestTiming>;
  /** History to fetch for a stream with nothing stored, for every interval (default DEFAULT_BACKFILL_CANDLES candles). */
  backfillDepthMs?: number;
  /** REST requests in flight at once, over all streams. */
  backfillConcurrency?: number;
  /** Wait before a failed backfill is tried again. */
  backfillRetryMs?: number;
  healthIntervalMs?: number;
  log?: (line: string) => void;
}

interface StreamState {
  key: StreamKeyValue;
  connectionState: ConnectionState | 'failed';
  connection: BybitConnection | undefined;
  /** Reconnects of the connections this stream had before the watchlist last changed. */
  earlierReconnects: number;
  lastMessageAt: number | undefined;
  messages: number;
  messagesAtSample: number;
  messagesPerSecond: number;
  rowsBackfilled: number;
  backfill: { done: number; total: number } | null;
  rejected: Record<string, number>;
  /** Why the exchange refused the stream's subscription (kept apart: a backfill's outcome must not hide it). */
  subscribeError: string | null;
  /** Why the last backfill failed. */
  error: string | null;
  /** Start of the last candle of the contiguous confirmed run known so far (where the gap scan resumes; kept in the store). */
  contiguousUntil: number | undefined;
  /** Start of the newest closed candle stored or on its way to the store (pushed, fetched, or the stored run's end). */
  newestClosed: number | undefined;
  /** A push skipped ahead of `newestClosed`: the hole is being filled by REST. */
  repairing: boolean;
  backfilling: boolean;
  backfillAgain: boolean;
  retry: NodeJS.Timeout | undefined;
  /** Whether health last reported the stream up (live or repairing), and since when. */
  up: boolean;
  upOrDownSince: number;
  /**
   * Since when (epoch ms) every push on the stream was refused: set by the first refused push after
   * an accepted one, cleared by the next accepted one. Past the dead-link time the stream counts as
   * failed: a link that delivers nothing storable is no more live than a silent one.
   */
  refusingSince: number | undefined;
  /** The last push refused, as health names it. */
  lastRefusal: string | undefined;
  /** The current run of refusals was logged. */
  refusalLogged: boolean;
}

export class MarketFeed {
  readonly writer: CandleWriter;
  readonly rest: BybitRest;
  readonly #streams = new Map<string, StreamState>();
  /** Keyed by category and topic, as pushes name them. */
  readonly #byTopic = new Map<string, StreamState>();
  readonly #rejected: Record<string, number> = {};
  readonly #loggedKinds = new Set<string>();
  /** When instruments-info was last asked for, per category. */
  readonly #instrumentsAskedAt = new Map<Category, number>();
  /** Why the category's last instruments-info request failed; cleared by a success. */
  readonly #instrumentsFailure = new Map<Category, string>();
  readonly #requests;
  readonly #now: () => number;
  readonly #timing: ConnectionTiming;
  readonly #log: (line: string) => void;
  /** Open connections by category, with the topics they were opened for. */
  readonly #connections = new Map<Category, { topics: string; connections: BybitConnection[] }>();
  #healthTimer: NodeJS.Timeout | undefined;
  #checkpointer: WalCheckpointer | undefined;
  #lastSample = Date.now();
  #running = false;

  constructor(private readonly options: FeedOptions) {
    this.#log = options.log ?? (() => {});
    this.#now = options.marketNow ?? Date.now;
    this.writer = new CandleWriter(options.store, options.bus, {
      log: this.#log,
      onConflict: (conflict) => this.#reject(conflictReject(conflict), this.#streams.get(streamId(conflict.key))),
      afterCommit: () => this.#checkpointer?.bound(),
    });
    this.rest = new BybitRest(options.restBase, options.rest, this.#log, this.#now);
    this.#requests = pLimit(options.backfillConcurrency ?? 16);
    this.#timing = { ...DEFAULT_CONNECTION_TIMING, ...options.connection };
  }

  /** Connects and backfills the watchlist; does nothing network-wise while the watchlist is empty. */
  start(): void {
    this.#running = true;
    // The feed writes all the time: its commits must not wait for checkpoints, and its WAL must stay
    // bounded all the same (see WalCheckpointer).
    if (!this.options.store.db.memory) this.#checkpointer = new WalCheckpointer(this.options.store.db, 1000, this.#log);
    this.#connect();
    const every = this.options.healthIntervalMs ?? 1000;
    this.#healthTimer = setInterval(() => {
      this.#sampleRates();
      this.#logRefusals();
      this.options.events.emit('feed.health', this.health());
    }, every);
    this.#healthTimer.unref();
  }

  stop(): void {
    this.#running = false;
    clearInterval(this.#healthTimer);
    for (const state of this.#streams.values()) clearTimeout(state.retry);
    this.#disconnect();
    this.writer.flush();
    this.#checkpointer?.stop();
    this.#checkpointer = undefined;
  }

  /**
   * Applies a changed watchlist: reconnects the categories whose topics changed (the others keep their
   * connections), backfills new streams.
   */
  reload(): void {
    if (this.#running) this.#connect();
  }

  /** Resolves once no backfill is running or queued (tests and benchmarks wait on it). */
  async idle(): Promise<void> {
    while ([...this.#streams.values()].some((s) => s.backfilling) || this.#requests.activeCount + this.#requests.pendingCount > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.writer.flush();
  }

  health(): FeedHealth {
    const now = Date.now();
    const streams: StreamHealth[] = [...this.#streams.values()].map((s) => {
      // Judged when health is read (every second), so "since" is within a second of the change.
      const refusing = this.#refusing(s, now);
      const up = s.connectionState === 'live' && !refusing;
      if (up !== s.up) {
        s.up = up;
        s.upOrDownSince = now;
      }
      return {
        ...s.key,
        state: refusing ? 'failed' : s.repairing && up ? 'repairing' : s.connectionState,
        stateSince: s.upOrDownSince,
        lastMessageAgeMs: s.lastMessageAt === undefined ? null : Math.max(0, now - s.lastMessageAt),
        messagesPerSecond: Math.round(s.messagesPerSecond * 10) / 10,
        reconnects: s.earlierReconnects + (s.connection?.reconnects ?? 0),
        rowsBackfilled: s.rowsBackfilled,
        backfill: s.backfill,
        rejected: { ...s.rejected },
        error:
          [
            s.subscribeError,
            s.error,
            s.connectionState === 'live' ? undefined : s.connection?.lastError,
            refusing ? this.#refusalText(s, now) : undefined,
          ]
            .filter(Boolean)
            .join('; ') || null,
      };
    });
    return { source: this.options.source, streams, rejected: { ...this.#rejected }, latency: this.writer.latency.summary() };
  }

  /**
   * Symbol search: the instrument list is fetched from the exchange at most once an hour and cached in
   * the store, so search keeps working offline from the last list seen (`fromCache`: the exchange did
   * not answer the last request).
   */
  async searchInstruments(category: Category, query: string, limit: number) {
    await this.#refreshInstruments(category, INSTRUMENTS_REFRESH_MS);
    return {
      instruments: this.options.watchlist.searchInstruments(category, query, limit),
      cached: this.options.watchlist.instrumentCount(category),
      fromCache: this.#instrumentsFailure.has(category),
    };
  }

  /**
   * Refuses a stream the exchange does not serve, before it joins the watchlist: its symbol must be
   * listed by instruments-info as Trading (Bybit refuses a subscription naming anything else). A
   * symbol missing from the cached list is looked up afresh (listings change), at most once a minute.
   */
  async checkInstrument({ category, symbol }: StreamKeyValue): Promise<void> {
    const { watchlist } = this.options;
    if (watchlist.instrument(category, symbol) === undefined) await this.#refreshInstruments(category, INSTRUMENTS_RETRY_MS);
    const listed = watchlist.instrument(category, symbol);
    const failure = this.#instrumentsFailure.get(category);
    if (listed === undefined && watchlist.instrumentCount(category) === 0 && failure !== undefined)
      throw new Error(`cannot check ${category} ${symbol}: no instrument list cached, and instruments-info failed (${failure})`);
    if (listed === undefined) throw new Error(`the exchange lists no ${category} instrument ${symbol} (instruments-info)`);
    if (listed.status !== 'Trading') throw new Error(`the exchange lists ${category} ${symbol} as ${listed.status}, not Trading`);
  }

  /**
   * Fetches and caches the category's instruments when the last request is older than `maxAgeMs`, or
   * than INSTRUMENTS_RETRY_MS when it failed.
   */
  async #refreshInstruments(category: Category, maxAgeMs: number): Promise<void> {
    const askedAt = this.#instrumentsAskedAt.get(category) ?? -Infinity;
    const maxAge = this.#instrumentsFailure.has(category) ? Math.min(maxAgeMs, INSTRUMENTS_RETRY_MS) : maxAgeMs;
    if (Date.now() - askedAt <= maxAge) return;
    this.#instrumentsAskedAt.set(category, Date.now());
    try {
      this.options.watchlist.cacheInstruments(category, await this.rest.instruments(category));
      this.#instrumentsFailure.delete(category);
    } catch (err) {
      const reason = (err as Error).message;
      this.#instrumentsFailure.set(category, reason);
      this.#log(`instruments-info unavailable (${reason}); using the cached list`);
    }
  }

  #refusing(state: StreamState, now: number): boolean {
    return state.refusingSince !== undefined && now - state.refusingSince >= this.#timing.deadAfterMs;
  }

  #refusalText(state: StreamState, now: number): string {
    return `no push accepted for ${Math.round((now - (state.refusingSince ?? now)) / 1000)} s: every one refused (${state.lastRefusal})`;
  }

  /** A stream whose pushes are all refused stores nothing while its link looks fine: said once per run of refusals. */
  #logRefusals(): void {
    const now = Date.now();
    for (const state of this.#streams.values()) {
      if (state.refusalLogged || !this.#refusing(state, now)) continue;
      state.refusalLogged = true;
      this.#log(`${this.#name(state)}: ${this.#refusalText(state, now)}; health shows it failed until one is accepted`);
    }
  }

  #sampleRates(): void {
    const now = Date.now();
    const seconds = Math.max(1, now - this.#lastSample) / 1000;
    this.#lastSample = now;
    for (const s of this.#streams.values()) {
      s.messagesPerSecond = (s.messages - s.messagesAtSample) / seconds;
      s.messagesAtSample = s.messages;
    }
  }

  #connect(): void {
    const watched = this.options.watchlist.list();
    const keep = new Set(watched.map(streamId));
    for (const [id, state] of this.#streams) {
      if (!keep.has(id)) {
        clearTimeout(state.retry);
        this.#streams.delete(id);
      }
    }
    this.#byTopic.clear();
    for (const key of watched) {
      const id = streamId(key);
      const state = this.#streams.get(id) ?? this.#newState(key);
      this.#streams.set(id, state);
      this.#byTopic.set(`${key.category}|${klineTopic(key.interval, key.symbol)}`, state);
    }
    for (const category of ['linear', 'spot'] as const) {
      const topics = watched.filter((k) => k.category === category).map((k) => klineTopic(k.interval, k.symbol));
      const opened = topics.join();
      if (this.#connections.get(category)?.topics === opened) continue;
      this.#disconnect(category);
      this.#connections.set(category, { topics: opened, connections: [] });
      const plan = planSubscriptions(topics);
      plan.forEach((requests, i) =>
        this.#open(category, requests, `${category} connection${plan.length > 1 ? ` ${i + 1}/${plan.length}` : ''}`),
      );
    }
    for (const state of this.#streams.values()) void this.#backfill(state);
  }

  #disconnect(category?: Category): void {
    for (const [each, { connections }] of this.#connections) {
      if (category !== undefined && each !== category) continue;
      for (const connection of connections) connection.stop();
      this.#connections.delete(each);
    }
    // A stream carried over keeps counting its reconnects.
    for (const state of this.#streams.values()) {
      if (state.connection?.state !== 'stopped') continue;
      state.earlierReconnects += state.connection.reconnects;
      state.connection = undefined;
    }
  }

  #newState(key: StreamKeyValue): StreamState {
    return {
      key,
      connectionState: 'connecting',
      connection: undefined,
      earlierReconnects: 0,
      lastMessageAt: undefined,
      messages: 0,
      messagesAtSample: 0,
      messagesPerSecond: 0,
      rowsBackfilled: 0,
      backfill: null,
      rejected: {},
      subscribeError: null,
      error: null,
      contiguousUntil: undefined,
      newestClosed: undefined,
      repairing: false,
      backfilling: false,
      backfillAgain: false,
      retry: undefined,
      up: false,
      upOrDownSince: Date.now(),
      refusingSince: undefined,
      lastRefusal: undefined,
      refusalLogged: false,
    };
  }

  /** @param label how the log names the connection */
  #open(category: Category, requests: string[][], label: string): void {
    const stateOf = (topic: string) => this.#byTopic.get(`${category}|${topic}`);
    const statesOf = () => requests.flat().flatMap((t) => stateOf(t) ?? []);
    const connection: BybitConnection = new BybitConnection(
      publicStreamUrl(this.options.wsBase, category),
      requests,
      {
        onCandles: (topic, _symbol, _interval, candles, receivedAt) => {
          const state = stateOf(topic);
          if (state === undefined) return;
          if (state.refusalLogged) this.#log(`${this.#name(state)}: pushes accepted again`);
          state.refusingSince = undefined;
          state.refusalLogged = false;
          this.writer.put(state.key, candles, receivedAt);
          this.#watchForHoles(state, candles);
        },
        onReject: (reject) => {
          const state = reject.topic === undefined ? undefined : stateOf(reject.topic);
          this.#reject(reject, state);
          if (state === undefined) return;
          state.refusingSince ??= Date.now();
          state.lastRefusal = `${reject.kind}: ${reject.reason}`;
        },
        onLive: (reconnected) => {
          if (reconnected) this.#log(`${category} connection live again (reconnect ${connection.reconnects}): repairing the gap`);
          for (const state of statesOf()) void this.#backfill(state);
        },
        onSubscribeFailed: (topics, message) => {
          this.#log(`subscribe failed for ${topics.join(', ') || 'a request'}: ${message}`);
          for (const topic of topics) {
            const state = stateOf(topic);
            if (state === undefined) continue;
            state.connectionState = 'failed';
            state.subscribeError = `subscribe failed: ${message}`;
          }
        },
        onState: (next) => {
          for (const state of statesOf()) {
            if (state.connectionState === 'failed' && next !== 'subscribing') continue;
            state.connectionState = next;
            if (next === 'subscribing') state.subscribeError = null;
          }
        },
        onMessage: (topic) => {
          const state = topic === undefined ? undefined : stateOf(topic);
          if (state === undefined) return;
          state.lastMessageAt = Date.now();
          state.messages++;
        },
        onLog: (line) => this.#log(`${label} ${line}`),
      },
      this.#now,
      this.#timing,
    );
    for (const state of statesOf()) state.connection = connection;
    this.#connections.get(category)?.connections.push(connection);
    connection.start();
  }

  /**
   * A hole can open on a connection that stays up: a candle's confirmation lost or rejected, or the
   * exchange pushing nothing for a while (also across a reconnect made while it was still quiet), so
   * candles close unseen. The next push then starts more than one interval after the newest closed
   * candle: REST has the ones between, final.
   */
  #watchForHoles(state: StreamState, candles: readonly Candle[]): void {
    const { interval } = state.key;
    for (const candle of candles) {
      const newestClosed = state.newestClosed;
      if (!state.repairing && newestClosed !== undefined && candle.time > nextCandleStart(interval, newestClosed)) {
        state.repairing = true;
        const from = new Date(nextCandleStart(interval, newestClosed)).toISOString();
        this.#log(
          `${this.#name(state)}: no closed candle from ${from} before the push of ${new Date(candle.time).toISOString()}; repairing`,
        );
        void this.#backfill(state);
      }
      if (candle.confirmed && (newestClosed === undefined || candle.time > newestClosed)) state.newestClosed = candle.time;
    }
  }

  #reject(reject: Reject, state: StreamState | undefined): void {
    this.#rejected[reject.kind] = (this.#rejected[reject.kind] ?? 0) + 1;
    if (state !== undefined) state.rejected[reject.kind] = (state.rejected[reject.kind] ?? 0) + 1;
    if (!this.#loggedKinds.has(reject.kind)) {
      this.#loggedKinds.add(reject.kind);
      this.#log(`rejected (${reject.kind}): ${reject.reason}; later rejects of this kind are counted in health, not logged`);
    }
  }

  /** Runs one backfill per stream at a time; a request made meanwhile runs again right after. */
  async #backfill(state: StreamState): Promise<void> {
    if (state.backfilling) {
      state.backfillAgain = true;
      return;
    }
    state.backfilling = true;
    clearTimeout(state.retry);
    try {
      do {
        state.backfillAgain = false;
        await this.#fill(state);
      } while (state.backfillAgain && this.#running);
      state.repairing = false;
      state.error = null;
    } catch (err) {
      const retryMs = this.options.backfillRetryMs ?? 30_000;
      state.error = `backfill failed: ${(err as Error).message}`;
      this.#log(`${this.#name(state)}: ${state.error}; retrying in ${Math.round(retryMs / 1000)} s`);
      if (this.#running) state.retry = setTimeout(() => void this.#backfill(state), retryMs);
    } finally {
      state.backfilling = false;
    }
  }

  #name(state: StreamState): string {
    return `${state.key.category} ${state.key.symbol} ${state.key.interval}`;
  }

  async #fill(state: StreamState): Promise<void> {
    const { key } = state;
    const interval = key.interval;
    this.writer.flush(); // the gap scan must see what is already on its way to the store
    let pageStart = this.#firstMissing(state);
    const progress = { done: 0, total: 0 };
    let rows = 0;
    let newestClosed: number | undefined;
    const started = Date.now();
    let lastLog = started;
    while (this.#running && pageStart <= this.#now()) {
      // Every page up to now is asked for at once: the request pool and the rate limit pace them,
      // and they are taken in order, so the writer gets each stream's candles ascending.
      const ranges = this.#pageRanges(interval, pageStart, this.#now());
      pageStart = nextCandleStart(interval, ranges.at(-1)![1]);
      let abandoned = false;
      const pages = ranges.map(([from, end]) =>
        this.#requests(() =>
          this.#running && !abandoned ? this.rest.klinePage(key.category, key.symbol, interval, from, end) : undefined,
        ),
      );
      for (const page of pages) page.catch(() => {}); // the first failure is thrown below; the others need no handler
      if (progress.total === 0 && ranges.length > 1)
        this.#log(`${this.#name(state)}: backfilling from ${new Date(ranges[0]![0]).toISOString()}, ${ranges.length} pages`);
      progress.total += ranges.length;
      state.backfill = { ...progress };
      for (const pending of pages) {
        let page;
        try {
          page = await pending;
        } catch (err) {
          abandoned = true;
          throw err;
        }
        if (page === undefined || !this.#running) return; // stopped meanwhile: the store may already be closed
        for (const reject of page.rejects) this.#reject(reject, state);
        // The still-open candle is left to the live stream; only closed candles come from REST.
        const closed = page.candles.filter((c) => c.confirmed);
        newestClosed = closed.at(-1)?.time ?? newestClosed;
        this.writer.put(key, closed);
        rows += closed.length;
        state.rowsBackfilled += closed.length;
        progress.done++;
        state.backfill = { ...progress };
        this.options.events.emit('backfill.progress', { ...key, ...progress, rows });
        if (progress.total > 1 && (progress.done === progress.total || Date.now() - lastLog > 2000)) {
          lastLog = Date.now();
          this.#log(`${this.#name(state)}: backfill ${progress.done}/${progress.total} pages, ${rows} rows`);
        }
      }
    }
    // Holes the exchange itself has (no trades, outages) stay holes: the next repair starts after them.
    if (this.#running && newestClosed !== undefined) state.contiguousUntil = Math.max(state.contiguousUntil ?? newestClosed, newestClosed);
    if (this.#running && state.contiguousUntil !== undefined) {
      this.options.store.setCheckedUntil(key, state.contiguousUntil);
      state.newestClosed = Math.max(state.newestClosed ?? state.contiguousUntil, state.contiguousUntil);
    }
  }

  /** [start, end] of each page (at most 1000 candles) covering `from` up to `now`; monthly candles take one page. */
  #pageRanges(interval: Interval, from: number, now: number): [number, number][] {
    if (interval === 'M') return [[from, now]];
    const ranges: [number, number][] = [];
    for (let start = from; start <= now;) {
      const end = start + (PAGE_CANDLES - 1) * intervalMs(interval);
      ranges.push([start, end]);
      start = nextCandleStart(interval, end);
    }
    return ranges;
  }

  /** Start of the first candle missing after the stream's contiguous confirmed run. */
  #firstMissing(state: StreamState): number {
    const { key } = state;
    let from = state.contiguousUntil ?? this.options.store.checkedUntil(key);
    if (from === undefined) {
      const starts = this.options.store.confirmedStarts(key, 0);
      const first = starts.next();
      starts.return?.();
      if (first.done === true) return historyStart(key.interval, this.#now(), this.options.backfillDepthMs);
      from = first.value;
    }
    let expected = from;
    let last: number | undefined;
    for (const start of this.options.store.confirmedStarts(key, from)) {
      if (start !== expected) break;
      last = start;
      expected = nextCandleStart(key.interval, start);
    }
    state.contiguousUntil = last ?? state.contiguousUntil;
    return expected;
  }
}
