/**
 * Sliding-window request limit (Bybit: 600 requests per 5 s per IP). The clock is injectable so a
 * replay on virtual time, and the tests, see the same arithmetic.
 */
/** How often a caller looks again when every place in the window is held by a request still in flight. */
const IN_FLIGHT_POLL_MS = 10;

export class SlidingWindowLimit {
  /** When each request of the window counted, ascending. */
  readonly #counted: number[] = [];
  #head = 0;
  #inFlight = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until one more request fits in the window; 0 when it fits now. */
  delay(): number {
    const now = this.now();
    while (this.#head < this.#counted.length && (this.#counted[this.#head] as number) <= now - this.windowMs) this.#head++;
    if (this.#head > 1024) {
      this.#counted.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#counted.length - this.#head + this.#inFlight < this.limit) return 0;
    const oldest = this.#counted[this.#head];
    return oldest === undefined ? IN_FLIGHT_POLL_MS : oldest + this.windowMs - now;
  }

  /** Counts a request now if it fits (a server counting what it receives); false, and nothing counted, when the window is full. */
  tryTake(): boolean {
    if (this.delay() > 0) return false;
    this.#counted.push(this.now());
    return true;
  }

  /**
   * Waits until a request fits and holds its place; the returned release, called once the reply
   * came, counts the request from that moment. Counting from the reply rather than the send keeps a
   * client inside the server's window however late the server saw the request.
   */
  async acquire(sleep: (ms: number) => Promise<void>): Promise<() => void> {
    while (this.delay() > 0) await sleep(Math.max(1, this.delay()));
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#counted.push(this.now());
    };
  }
}
