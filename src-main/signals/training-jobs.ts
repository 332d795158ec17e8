/**
 * Training jobs: models trained from a stream of the store, one run at a time, each in a worker
 * thread of its own on every core (live scoring keeps its thread and never waits behind a training
 * step). A run asked for while another trains is queued, and says so ('queued' in
 * 'training.progress'); it reads its candles when it starts. At most MAX_QUEUED_TRAININGS wait; a
 * start beyond them is refused. A cancel is honoured: a queued run never starts, a running one has
 * its thread stopped, and neither reports 'done'.
 */
import { availableParallelism } from 'node:os';
import type { EventPayload } from '../../src-shared/contract/bridge';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { EventHub } from '../ipc/dispatch';
import type { BackendName } from '../model/backend';
import { defaultModelSpec } from '../model/spec';
import type { CandleStore } from '../store/candles';
import type { ModelRegistry } from '../store/models';
import { TrainJobSchema, type TrainJob } from '../training/job';
import { ModelWorker } from '../worker/client';
import type { TrainResult } from '../worker/protocol';

export interface TrainingJobsOptions {
  store: CandleStore;
  registry: ModelRegistry;
  events: EventHub;
  /** Where trained models are written. */
  modelsDir: string;
  backends: () => BackendName[];
}

interface Run {
  trainingId: number;
  key: StreamKeyValue;
  job: TrainJob;
  cancelled: boolean;
  /** Stops the run's thread; set once it runs. */
  stop?: () => Promise<void>;
}

/** Runs that may wait behind the one training; a start beyond them is refused. */
export const MAX_QUEUED_TRAININGS = 4;

type Progress = Omit<EventPayload<'training.progress'>, 'trainingId'>;

export class TrainingJobs {
  readonly #options: TrainingJobsOptions;
  readonly #queued: Run[] = [];
  #running: Run | undefined;
  #nextTrainingId = 1;

  constructor(options: TrainingJobsOptions) {
    this.#options = options;
  }

  #emit(run: Run, progress: Progress): void {
    this.#options.events.emit('training.progress', { trainingId: run.trainingId, ...progress });
  }

  /** Queues a run on `key`'s closed candles; it starts at once when no other run trains. */
  start(key: StreamKeyValue, settings: { epochs: number; stride: number }): number {
    if (key.interval === 'M') throw new Error('monthly candles have no fixed length');
    if (this.#queued.length >= MAX_QUEUED_TRAININGS)
      throw new Error(`${this.#queued.length} training runs are already waiting; cancel one or let them finish first`);
    const job = TrainJobSchema.parse({
      source: `store ${key.category} ${key.symbol} ${key.interval}`,
      interval: key.interval,
      features: DEFAULT_FEATURE_SPEC,
      labels: DEFAULT_LABEL_SPEC,
      convs: defaultModelSpec(DEFAULT_FEATURE_SPEC.channels.length, DEFAULT_FEATURE_SPEC.windowLength).convs,
      settings,
      modelsDir: this.#options.modelsDir,
    });
    const run: Run = { trainingId: this.#nextTrainingId++, key, job, cancelled: false };
    this.#queued.push(run);
    if (this.#running !== undefined) {
      this.#emit(run, { state: 'queued', stage: `waiting for training ${this.#running.trainingId} to finish` });
    }
    this.#startNext();
    return run.trainingId;
  }

  #startNext(): void {
    if (this.#running !== undefined) return;
    const run = this.#queued.shift();
    if (run === undefined) return;
    this.#running = run;
    void this.#train(run);
  }

  async #train(run: Run): Promise<void> {
    const trainer = new ModelWorker();
    run.stop = () => trainer.close();
    this.#emit(run, { state: 'running', stage: 'starting' });
    let trained: TrainResult | undefined;
    let failure = '';
    try {
      const candles = [...this.#options.store.closed(run.key)];
      await trainer.init(this.#options.backends(), { threads: availableParallelism() });
      trained = await trainer.train(run.job, candles, (p) => {
        if (!run.cancelled) this.#emit(run, { state: 'running', ...p });
      });
    } catch (err) {
      // A cancelled run's thread was stopped: its calls fail with the thread's exit.
      failure = (err as Error).message;
    }
    await trainer.close();
    // Told once the thread is gone, so that whoever starts a run on hearing it starts it at once. A
    // cancel that came after the last batch still wins: the folder it may have written stays unregistered.
    this.#running = undefined;
    if (run.cancelled) this.#emit(run, { state: 'cancelled', error: 'training was cancelled' });
    else if (trained === undefined) this.#emit(run, { state: 'failed', error: failure });
    else {
      this.#options.registry.register(trained.dir, trained.metadata);
      this.#emit(run, { state: 'done', version: trained.metadata.version });
    }
    this.#startNext();
  }

  /** Cancels a queued or running run; false when there is none by that id (or it has finished). */
  async cancel(trainingId: number): Promise<boolean> {
    const queued = this.#queued.findIndex((run) => run.trainingId === trainingId);
    if (queued !== -1) {
      const [run] = this.#queued.splice(queued, 1);
      if (run !== undefined) this.#emit(run, { state: 'cancelled', error: 'training was cancelled before it started' });
      return true;
    }
    const running = this.#running;
    if (running?.trainingId !== trainingId || running.cancelled) return false;
    running.cancelled = true;
    await running.stop?.();
    return true;
  }

  /** Cancels every run, queued or running. */
  async close(): Promise<void> {
    this.#queued.length = 0;
    if (this.#running !== undefined) {
      this.#running.cancelled = true;
      await this.#running.stop?.();
    }
  }
}
