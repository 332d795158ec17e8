/**
 * Coalesces candle updates from every source (pushes, backfill pages) and writes them in one
 * transaction per event-loop turn, or sooner for pushes under light load (see `put`). Within a batch
 * only the newest state of each candle is kept and a confirmation is never replaced by an open
 * update. Each candle that changed a row is announced as 'candle.updated', in time order per
 * stream, after its transaction committed.
 */
import type { Candle, StreamKeyValue } from '../ipc/contract';
import type { EventHub } from '../ipc/dispatch';
import { streamId, type CandleStore } from '../store/candles';
import { LatencyWindow } from './latency';

/**
 * Under light load, how long a pushed frame may wait for the frames read after it before its batch
 * is written: libuv reads a socket for as long as data keeps coming, so without a bound the first
 * push of a burst waits until the exchange has sent the last.
 */
export const MAX_PUSH_WAIT_MS = 0.25;
/**
 * Pushes per second above which batches are written once per turn only: each early write is a
 * commit of its own, which under a firehose halved the updates written per second.
 */
export const LIGHT_LOAD_MAX_PUSHES_PER_S = 10_000;
/** How long a write the store refused waits before it is tried again. */
export const WRITE_RETRY_MS = 250;
/** The push rate is counted over windows this long. */
const RATE_WINDOW_MS = 100;

interface Pending {
  key: StreamKeyValue;
  candles: Map<number, Candle>;
}

export class CandleWriter {
  readonly #pending = new Map<string, Pending>();
  #scheduled: NodeJS.Immediate | undefined;
  #endOfReadQueued = false;
  /** Totals for health and benchmarks. */
  readonly stats = { transactions: 0, rowsChanged: 0 };
  /** Frame received → stored → event delivered, for pushed frames (a backfill page has no such latency). */
  readonly latency = new LatencyWindow();
  /** When each pushed frame waiting in this batch arrived, on `now`. */
  #receivedAt: number[] = [];
  #rateWindowStart = -Infinity;
  #pushesInWindow = 0;
  /** Pushes per second over the last whole window. */
  #pushRate = 0;

  readonly #now: () => number;
  readonly #log: (line: string) => void;
  readonly #afterCommit: () => void;
  /** Set while a failed write waits to be tried again. */
  #retry: NodeJS.Timeout | undefined;

  /**
   * @param options.now the clock `receivedAt` is read on; tests pass their own to control how long a
   *   push waited
   * @param options.afterCommit called after each committed batch (the feed bounds the WAL there)
   */
  constructor(
    private readonly store: CandleStore,
    private readonly events: EventHub,
    options: { now?: () => number; log?: (line: string) => void; afterCommit?: () => void } = {},
  ) {
    this.#now = options.now ?? (() => performance.now());
    this.#log = options.log ?? (() => {});
    this.#afterCommit = options.afterCommit ?? (() => {});
  }

  /**
   * Queues `candles` for the next write. A pushed frame passes `receivedAt`, read on the writer's
   * clock. Under light load a push is written once the socket read that brought it has been handled
   * (before the loop goes on to other sockets' data), or at once when the oldest push waiting has
   * waited MAX_PUSH_WAIT_MS: a burst of frames read together is stored in slices. Otherwise the
   * batch is written at the end of the event-loop turn.
   */
  put(key: StreamKeyValue, candles: readonly Candle[], receivedAt?: number): void {
    const id = streamId(key);
    let pending = this.#pending.get(id);
    if (pending === undefined) this.#pending.set(id, (pending = { key, candles: new Map() }));
    for (const candle of candles) {
      if (pending.candles.get(candle.time)?.confirmed === true && !candle.confirmed) continue;
      pending.candles.set(candle.time, candle);
    }
    if (receivedAt !== undefined) this.#receivedAt.push(receivedAt);
    // The store refused the last write: everything waits for the retry instead of blocking on it again.
    if (this.#retry !== undefined) return;
    if (receivedAt !== undefined) {
      const now = this.#now();
      this.#countPush(now);
      if (this.#pushRate <= LIGHT_LOAD_MAX_PUSHES_PER_S) {
        if (now - (this.#receivedAt[0] as number) >= MAX_PUSH_WAIT_MS) this.flush();
        else if (!this.#endOfReadQueued) {
          // Node runs next-tick callbacks as soon as the callback that delivered this read returns.
          this.#endOfReadQueued = true;
          process.nextTick(() => {
            this.#endOfReadQueued = false;
            this.flush();
          });
        }
        return;
      }
    }
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  #countPush(now: number): void {
    const elapsed = now - this.#rateWindowStart;
    if (elapsed >= RATE_WINDOW_MS) {
      this.#pushRate = Number.isFinite(elapsed) ? (this.#pushesInWindow * 1000) / elapsed : 0;
      this.#rateWindowStart = now;
      this.#pushesInWindow = 0;
    }
    this.#pushesInWindow++;
  }

  /**
   * Writes everything pending now; returns how many rows changed. When the store refuses the write
   * (e.g. locked by another process past its busy timeout), nothing is lost: the batch stays pending,
   * later updates merge into it, and it is written again WRITE_RETRY_MS later.
   */
  flush(): number {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#pending.size === 0) return 0;
    const batches = [...this.#pending.values()].map(({ key, candles }) => ({ key, candles: [...candles.values()] }));
    let changes;
    try {
      changes = this.store.writeChanges(batches);
    } catch (err) {
      if (!this.store.db.open) throw err; // closed under a running feed: a bug, not a busy store
      this.#log(`candle write failed (${(err as Error).message}); writing again in ${WRITE_RETRY_MS} ms`);
      this.#retry = setTimeout(() => this.flush(), WRITE_RETRY_MS);
      return 0;
    }
    this.#pending.clear();
    this.stats.transactions++;
    for (const { key, candles } of changes) {
      candles.sort((a, b) => a.time - b.time);
      this.stats.rowsChanged += candles.length;
      for (const candle of candles) this.events.emitValidated('candle.updated', { ...key, candle });
    }
    const delivered = this.#now();
    for (const at of this.#receivedAt) this.latency.record(delivered - at);
    this.#receivedAt = [];
    this.#afterCommit();
    return changes.reduce((n, c) => n + c.candles.length, 0);
  }
}
