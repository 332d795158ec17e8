/**
 * One Bybit v5 public WebSocket connection carrying a fixed set of kline topics. It pings every
 * 20 s, declares the link dead when nothing (no pong, no data) arrived for `deadAfterMs`, gives up
 * an attempt that is not live (handshake done and every subscribe acknowledged) within `liveWithinMs`,
 * reconnects with jittered exponential backoff, subscribes again, and validates every frame before
 * handing candles on. Every change of the link is logged with its reason. Rejected frames are
 * reported, never passed on, and never close the connection.
 */
import WebSocket from 'ws';
import type { Candle } from '../../../src-shared/domain/market';
import type { Interval } from '../../../src-shared/domain/intervals';
import type { z } from 'zod';
import { readFrame, type PingRequest, type Reject, type SubscribeRequest } from './protocol';

export type ConnectionState = 'connecting' | 'subscribing' | 'live' | 'reconnecting' | 'stopped';

export interface ConnectionTiming {
  pingIntervalMs: number;
  /** No pong and no data for this long: the link is dead. */
  deadAfterMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /**
   * From the start of an attempt to live (handshake done, every subscribe acknowledged) at most this
   * long: an upgrade answered late or never, or acknowledgements that never come, would otherwise leave
   * the link neither open nor closed with nothing said.
   */
  liveWithinMs: number;
}

export const DEFAULT_CONNECTION_TIMING: ConnectionTiming = {
  pingIntervalMs: 20_000,
  deadAfterMs: 30_000,
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  liveWithinMs: 30_000,
};

export interface ConnectionHandlers {
  /** `receivedAt`: performance.now() when the frame arrived, for the feed's latency figures. */
  onCandles(topic: string, symbol: string, interval: Interval, candles: Candle[], receivedAt: number): void;
  onReject(reject: Reject): void;
  /** Every subscribe request was acknowledged; `reconnected` is false on the first connection. */
  onLive(reconnected: boolean): void;
  onSubscribeFailed(topics: string[], message: string): void;
  onState(state: ConnectionState): void;
  /** Any frame arrived (the topic when it was a kline push). */
  onMessage(topic: string | undefined): void;
  /** Every change of the link (connecting, open, error, closed, reconnect scheduled, live), with why: none is silent. */
  onLog(line: string): void;
}

/** Full-jitter exponential backoff: a random delay up to base·2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

export class BybitConnection {
  state: ConnectionState = 'connecting';
  reconnects = 0;
  lastMessageAt = 0;
  /** Why the link last failed (a connection error, a close by the exchange); cleared once live again. */
  lastError: string | undefined;
  readonly topics: Set<string>;
  readonly #lastStart = new Map<string, number>();
  readonly #pendingRequests = new Map<string, string[]>();
  #socket: WebSocket | undefined;
  #pinger: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #attempt = 0;
  #connectedOnce = false;
  #nextReqId = 1;

  constructor(
    readonly url: string,
    readonly requests: string[][],
    private readonly handlers: ConnectionHandlers,
    private readonly marketNow: () => number,
    private readonly timing: ConnectionTiming = DEFAULT_CONNECTION_TIMING,
  ) {
    this.topics = new Set(requests.flat());
  }

  start(): void {
    this.#connect();
  }

  stop(): void {
    this.#setState('stopped');
    clearTimeout(this.#retry);
    clearTimeout(this.#watchdog);
    this.#stopTimers();
    this.#socket?.terminate();
  }

  #setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState(state);
  }

  #connect(): void {
    if (this.state === 'stopped') return;
    const startedAt = Date.now();
    this.handlers.onLog(`connecting to ${this.url}${this.reconnects > 0 ? ` (reconnect ${this.reconnects})` : ''}`);
    // No handshakeTimeout of ws's own: it times an idle socket, and the watchdog below bounds the whole attempt.
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    this.#watchdog = setTimeout(() => {
      const unanswered =
        this.state === 'subscribing' ? `, ${this.#pendingRequests.size} of ${this.requests.length} subscribe requests unanswered` : '';
      const within =
        this.timing.liveWithinMs < 1000 ? `${this.timing.liveWithinMs} ms` : `${Math.round(this.timing.liveWithinMs / 1000)} s`;
      this.#abandon(socket, `not live ${within} after connecting (still ${this.state}${unanswered})`);
    }, this.timing.liveWithinMs);
    socket.on('open', () => {
      this.handlers.onLog(`open after ${Date.now() - startedAt} ms; subscribing (${this.requests.length} requests)`);
      this.#opened(socket);
    });
    socket.on('message', (data, isBinary) => {
      if (socket === this.#socket) this.#received(isBinary ? '' : String(data));
    });
    // 'close' follows an error and schedules the reconnect; the error says why the link went.
    socket.on('error', (err) => {
      if (socket !== this.#socket) return;
      this.lastError = err.message;
      this.handlers.onLog(`error: ${err.message}`);
    });
    socket.on('close', (code, reason) => {
      if (socket !== this.#socket) return;
      const closed = `${code}${reason.length > 0 ? ` ${String(reason)}` : ''}`;
      if (this.lastError === undefined && code !== 1006) this.lastError = `closed by the exchange (${closed})`;
      this.#lost(this.lastError ?? `closed (${closed})`);
    });
  }

  #opened(socket: WebSocket): void {
    this.lastMessageAt = Date.now();
    this.#setState('subscribing');
    this.#pendingRequests.clear();
    for (const topics of this.requests) {
      const reqId = `sub-${this.#nextReqId++}`;
      this.#pendingRequests.set(reqId, topics);
      socket.send(JSON.stringify({ req_id: reqId, op: 'subscribe', args: topics } satisfies z.input<typeof SubscribeRequest>));
    }
    this.#stopTimers();
    this.#pinger = setInterval(
      () => socket.send(JSON.stringify({ op: 'ping' } satisfies z.input<typeof PingRequest>)),
      this.timing.pingIntervalMs,
    );
    // The link is looked at every quarter of the dead time.
    this.#heartbeat = setInterval(
      () => {
        if (Date.now() - this.lastMessageAt <= this.timing.deadAfterMs) return;
        this.#abandon(socket, `no pong and no data for ${Math.round(this.timing.deadAfterMs / 1000)} s`);
      },
      Math.max(5, this.timing.deadAfterMs / 4),
    );
  }

  /** Tears down a link that is not doing its job and reconnects; its own events are ignored from now on. */
  #abandon(socket: WebSocket, why: string): void {
    if (socket !== this.#socket) return;
    this.lastError = why;
    this.#socket = undefined;
    socket.terminate();
    this.#lost(why);
  }

  #stopTimers(): void {
    clearInterval(this.#pinger);
    clearInterval(this.#heartbeat);
  }

  #lost(why: string): void {
    clearTimeout(this.#watchdog);
    this.#stopTimers();
    if (this.state === 'stopped') return;
    const was = this.state;
    const delay = backoffDelay(this.#attempt++, this.timing.reconnectBaseMs, this.timing.reconnectMaxMs);
    this.handlers.onLog(`lost (${why}) while ${was}; reconnecting in ${delay} ms`);
    this.#setState('reconnecting');
    this.#retry = setTimeout(() => {
      this.reconnects++;
      this.#setState('connecting');
      this.#connect();
    }, delay);
  }

  #received(text: string): void {
    const receivedAt = performance.now();
    this.lastMessageAt = Date.now();
    const frame = readFrame(text, {
      isSubscribed: (topic) => this.topics.has(topic),
      lastStart: (topic) => this.#lastStart.get(topic),
      now: this.marketNow(),
    });
    switch (frame.kind) {
      case 'kline': {
        this.handlers.onMessage(frame.topic);
        for (const reject of frame.rejects) this.handlers.onReject(reject);
        const newest = frame.candles.at(-1);
        if (newest !== undefined) {
          this.#lastStart.set(frame.topic, newest.time);
          this.handlers.onCandles(frame.topic, frame.symbol, frame.interval, frame.candles, receivedAt);
        }
        return;
      }
      case 'op':
        this.handlers.onMessage(undefined);
        if (frame.op === 'subscribe') this.#acknowledged(frame.reqId, frame.success, frame.message);
        return;
      case 'pong':
        this.handlers.onMessage(undefined);
        return;
      case 'rejected':
        this.handlers.onMessage(frame.rejects[0]?.topic);
        for (const reject of frame.rejects) this.handlers.onReject(reject);
    }
  }

  #acknowledged(reqId: string | undefined, success: boolean, message: string): void {
    // Some failure replies carry no req_id (spot "args size >10"); replies come in request order.
    const id = reqId !== undefined && this.#pendingRequests.has(reqId) ? reqId : this.#pendingRequests.keys().next().value;
    const topics = id === undefined ? [] : (this.#pendingRequests.get(id) ?? []);
    if (id !== undefined) this.#pendingRequests.delete(id);
    if (!success) this.handlers.onSubscribeFailed(topics, message);
    if (this.#pendingRequests.size > 0 || this.state !== 'subscribing') return;
    clearTimeout(this.#watchdog);
    this.#attempt = 0;
    this.lastError = undefined;
    this.#setState('live');
    this.handlers.onLog(`live: ${this.requests.length} subscribe requests acknowledged`);
    this.handlers.onLive(this.#connectedOnce);
    this.#connectedOnce = true;
  }
}
