/**
 * Bybit v5 public REST: kline pages and instruments-info, under Bybit's IP limit (600 requests per
 * 5 s, shared by every caller of one client). On retCode 10006 it waits and retries; on HTTP 403
 * (the IP limit was hit) it waits as Bybit asks, 10 minutes by default. Other error replies are
 * reported as a RestError and never turned into candles.
 */
import { z } from 'zod';
import type { Candle } from '../../../src-shared/domain/market';
import type { Category, Interval } from '../../../src-shared/domain/intervals';
import {
  InstrumentsEnvelope,
  KLINE_PAGE_LIMIT,
  KlineEnvelope,
  readKlinePage,
  RET_CODE_TOO_MANY_REQUESTS,
  type InstrumentValue,
  type Reject,
} from './protocol';
import { SlidingWindowLimit } from './rate-limit';

export class RestError extends Error {
  constructor(
    message: string,
    readonly retCode?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export interface RestTiming {
  /** Requests allowed per window (Bybit: 600 per 5 s). */
  requestsPerWindow: number;
  windowMs: number;
  /** Wait after retCode 10006 (doubled on each repeat). */
  tooManyRequestsWaitMs: number;
  /** Wait after HTTP 403 (Bybit: at least 10 minutes). */
  forbiddenWaitMs: number;
  /** Retries of one request after network errors or slow-down replies. */
  retries: number;
}

const DEFAULT_REST_TIMING: RestTiming = {
  requestsPerWindow: 600,
  windowMs: 5000,
  tooManyRequestsWaitMs: 1000,
  forbiddenWaitMs: 600_000,
  retries: 5,
};

interface KlinePage {
  candles: Candle[];
  rejects: Reject[];
  serverTime: number;
}

/** A symbol search's request: the user is waiting, and a cached list can answer instead. */
const INTERACTIVE = { retries: 0, timeoutMs: 5_000, waitOutPause: false };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class BybitRest {
  readonly #limit: SlidingWindowLimit;
  readonly #timing: RestTiming;
  /** Requests made, and slow-down replies met, for health and tests. */
  readonly stats = { requests: 0, slowDowns: 0, errors: 0 };
  /** Every request waits until then: the exchange asked this client (its IP) to slow down. */
  #pausedUntil = 0;

  /** @param marketNow the market clock: no candle starting after it (give or take the clock skew) is taken */
  constructor(
    readonly baseUrl: string,
    timing: Partial<RestTiming> = {},
    private readonly log: (line: string) => void = () => {},
    private readonly marketNow: () => number = Date.now,
  ) {
    this.#timing = { ...DEFAULT_REST_TIMING, ...timing };
    this.#limit = new SlidingWindowLimit(this.#timing.requestsPerWindow, this.#timing.windowMs);
  }

  /** Candles starting in [start, end], ascending; at most 1000 (one page). */
  async klinePage(category: Category, symbol: string, interval: Interval, start: number, end: number): Promise<KlinePage> {
    const params = { category, symbol, interval, start: String(start), end: String(end), limit: String(KLINE_PAGE_LIMIT) };
    const reply = await this.#get('/v5/market/kline', params, KlineEnvelope);
    const list = 'list' in reply.result ? reply.result.list : [];
    return { ...readKlinePage(list, interval, reply.time, this.marketNow()), serverTime: reply.time };
  }

  /**
   * Every instrument of the category, following `nextPageCursor`. Asked for by a symbol search as the
   * user types, so it never retries nor waits out a pause: the search falls back to its cached list.
   */
  async instruments(category: Category): Promise<InstrumentValue[]> {
    const all: InstrumentValue[] = [];
    let cursor = '';
    do {
      const reply = await this.#get(
        '/v5/market/instruments-info',
        { category, limit: '1000', ...(cursor ? { cursor } : {}) },
        InstrumentsEnvelope,
        INTERACTIVE,
      );
      if (!('list' in reply.result)) break;
      all.push(...reply.result.list.map(({ symbol, status, baseCoin, quoteCoin }) => ({ symbol, status, baseCoin, quoteCoin })));
      cursor = reply.result.nextPageCursor ?? '';
    } while (cursor !== '');
    return all;
  }

  #pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms);
  }

  async #get<T extends z.ZodType<{ retCode: number; retMsg: string }>>(
    path: string,
    params: Record<string, string>,
    schema: T,
    { retries = this.#timing.retries, timeoutMs = 30_000, waitOutPause = true } = {},
  ): Promise<z.output<T>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}?${new URLSearchParams(params)}`;
    let slowDownWait = this.#timing.tooManyRequestsWaitMs;
    for (let attempt = 0; ; attempt++) {
      const paused = this.#pausedUntil - Date.now();
      if (paused > 0) {
        if (!waitOutPause) throw new RestError(`${path}: requests paused for ${Math.ceil(paused / 1000)} s more, as Bybit asked`);
        await sleep(paused);
      }
      const release = await this.#limit.acquire(sleep);
      this.stats.requests++;
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        release();
        if (attempt >= retries) throw new RestError(`${path}: ${(err as Error).message}`);
        await sleep(Math.min(30_000, 250 * 2 ** attempt));
        continue;
      }
      release();
      if (response.status === 403) {
        this.stats.slowDowns++;
        this.log(
          `${path}: HTTP 403 (IP rate limit); every request waits ${Math.round(this.#timing.forbiddenWaitMs / 1000)} s as Bybit asks`,
        );
        await response.body?.cancel();
        this.#pause(this.#timing.forbiddenWaitMs);
        if (attempt >= retries) throw new RestError(`${path}: HTTP 403 after ${attempt + 1} attempts`, undefined, 403);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        if (attempt >= retries || response.status < 500) {
          this.stats.errors++;
          throw new RestError(`${path}: HTTP ${response.status}`, undefined, response.status);
        }
        await sleep(Math.min(30_000, 250 * 2 ** attempt));
        continue;
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        this.stats.errors++;
        throw new RestError(`${path}: the reply is not JSON`);
      }
      const reply = schema.safeParse(body);
      if (!reply.success) {
        this.stats.errors++;
        throw new RestError(`${path}: unexpected reply: ${z.prettifyError(reply.error).split('\n')[0]}`);
      }
      const { retCode, retMsg } = reply.data;
      if (retCode === RET_CODE_TOO_MANY_REQUESTS) {
        this.stats.slowDowns++;
        // Bybit says when its limit resets (ms since the epoch); without that, waits double.
        const resetAt = Number(response.headers.get('X-Bapi-Limit-Reset-Timestamp'));
        this.#pause(resetAt > Date.now() ? Math.min(resetAt - Date.now(), 60_000) : slowDownWait);
        slowDownWait *= 2;
        if (attempt >= retries) throw new RestError(`${path}: still too many requests after ${attempt + 1} attempts`, retCode);
        continue;
      }
      if (retCode !== 0) {
        this.stats.errors++;
        throw new RestError(`${path}: retCode ${retCode} ${retMsg}`, retCode);
      }
      return reply.data;
    }
  }
}
