/**
 * The engine's model side: the worker thread, the active model, live scoring of confirmed candles,
 * re-explaining stored signals, and training jobs. Whatever fails (a bad model file, a window that
 * is short or broken, NaN features) is reported and logged; the active model stays and nothing is
 * stored.
 */
import { availableParallelism } from 'node:os';
import type { CamMethodName } from '../../src-shared/domain/signal';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC, type FeatureSpec } from '../../src-shared/domain/feature-spec';
import { historyLength } from '../features/windows';
import { BACKEND_NAMES } from '../../src-shared/domain/model';
import { SIGNAL_CLASSES, type Signal } from '../../src-shared/domain/signal';
import type { BacktestRules } from '../../src-shared/domain/backtest';
import type { CallResponse, EventPayload } from '../../src-shared/contract/bridge';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { EventHub } from '../ipc/dispatch';
import { streamId } from '../store/candles';
import { intervalMs } from '../../src-shared/domain/intervals';
import type { BackendName } from '../model/backend';
import { defaultModelSpec } from '../model/spec';
import type { CandleStore } from '../store/candles';
import type { ModelRegistry } from '../store/models';
import type { SignalStore } from '../store/signals';
import { TrainJobSchema } from '../training/job';
import { ModelWorker } from '../worker/client';
import type { LoadResult, ScoreResult } from '../worker/protocol';
import type { ModelMetadata } from '../model/model-file';

export type ModelStatus = 'starting' | 'ready' | 'failed';

export interface ModelServiceOptions {
  store: CandleStore;
  signals: SignalStore;
  registry: ModelRegistry;
  events: EventHub;
  /** The model to load at start (a folder or a PyTorch-format JSON). */
  modelPath: string;
  /** Where trained models are written. */
  modelsDir: string;
  backends?: BackendName[];
  method?: CamMethodName;
  /**
   * The market's clock, when a feed runs: a confirmed candle older than one model window before it is
   * history a backfill brought in, not a live candle, and is not scored (replay or backtest it).
   */
  now?: () => number;
  /** Whether the candle still forming is scored too (read at each update: a preference). */
  provisional?: () => boolean;
  log?: (line: string) => void;
}

/** A stream's forming candle is scored at most this often; the latest state at that time counts. */
export const PROVISIONAL_EVERY_MS = 1000;

export class ModelService {
  readonly #worker = new ModelWorker();
  readonly #options: ModelServiceOptions;
  readonly #log: (line: string) => void;
  #status: ModelStatus = 'starting';
  #backend: BackendName | null = null;
  #model: LoadResult | null = null;
  #error: string | null = null;
  /** Scoring runs one window at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #trainings = new Map<number, () => Promise<void>>();
  #nextTrainingId = 1;
  /** Per stream, the forming candle waiting for its provisional scoring. */
  readonly #forming = new Map<string, { candleStart: number }>();
  readonly #backtests = new Map<string, () => Promise<void>>();
  readonly ready: Promise<void>;

  constructor(options: ModelServiceOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
    this.ready = this.#start();
  }

  async #start(): Promise<void> {
    try {
      this.#backend = await this.#worker.init(this.#backends());
      await this.useModel(this.#options.modelPath);
      this.#status = 'ready';
      this.#log(`model ${this.#model?.metadata.version} on tfjs backend ${this.#backend}`);
    } catch (err) {
      this.#status = 'failed';
      this.#error = (err as Error).message;
      this.#log(`model engine failed to start: ${this.#error}`);
    }
  }

  #backends(): BackendName[] {
    return this.#options.backends ?? [...BACKEND_NAMES];
  }

  info() {
    const model = this.#model;
    return {
      status: this.#status,
      backend: this.#backend,
      error: this.#error,
      model:
        model === null
          ? null
          : {
              version: model.metadata.version,
              path: model.path,
              channels: model.metadata.features?.channels ?? null,
              windowLength: model.metadata.spec.sequence_length,
              interval: model.metadata.dataRange?.interval ?? null,
              convs: model.metadata.spec.convs.map((c) => ({ filters: c.filters, kernelSize: c.kernel_size })),
              createdAt: model.metadata.createdAt,
            },
    };
  }

  /** Loads another model; on any failure the current one stays active and the error is thrown. */
  async useModel(path: string): Promise<void> {
    const loaded = await this.#worker.load(path);
    this.#model = loaded;
    this.#options.registry.register(path, loaded.metadata);
  }

  /**
   * Listener for 'candle.updated': scores every confirmed candle of a stream the model fits, and,
   * when asked, the candle still forming.
   */
  onCandle(payload: EventPayload<'candle.updated'>): void {
    const { candle, ...key } = payload;
    if (!candle.confirmed) return this.#scheduleProvisional(key, candle.time);
    if (this.#isHistory(key, candle.time)) return;
    this.#queue = this.#queue
      .then(() => this.ready)
      .then(() => this.scoreCandle(key, candle.time))
      .catch((err: Error) => this.#log(`no signal for ${key.symbol} ${key.interval} at ${candle.time}: ${err.message}`));
  }

  #isHistory(key: StreamKeyValue, candleStart: number): boolean {
    const now = this.#options.now;
    const windowLength = this.#model?.metadata.features?.windowLength;
    if (now === undefined || windowLength === undefined || key.interval === 'M') return false;
    return candleStart < now() - windowLength * intervalMs(key.interval);
  }

  /**
   * One provisional scoring per stream at a time, a second after the first update that asks for it,
   * of the forming candle as stored then. It queues behind confirmed candles, never ahead of them.
   */
  #scheduleProvisional(key: StreamKeyValue, candleStart: number): void {
    if (this.#options.provisional?.() !== true) return;
    const id = streamId(key);
    const waiting = this.#forming.get(id);
    if (waiting !== undefined) return void (waiting.candleStart = candleStart);
    this.#forming.set(id, { candleStart });
    setTimeout(() => {
      const forming = this.#forming.get(id);
      this.#forming.delete(id);
      if (forming === undefined) return;
      this.#queue = this.#queue
        .then(() => this.ready)
        .then(async () => {
          const explained = await this.#explain(key, forming.candleStart, this.#options.method ?? 'gradcam', { forming: true });
          this.#options.events.emit('signal.provisional', { ...explained, id: 0, confirmed: false });
        })
        // A stream the model does not fit would say so every second: the confirmed candle's log says it once.
        .catch(() => {});
    }, PROVISIONAL_EVERY_MS).unref();
  }

  /** The registered model `version` (the active one by default), checked to fit the stream. */
  #fitting(key: StreamKeyValue, version?: string): { metadata: ModelMetadata; path: string; features: FeatureSpec; stepMs: number } {
    const active = this.#requireModel();
    const chosen = version === undefined || version === active.metadata.version ? active : this.#options.registry.get(version);
    if (chosen === undefined) throw new Error(`no registered model ${version}`);
    const { metadata, path } = chosen;
    if (metadata.features === null) throw new Error(`model ${metadata.version} has no feature pipeline`);
    if (key.interval === 'M') throw new Error('monthly candles have no fixed length');
    const trainedOn = metadata.dataRange?.interval;
    if (trainedOn !== undefined && trainedOn !== key.interval)
      throw new Error(`model ${metadata.version} was trained on ${trainedOn} candles, not ${key.interval}`);
    return { metadata, path, features: metadata.features, stepMs: intervalMs(key.interval) };
  }

  /** The window's candles from the store, or from `revealed` (a replay's candles so far) when given. */
  #history(key: StreamKeyValue, candleStart: number, features: FeatureSpec, revealed?: (count: number) => readonly Candle[]): Candle[] {
    const needed = historyLength(features);
    const history = revealed === undefined ? this.#options.store.range(key, 0, candleStart, needed) : [...revealed(needed)];
    if (history.at(-1)?.time !== candleStart) throw new Error(`candle ${candleStart} is not in the store`);
    if (history.length < needed) throw new Error(`only ${history.length} candles up to ${candleStart}; a window needs ${needed}`);
    return history;
  }

  #requireModel(): LoadResult {
    if (this.#model === null) throw new Error(this.#error ?? 'the model is not loaded yet');
    return this.#model;
  }

  async #explain(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    options: { layer?: number; target?: number; forming?: boolean; modelVersion?: string } = {},
    revealed?: (count: number) => readonly Candle[],
  ): Promise<Omit<Signal, 'id'>> {
    const { forming, modelVersion, ...explainOptions } = options;
    const { metadata, path, features, stepMs } = this.#fitting(key, modelVersion);
    const history = this.#history(key, candleStart, features, revealed);
    // Windows hold closed candles only; a provisional signal scores the forming one as if it closed now.
    const scored = forming === true ? history.map((c) => (c.time === candleStart ? { ...c, confirmed: true } : c)) : history;
    const result = await this.#worker.score(scored, stepMs, method, { ...explainOptions, modelPath: path });
    return this.#signalOf(key, candleStart, method, metadata, result);
  }

  #signalOf(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    metadata: ModelMetadata,
    result: ScoreResult,
  ): Omit<Signal, 'id'> {
    const channels = metadata.features?.channels ?? [];
    return {
      ...key,
      candleStart,
      confirmed: true,
      modelVersion: metadata.version,
      predicted: SIGNAL_CLASSES[result.predicted] ?? 'hold',
      probabilities: result.probabilities,
      method,
      windowStarts: result.windowStarts,
      cam: result.cam,
      features: channels.map((name, i) => ({ name, attribution: result.attribution[i] ?? 0 })),
      candleFeatures: result.attributionByCandle,
      inputHash: result.inputHash,
      createdAt: Date.now(),
    };
  }

  /** Scores, explains, stores and pushes the signal of the window ending at `candleStart`. */
  async scoreCandle(key: StreamKeyValue, candleStart: number): Promise<Signal> {
    const signal = this.#options.signals.insert(await this.#explain(key, candleStart, this.#options.method ?? 'gradcam'));
    this.#options.events.emit('signal.created', signal);
    return signal;
  }

  /**
   * For replays: the signal live would have given for the window ending at the last of `revealed`,
   * by the same path, from those candles only, with the registered model `modelVersion` (the active
   * one by default); not stored. Undefined while the window is too short.
   */
  async explainRevealed(
    key: StreamKeyValue,
    revealed: (count: number) => readonly Candle[],
    modelVersion?: string,
  ): Promise<Signal | undefined> {
    const last = revealed(1)[0];
    if (last === undefined) return undefined;
    await this.ready;
    try {
      return { id: 0, ...(await this.#explain(key, last.time, this.#options.method ?? 'gradcam', { modelVersion }, revealed)) };
    } catch (err) {
      this.#log(`replay: no signal at ${last.time}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Re-explains a stored signal with another method or target, by the model that gave it, after
   * checking its candles are unchanged.
   */
  async explainStored(id: number, method: CamMethodName, options: { layer?: number; target?: number }): Promise<Signal> {
    const stored = this.#options.signals.get(id);
    if (stored === undefined) throw new Error(`no signal ${id}`);
    const key = { exchange: 'bybit' as const, category: stored.category, symbol: stored.symbol, interval: stored.interval };
    const fresh = await this.#explain(key, stored.candleStart, method, { ...options, modelVersion: stored.modelVersion });
    if (fresh.inputHash !== stored.inputHash)
      throw new Error(`the candles of signal ${id} changed since it was given (input hash differs)`);
    return { ...fresh, id, createdAt: stored.createdAt, confirmed: stored.confirmed };
  }

  /**
   * Backtests a registered model (the active one by default) over the stream's closed candles in
   * [from, to], in the worker; progress goes out as 'backtest.progress' events under `runId`.
   */
  async backtest(
    key: StreamKeyValue,
    request: { runId: string; from?: number; to?: number; modelVersion?: string; rules: BacktestRules },
  ): Promise<CallResponse<'backtest.run'>> {
    if (this.#backtests.has(request.runId)) throw new Error(`a backtest ${request.runId} is already running`);
    await this.ready;
    const { metadata, path, features, stepMs } = this.#fitting(key, request.modelVersion);
    const from = request.from ?? 0;
    const store = this.#options.store;
    // The candles before `from` that the first windows read, then the range itself.
    const warmup = from === 0 ? [] : store.range(key, 0, from - 1, historyLength(features) - 1);
    const range = [...store.closed(key, from, request.to)];
    // Checked before the warm-up is added: warm-up candles alone would be traded as the range.
    if (range.length === 0) throw new Error(`no closed ${key.symbol} ${key.interval} candles in that range`);
    const candles = [...warmup.filter((c) => c.confirmed), ...range];
    const run = this.#worker.backtest({ modelPath: path, candles, stepMs, from, rules: request.rules }, (done, total) =>
      this.#options.events.emit('backtest.progress', { runId: request.runId, done, total }),
    );
    this.#backtests.set(request.runId, run.cancel);
    try {
      const result = await run.result;
      return {
        ...result,
        runId: request.runId,
        trades: result.trades.map(({ explanation, ...trade }) => ({
          ...trade,
          explanation: { id: 0, ...this.#signalOf(key, trade.signal.candleStart, 'gradcam', metadata, explanation) },
        })),
      };
    } finally {
      this.#backtests.delete(request.runId);
    }
  }

  async cancelBacktest(runId: string): Promise<boolean> {
    const cancel = this.#backtests.get(runId);
    if (cancel === undefined) return false;
    await cancel();
    return true;
  }

  /** Trains on a stream of the store in the worker; progress and the outcome arrive as 'training.progress' events. */
  startTraining(key: StreamKeyValue, settings: { epochs: number; stride: number }): number {
    if (key.interval === 'M') throw new Error('monthly candles have no fixed length');
    const candles = [...this.#options.store.closed(key)];
    const job = TrainJobSchema.parse({
      source: `store ${key.category} ${key.symbol} ${key.interval}`,
      interval: key.interval,
      features: DEFAULT_FEATURE_SPEC,
      labels: DEFAULT_LABEL_SPEC,
      convs: defaultModelSpec(DEFAULT_FEATURE_SPEC.channels.length, DEFAULT_FEATURE_SPEC.windowLength).convs,
      settings,
      modelsDir: this.#options.modelsDir,
    });
    const trainingId = this.#nextTrainingId++;
    const emit = (payload: Omit<EventPayload<'training.progress'>, 'trainingId'>) =>
      this.#options.events.emit('training.progress', { trainingId, ...payload });
    // A training thread of its own, on every core: live scoring keeps its thread (one wasm thread,
    // fastest for a single window) and is never queued behind a training step.
    const trainer = new ModelWorker();
    const run = trainer
      .init(this.#backends(), { threads: availableParallelism() })
      .then(() => trainer.train(job, candles, (p) => emit({ state: 'running', ...p })));
    this.#trainings.set(trainingId, async () => (await run).cancel());
    run
      .then(({ result }) => result)
      .then(({ dir, metadata }) => {
        this.#options.registry.register(dir, metadata);
        emit({ state: 'done', version: metadata.version });
      })
      .catch((err: Error) => emit({ state: /cancelled/.test(err.message) ? 'cancelled' : 'failed', error: err.message }))
      .finally(() => {
        this.#trainings.delete(trainingId);
        void trainer.close();
      });
    return trainingId;
  }

  async cancelTraining(id: number): Promise<boolean> {
    const cancel = this.#trainings.get(id);
    if (cancel === undefined) return false;
    await cancel();
    return true;
  }

  /** Resolves once every queued scoring job has finished. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  close(): Promise<void> {
    return this.#worker.close();
  }
}
