/** The candles the chart holds for the stream on screen: pure bookkeeping, no drawing. */
import type { Candle } from '../../../src-shared/domain/market';
import { MAX_IN_MEMORY } from './chart-data';

/** Where a live candle went: onto the live edge, aside to be merged, or nowhere (older than memory). */
export type LivePlacement = 'edge' | 'behind' | 'dropped';

/**
 * Candles in memory for one stream, oldest first: the loaded stream (up to MAX_IN_MEMORY), live
 * updates and history scrolled in from the store. Candles older than the live edge (a backfill or gap
 * repair) wait aside and are merged in one go. Another stream's candles replace everything, including
 * what waits aside and any history asked for before: those belong to the stream that was shown.
 */
export class CandleMemory {
  #candles: Candle[] = [];
  readonly #byTime = new Map<number, Candle>();
  #behindEdge: Candle[] = [];
  #generation = 0;

  get candles(): readonly Candle[] {
    return this.#candles;
  }

  /** Changes whenever another candle set replaces this one; history asked for before it is stale. */
  get generation(): number {
    return this.#generation;
  }

  /** The candle starting at `time` (ms), if held. */
  at(time: number): Candle | undefined {
    return this.#byTime.get(time);
  }

  /** Another stream (or a reload): drops what was held, what waited aside, and history in flight. */
  replace(list: readonly Candle[]): void {
    this.#generation++;
    this.#behindEdge = [];
    this.#set([...list]);
  }

  /** Updates the newest candle in place or appends one after it; an older candle waits aside. */
  placeLive(candle: Candle): LivePlacement {
    const last = this.#candles.at(-1);
    if (last !== undefined && candle.time < last.time) {
      // Older than a full memory: the store has it, and scrolling back loads it.
      if (this.#candles.length >= MAX_IN_MEMORY && candle.time < (this.#candles[0]?.time ?? 0)) return 'dropped';
      this.#behindEdge.push(candle);
      return 'behind';
    }
    this.#byTime.set(candle.time, candle);
    if (last?.time === candle.time) this.#candles[this.#candles.length - 1] = candle;
    else this.#candles.push(candle);
    return 'edge';
  }

  /** Merges the candles waiting aside, each replacing any held candle of the same start. */
  mergeBehindEdge(): void {
    const incoming = new Map(this.#behindEdge.map((c) => [c.time, c]));
    this.#behindEdge = [];
    this.#set([...this.#candles.filter((c) => !incoming.has(c.time)), ...incoming.values()].sort((a, b) => a.time - b.time));
  }

  /**
   * Adds history older than the oldest candle held, when it was asked for under the current
   * `generation`; returns how many candles were added.
   */
  prepend(older: readonly Candle[], askedAt: number): number {
    if (askedAt !== this.#generation) return 0;
    const first = this.#candles[0];
    const fitting = first === undefined ? older : older.filter((c) => c.time < first.time);
    for (const c of fitting) this.#byTime.set(c.time, c);
    this.#candles = [...fitting, ...this.#candles];
    return fitting.length;
  }

  #set(list: Candle[]): void {
    this.#candles = list;
    this.#byTime.clear();
    for (const c of list) this.#byTime.set(c.time, c);
  }
}

/** Index of the first candle starting at or after `time` (ms) in a list in time order; -1 when none does. */
export function firstAtOrAfter(candles: readonly Candle[], time: number): number {
  let lo = 0;
  let hi = candles.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((candles[mid]?.time ?? 0) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo < candles.length ? lo : -1;
}
