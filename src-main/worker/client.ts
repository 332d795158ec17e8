/** The engine's handle on the model worker thread (src-main/worker/model-worker.ts). */
import type { z } from 'zod';
import type { CamMethodName } from '../../src-shared/domain/signal';
import type { Candle } from '../../src-shared/domain/market';
import type { BackendName, BackendOptions } from '../model/backend';
import type { HeadName } from '../model/heads';
import { ScoreResultSchema, type ScoreResult } from '../scoring/explained-window';
import type { TrainJob } from '../training/job';
import {
  BacktestResultSchema,
  EmptyResultSchema,
  InitResultSchema,
  LoadResultSchema,
  TrainResultSchema,
  ViewResultSchema,
  WorkerReplySchema,
  type BacktestResultValue,
  type LoadResult,
  type TrainResult,
  type WorkerReply,
  type WorkerRequest,
} from './protocol';
import type { TrainProgress } from '../../src-shared/domain/model';
import { WorkerCalls } from '../threads/calls';
import { spawnWorker } from '../threads/spawn';

interface ProgressHandlers {
  onProgress?: (progress: TrainProgress) => void;
  onBacktestProgress?: (done: number, total: number) => void;
}

export class ModelWorker {
  readonly #calls: WorkerCalls<WorkerReply>;

  constructor() {
    this.#calls = new WorkerCalls(spawnWorker('model-worker', 'src-main/worker/model-worker.ts'), WorkerReplySchema, 'model worker');
  }

  #call<S extends z.ZodType>(request: WorkerRequest, schema: S, progress: ProgressHandlers = {}): Promise<z.output<S>> {
    return this.#calls.call<z.output<S>>(request, (reply, resolve, reject) => {
      switch (reply.kind) {
        case 'progress':
          progress.onProgress?.(reply.progress);
          return false;
        case 'backtest-progress':
          progress.onBacktestProgress?.(reply.done, reply.total);
          return false;
        case 'error':
          reject(new Error(reply.message));
          return true;
        case 'result': {
          const parsed = schema.safeParse(reply.value);
          if (parsed.success) resolve(parsed.data);
          else reject(new Error(`model worker: malformed ${request.type} reply`));
          return true;
        }
      }
    });
  }

  async init(backends: BackendName[], options: BackendOptions = {}): Promise<BackendName> {
    return (await this.#call({ id: this.#calls.nextId(), type: 'init', backends, ...options }, InitResultSchema)).backend;
  }

  load(path: string): Promise<LoadResult> {
    return this.#call({ id: this.#calls.nextId(), type: 'load', path }, LoadResultSchema);
  }

  /** Builds the model folder at `path` and runs one window through it; throws when that fails or is not finite. */
  async check(path: string): Promise<void> {
    await this.#call({ id: this.#calls.nextId(), type: 'check', path }, EmptyResultSchema);
  }

  score(
    history: Candle[],
    stepMs: number,
    method: CamMethodName,
    options: { layer?: number; head?: HeadName; target?: number; modelPath?: string; explainForecasts?: boolean } = {},
  ): Promise<ScoreResult> {
    return this.#call({ id: this.#calls.nextId(), type: 'score', history, stepMs, method, ...options }, ScoreResultSchema);
  }

  /** An image model's own view of the window `history` ends (../scoring/model-view). */
  view(
    history: Candle[],
    stepMs: number,
    method: CamMethodName,
    options: { layer?: number; head?: HeadName; target?: number; modelPath?: string } = {},
  ): Promise<z.output<typeof ViewResultSchema>> {
    return this.#call({ id: this.#calls.nextId(), type: 'view', history, stepMs, method, ...options }, ViewResultSchema);
  }

  /** Trains and saves a model; a run is stopped by closing its worker (see signals/training-jobs). */
  train(job: TrainJob, candles: Candle[], onProgress: (p: TrainProgress) => void): Promise<TrainResult> {
    return this.#call({ id: this.#calls.nextId(), type: 'train', job, candles }, TrainResultSchema, { onProgress });
  }

  /** Trades a model over candles; `cancel` stops it at the next batch (the result then rejects). */
  backtest(
    request: Omit<Extract<WorkerRequest, { type: 'backtest' }>, 'id' | 'type'>,
    onProgress: (done: number, total: number) => void,
  ): { result: Promise<BacktestResultValue>; cancel: () => Promise<void> } {
    const id = this.#calls.nextId();
    const result = this.#call({ id, type: 'backtest', ...request }, BacktestResultSchema, { onBacktestProgress: onProgress });
    return { result, cancel: () => this.#cancel(id) };
  }

  async #cancel(job: number): Promise<void> {
    await this.#call({ id: this.#calls.nextId(), type: 'cancel', job }, EmptyResultSchema);
  }

  async close(): Promise<void> {
    await this.#calls.worker.terminate();
  }
}
