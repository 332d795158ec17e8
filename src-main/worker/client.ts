/** The engine's handle on the model worker thread (src-main/worker/model-worker.ts). */
import type { z } from 'zod';
import type { CamMethodName } from '../explain/explainer';
import type { Candle } from '../ipc/contract';
import type { BackendName, BackendOptions } from '../model/backend';
import type { TrainJob } from '../training/job';
import {
  BacktestResultSchema,
  CancelResultSchema,
  InitResultSchema,
  LoadResultSchema,
  ScoreResultSchema,
  TrainResultSchema,
  WorkerReplySchema,
  type BacktestResultValue,
  type LoadResult,
  type ScoreResult,
  type WorkerRequest,
} from './protocol';
import type { TrainProgress } from '../ipc/contract';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: TrainProgress) => void;
  onBacktestProgress?: (done: number, total: number) => void;
}

export class ModelWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;

  constructor() {
    this.#worker = spawnWorker('model-worker', 'src-main/worker/model-worker.ts');
    this.#worker.on('message', (raw: unknown) => {
      const reply = WorkerReplySchema.safeParse(raw);
      if (!reply.success) return;
      const pending = this.#pending.get(reply.data.id);
      if (pending === undefined) return;
      if (reply.data.kind === 'progress') {
        pending.onProgress?.(reply.data.progress);
        return;
      }
      if (reply.data.kind === 'backtest-progress') {
        pending.onBacktestProgress?.(reply.data.done, reply.data.total);
        return;
      }
      this.#pending.delete(reply.data.id);
      if (reply.data.kind === 'error') pending.reject(new Error(reply.data.message));
      else pending.resolve(reply.data.value);
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const p of this.#pending.values()) p.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => fail(new Error(`model worker failed: ${err.message}`)));
    this.#worker.on('exit', (code) => fail(new Error(`model worker exited (code ${code})`)));
  }

  #call<S extends z.ZodType>(
    request: WorkerRequest,
    schema: S,
    progress: Pick<Pending, 'onProgress' | 'onBacktestProgress'> = {},
  ): Promise<z.output<S>> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, {
        resolve: (value) => {
          const parsed = schema.safeParse(value);
          if (parsed.success) resolve(parsed.data);
          else reject(new Error(`model worker: malformed ${request.type} reply`));
        },
        reject,
        ...progress,
      });
      this.#worker.postMessage(request);
    });
  }

  #id(): number {
    return this.#nextId++;
  }

  async init(backends: BackendName[], options: BackendOptions = {}): Promise<BackendName> {
    return (await this.#call({ id: this.#id(), type: 'init', backends, ...options }, InitResultSchema)).backend;
  }

  load(path: string): Promise<LoadResult> {
    return this.#call({ id: this.#id(), type: 'load', path }, LoadResultSchema);
  }

  score(
    history: Candle[],
    stepMs: number,
    method: CamMethodName,
    options: { layer?: number; target?: number; modelPath?: string } = {},
  ): Promise<ScoreResult> {
    return this.#call({ id: this.#id(), type: 'score', history, stepMs, method, ...options }, ScoreResultSchema);
  }

  /** Starts training; `cancel` asks the worker to stop at the next batch (nothing is saved). */
  train(
    job: TrainJob,
    candles: Candle[],
    onProgress: (p: TrainProgress) => void,
  ): { id: number; result: Promise<z.output<typeof TrainResultSchema>>; cancel: () => Promise<void> } {
    const id = this.#id();
    const result = this.#call({ id, type: 'train', job, candles }, TrainResultSchema, { onProgress });
    return {
      id,
      result,
      cancel: () => this.#cancel(id),
    };
  }

  /** Trades a model over candles; `cancel` stops it at the next batch (the result then rejects). */
  backtest(
    request: Omit<Extract<WorkerRequest, { type: 'backtest' }>, 'id' | 'type'>,
    onProgress: (done: number, total: number) => void,
  ): { result: Promise<BacktestResultValue>; cancel: () => Promise<void> } {
    const id = this.#id();
    const result = this.#call({ id, type: 'backtest', ...request }, BacktestResultSchema, { onBacktestProgress: onProgress });
    return { result, cancel: () => this.#cancel(id) };
  }

  async #cancel(job: number): Promise<void> {
    await this.#call({ id: this.#id(), type: 'cancel', job }, CancelResultSchema);
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
