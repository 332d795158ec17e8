/**
 * Sliding-window request limit (Bybit: 600 requests per 5 s per IP). The clock is injectable so a
 * replay on virtual time, and the tests, see the same arithmetic.
 */
export class SlidingWindowLimit {
  readonly #sent: number[] = [];
  #head = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until one more request fits in the window; 0 when it fits now. */
  delay(): number {
    const now = this.now();
    while (this.#head < this.#sent.length && (this.#sent[this.#head] as number) <= now - this.windowMs) this.#head++;
    if (this.#head > 1024) {
      this.#sent.splice(0, this.#head);
      this.#head = 0;
    }
    const inWindow = this.#sent.length - this.#head;
    return inWindow < this.limit ? 0 : (this.#sent[this.#head] as number) + this.windowMs - now;
  }

  /** Records a request if it fits; false (and nothing recorded) when the window is full. */
  tryTake(): boolean {
    if (this.delay() > 0) return false;
    this.#sent.push(this.now());
    return true;
  }

  /** Waits until a request fits, then records it. */
  async take(sleep: (ms: number) => Promise<void>): Promise<void> {
    while (!this.tryTake()) await sleep(Math.max(1, this.delay()));
  }
}
