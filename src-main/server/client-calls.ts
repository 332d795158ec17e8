/**
 * The calls of one WebSocket client, started one per turn of the event loop. Most handlers answer at
 * once, so a reply has reached the socket's buffer before the next call starts, and the server can
 * see a client that does not read before it computes more for it: 800 calls arriving together would
 * otherwise all be computed first, and their replies held, before the first one left.
 */

/** Calls received but not started, in characters, past which the client's socket is no longer read. */
export const MAX_WAITING_CHARS = 1 << 20;

export interface ClientCallsIo {
  /** Starts a call; its reply is sent when it is ready. */
  start(text: string): void;
  /** False when no more calls of this client should start (closed, or dropped as too slow). */
  canStart(): boolean;
  pauseReading(): void;
  resumeReading(): void;
}

export class ClientCalls {
  readonly #waiting: string[] = [];
  #waitingChars = 0;
  #readingPaused = false;
  #scheduled = false;
  #closed = false;

  constructor(private readonly io: ClientCallsIo) {}

  push(text: string): void {
    if (this.#closed) return;
    this.#waiting.push(text);
    this.#waitingChars += text.length;
    if (this.#waitingChars > MAX_WAITING_CHARS && !this.#readingPaused) {
      this.#readingPaused = true;
      this.io.pauseReading();
    }
    this.#schedule();
  }

  /** Forgets the calls not started yet. */
  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#waitingChars = 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startNext();
    });
  }

  #startNext(): void {
    if (this.#closed || !this.io.canStart()) return this.close();
    const text = this.#waiting.shift();
    if (text === undefined) return;
    this.#waitingChars -= text.length;
    if (this.#readingPaused && this.#waitingChars <= MAX_WAITING_CHARS) {
      this.#readingPaused = false;
      this.io.resumeReading();
    }
    this.io.start(text);
    this.#schedule();
  }
}
