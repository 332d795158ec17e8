/**
 * Request/reply calls to one of our worker threads, shared by the model worker's client and the
 * backtest's explain pool. Each request carries an id; replies, validated on arrival, find their
 * call by it; a call may take several replies (progress) before its last. When the thread fails or
 * exits, every open call is rejected, and so is every later one.
 */
import type { Worker } from 'node:worker_threads';
import type { z } from 'zod';

/**
 * Handles one reply to a call, settling it with `resolve` or `reject`; returns whether that was the
 * call's last reply.
 */
export type ReplyHandler<R, T> = (reply: R, resolve: (value: T) => void, reject: (error: Error) => void) => boolean;

interface OpenCall<R> {
  onReply: (reply: R) => boolean;
  reject: (error: Error) => void;
}

export class WorkerCalls<R extends { id: number }> {
  readonly #open = new Map<number, OpenCall<R>>();
  #nextId = 1;
  #failure: Error | undefined;
  /** Resolves with the thread's failure (never rejects, so nobody has to wait on it). */
  readonly failed: Promise<Error>;

  constructor(
    readonly worker: Worker,
    replies: z.ZodType<R>,
    label: string,
  ) {
    worker.on('message', (raw: unknown) => {
      const reply = replies.safeParse(raw);
      if (!reply.success) return;
      const call = this.#open.get(reply.data.id);
      if (call?.onReply(reply.data)) this.#open.delete(reply.data.id);
    });
    this.failed = new Promise((resolve) => {
      const fail = (error: Error) => {
        this.#failure ??= error;
        for (const call of this.#open.values()) call.reject(error);
        this.#open.clear();
        resolve(error);
      };
      worker.on('error', (err) => fail(new Error(`${label} failed: ${err.message}`)));
      worker.on('exit', (code) => fail(new Error(`${label} exited (code ${code})`)));
    });
  }

  /** Calls still waiting for their last reply. */
  get open(): number {
    return this.#open.size;
  }

  nextId(): number {
    return this.#nextId++;
  }

  /** Posts `request` (its id from nextId) and settles as `onReply` says. */
  call<T>(request: { id: number }, onReply: ReplyHandler<R, T>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<T>((resolve, reject) => {
      this.#open.set(request.id, { onReply: (reply) => onReply(reply, resolve, reject), reject });
      this.worker.postMessage(request, transfer);
    });
  }
}
