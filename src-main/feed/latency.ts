/**
 * The feed's added latency, frame received → stored → event delivered, over its most recent frames:
 * what a trader needs to trust that the chart is not lagging the exchange.
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #count = 0;

  constructor(readonly size = 4096) {
    this.#samples = new Float64Array(size);
  }

  /** Forgets the samples so far (e.g. those taken while a backfill was being written). */
  clear(): void {
    this.#count = 0;
  }

  record(ms: number): void {
    this.#samples[this.#count % this.size] = ms;
    this.#count++;
  }

  /** p50 and p99 in ms of the recent samples, and how many they are; null before the first. */
  summary(): { p50Ms: number; p99Ms: number; frames: number } | null {
    const n = Math.min(this.#count, this.size);
    if (n === 0) return null;
    const sorted = this.#samples.slice(0, n).sort();
    const at = (p: number) => sorted[Math.min(n - 1, Math.floor((n * p) / 100))] ?? NaN;
    return { p50Ms: at(50), p99Ms: at(99), frames: n };
  }
}
