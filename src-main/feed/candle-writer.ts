/**
 * Coalesces candle updates from every source (pushes, backfill pages) and writes them in one
 * transaction per event-loop turn, or sooner for pushes under light load (see `put`). Within a batch
 * only the newest state of each candle is kept until it is confirmed. The first confirmation is
 * final however the updates were batched: a later confirmation in the same batch is written after
 * it, so the store judges it as one that comes in a later batch (a conflict when its values differ,
 * reported to `onConflict`; nothing when they are the same), and an open update after it is dropped.
 * Each candle that changed a row is published as 'candle.updated' on the engine's bus, in time order
 * per stream, after its transaction committed.
 */
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { EngineBus } from '../bus/bus';
import { streamId, type CandleStore, type ConfirmationConflict } from '../store/candles';
import { LatencyWindow } from './latency';
import type { Reject } from '../market/bybit/protocol';

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

const ohlcv = (c: Candle) => `${c.open}/${c.high}/${c.low}/${c.close}/${c.volume}`;

/** A conflict as health counts it, its reason naming both versions. */
export function conflictReject({ key, kept, refused }: ConfirmationConflict): Reject {
  return {
    kind: 'conflicting_confirmation',
    reason: `${key.symbol} ${key.interval} candle ${kept.time} confirmed again as o/h/l/c/v ${ohlcv(refused)}; the first confirmation ${ohlcv(kept)} stays`,
  };
}

interface Pending {
  key: StreamKeyValue;
  candles: Map<number, Candle>;
  /** Confirmations of candles already confirmed in `candles`, in arrival order. */
  reconfirmations: Candle[];
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
  readonly #onConflict: (conflict: ConfirmationConflict) => void;
  readonly #afterCommit: () => void;
  /** Set while a failed write waits to be tried again. */
  #retry: NodeJS.Timeout | undefined;

  /**
   * @param options.now the clock `receivedAt` is read on; tests pass their own to control how long a
   *   push waited
   * @param options.onConflict told of each confirmation that differs from the one kept
   * @param options.afterCommit called after each committed batch (the feed bounds the WAL there)
   */
  constructor(
    private readonly store: CandleStore,
    private readonly bus: EngineBus,
    options: {
      now?: () => number;
      log?: (line: string) => void;
      onConflict?: (conflict: ConfirmationConflict) => void;
      afterCommit?: () => void;
    } = {},
  ) {
    this.#now = options.now ?? (() => performance.now());
    this.#log = options.log ?? (() => {});
    this.#onConflict = options.onConflict ?? (() => {});
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
    if (pending === undefined) this.#pending.set(id, (pending = { key, candles: new Map(), reconfirmations: [] }));
    for (const candle of candles) {
      if (pending.candles.get(candle.time)?.confirmed !== true) pending.candles.set(candle.time, candle);
      else if (candle.confirmed) pending.reconfirmations.push(candle);
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
    const batches = [...this.#pending.values()].map(({ key, candles, reconfirmations }) => ({
      key,
      candles: [...candles.values(), ...reconfirmations],
    }));
    let changes;
    const conflicts: ConfirmationConflict[] = [];
    try {
      changes = this.store.writeChanges(batches, (conflict) => conflicts.push(conflict));
    } catch (err) {
      if (!this.store.db.open) throw err; // closed under a running feed: a bug, not a busy store
      this.#log(`candle write failed (${(err as Error).message}); writing again in ${WRITE_RETRY_MS} ms`);
      this.#retry = setTimeout(() => this.flush(), WRITE_RETRY_MS);
      return 0;
    }
    this.#pending.clear();
    this.stats.transactions++;
    for (const conflict of conflicts) this.#onConflict(conflict);
    for (const { key, candles } of changes) {
      candles.sort((a, b) => a.time - b.time);
      this.stats.rowsChanged += candles.length;
      for (const candle of candles) this.bus.emit('candle.updated', { ...key, candle });
    }
    const delivered = this.#now();
    for (const at of this.#receivedAt) this.latency.record(delivered - at);
    this.#receivedAt = [];
    this.#afterCommit();
    return changes.reduce((n, c) => n + c.candles.length, 0);
  }
}
