/**
 * The engine's model host: the model worker thread and the active model. It says which registered
 * model fits a stream, reads a window's candles, and explains a window by the shared recipe (in the
 * worker) for the live scorer, replays and re-explanations. Whatever fails (a bad model file, a
 * window that is short or broken, NaN features) is thrown with its reason; the active model stays.
 */
import { BACKEND_NAMES } from '../../src-shared/domain/model';
import { intervalMs } from '../../src-shared/domain/intervals';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { CamMethodName, Signal } from '../../src-shared/domain/signal';
import type { BackendName } from '../model/backend';
import { inputChannels, modelKind } from '../model/kinds';
import type { ModelWindow } from '../model/kinds/kind';
import type { ModelMetadata } from '../model/model-file';
import type { CandleStore } from '../store/candles';
import type { ModelRegistry } from '../store/models';
import type { SignalStore } from '../store/signals';
import { ModelWorker } from '../worker/client';
import type { LoadResult } from '../worker/protocol';
import { forecastExplanationsOf, signalOf, type ScoreResult } from '../scoring/explained-window';
import type { ForecastExplanation, ForecastHeadName } from '../../src-shared/domain/forecast-explanation';
import { iso } from '../../src-shared/domain/iso-time';
import type { ModelView } from '../../src-shared/domain/model-view';
import type { HeadName } from '../model/heads';
import { inputHash } from '../scoring/input-hash';

export type ModelStatus = 'starting' | 'ready' | 'failed';

export interface ModelHostOptions {
  store: CandleStore;
  signals: SignalStore;
  registry: ModelRegistry;
  /** The model to load at start (a folder or a PyTorch-format JSON). */
  modelPath: string;
  backends?: BackendName[];
  log?: (line: string) => void;
}

/** A registered model checked to fit a stream. */
export interface FittingModel {
  metadata: ModelMetadata;
  path: string;
  /** What its kind reads of the candles before a window's end. */
  window: ModelWindow;
  stepMs: number;
}

export interface ExplainOptions {
  layer?: number;
  /** A forecast head to explain instead of the direction call; `target` is then an output of it. */
  head?: ForecastHeadName;
  target?: number;
  /** The window ends at the candle still forming, scored as if it closed now. */
  forming?: boolean;
  /** The registered model to explain with; the active one by default. */
  modelVersion?: string;
}

/** Windows hold closed candles only; a provisional signal scores the forming one as if it closed now. */
function closedWindow(history: Candle[], candleStart: number, forming: boolean | undefined): Candle[] {
  return forming === true ? history.map((c) => (c.time === candleStart ? { ...c, confirmed: true } : c)) : history;
}

export class ModelHost {
  readonly worker = new ModelWorker();
  readonly #options: ModelHostOptions;
  readonly #log: (line: string) => void;
  #status: ModelStatus = 'starting';
  #backend: BackendName | null = null;
  #model: LoadResult | null = null;
  #error: string | null = null;
  /** Settles once the model at start has loaded or failed to. */
  readonly ready: Promise<void>;

  constructor(options: ModelHostOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
    this.ready = this.#start();
  }

  async #start(): Promise<void> {
    try {
      this.#backend = await this.worker.init(this.backends());
      await this.useModel(this.#options.modelPath);
      this.#status = 'ready';
      this.#log(`model ${this.#model?.metadata.version} on tfjs backend ${this.#backend}`);
    } catch (err) {
      this.#status = 'failed';
      this.#error = (err as Error).message;
      this.#log(`model engine failed to start: ${this.#error}`);
    }
  }

  backends(): BackendName[] {
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
              channels: inputChannels(model.metadata),
              windowLength: model.metadata.spec.sequence_length,
              interval: model.metadata.dataRange?.interval ?? null,
              convs: model.metadata.spec.convs.map((c) => ({ filters: c.filters, kernelSize: c.kernel_size })),
              createdAt: model.metadata.createdAt,
            },
    };
  }

  /** The active model's metadata, once one is loaded. */
  active(): ModelMetadata | undefined {
    return this.#model?.metadata;
  }

  /** Loads another model; on any failure the current one stays active and the error is thrown. */
  async useModel(path: string): Promise<void> {
    const loaded = await this.worker.load(path);
    this.#model = loaded;
    this.#options.registry.register(path, loaded.metadata);
  }

  /** The registered model `version` (the active one by default), checked to fit the stream. */
  fitting(key: StreamKeyValue, version?: string): FittingModel {
    const active = this.#requireModel();
    const chosen = version === undefined || version === active.metadata.version ? active : this.#options.registry.get(version);
    if (chosen === undefined) throw new Error(`no registered model ${version}`);
    const { metadata, path } = chosen;
    const window = modelKind(metadata.spec).window(metadata);
    if (key.interval === 'M') throw new Error('monthly candles have no fixed length');
    const trainedOn = metadata.dataRange?.interval;
    if (trainedOn !== undefined && trainedOn !== key.interval)
      throw new Error(`model ${metadata.version} was trained on ${trainedOn} candles, not ${key.interval}`);
    return { metadata, path, window, stepMs: intervalMs(key.interval) };
  }

  /** The window's candles from the store, or from `revealed` (a replay's candles so far) when given. */
  #history(key: StreamKeyValue, candleStart: number, window: ModelWindow, revealed?: (count: number) => readonly Candle[]): Candle[] {
    const needed = window.historyLength;
    const history = revealed === undefined ? this.#options.store.range(key, 0, candleStart, needed) : [...revealed(needed)];
    if (history.at(-1)?.time !== candleStart) throw new Error(`candle ${iso(candleStart)} is not in the store`);
    if (history.length < needed) throw new Error(`only ${history.length} candles up to ${iso(candleStart)}; a window needs ${needed}`);
    return history;
  }

  #requireModel(): LoadResult {
    if (this.#model === null) throw new Error(this.#error ?? 'the model is not loaded yet');
    return this.#model;
  }

  /** The explained signal of the window of `key` ending at `candleStart`, not stored. */
  async explain(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    options: ExplainOptions = {},
    revealed?: (count: number) => readonly Candle[],
  ): Promise<Omit<Signal, 'id'>> {
    const { metadata, result } = await this.#score(key, candleStart, method, options, false, revealed);
    return signalOf(key, candleStart, method, metadata, result, Date.now());
  }

  /**
   * What a stored signal keeps: the explained signal of the window ending at `candleStart`, with each
   * forecast head's output explained by the same method (none for a direction-only model).
   */
  async explainForStore(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    options: ExplainOptions = {},
  ): Promise<{ signal: Omit<Signal, 'id'>; forecastExplanations: ForecastExplanation[] }> {
    const { metadata, result } = await this.#score(key, candleStart, method, options, true);
    return {
      signal: signalOf(key, candleStart, method, metadata, result, Date.now()),
      forecastExplanations: forecastExplanationsOf(metadata.features?.channels ?? [], result),
    };
  }

  async #score(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    options: ExplainOptions,
    explainForecasts: boolean,
    revealed?: (count: number) => readonly Candle[],
  ): Promise<{ metadata: ModelMetadata; result: ScoreResult }> {
    const { forming, modelVersion, ...explainOptions } = options;
    const { metadata, path, window, stepMs } = this.fitting(key, modelVersion);
    const scored = closedWindow(this.#history(key, candleStart, window, revealed), candleStart, forming);
    const result = await this.worker.score(scored, stepMs, method, { ...explainOptions, modelPath: path, explainForecasts });
    return { metadata, result };
  }

  /**
   * For replays: the signal live would have given for the window ending at the last of `revealed`,
   * by the same path, from those candles only, with the registered model `modelVersion` (the active
   * one by default), explained by the method `methodOf` that model (as live explains it); not stored.
   * Undefined while the window is too short.
   */
  async explainRevealed(
    key: StreamKeyValue,
    revealed: (count: number) => readonly Candle[],
    methodOf: (model: ModelMetadata) => CamMethodName,
    modelVersion?: string,
  ): Promise<Signal | undefined> {
    const last = revealed(1)[0];
    if (last === undefined) return undefined;
    await this.ready;
    try {
      const method = methodOf(this.fitting(key, modelVersion).metadata);
      return { id: 0, ...(await this.explain(key, last.time, method, { modelVersion }, revealed)) };
    } catch (err) {
      this.#log(`replay: no signal at ${last.time}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Re-explains a stored signal with another method or target (or one of its forecast heads), by the
   * model that gave it, after checking its candles are unchanged.
   */
  async explainStored(
    id: number,
    method: CamMethodName,
    options: { layer?: number; head?: ForecastHeadName; target?: number },
  ): Promise<Signal> {
    const stored = this.#stored(id);
    const fresh = await this.explain(stored.key, stored.signal.candleStart, method, {
      ...options,
      modelVersion: stored.signal.modelVersion,
    });
    return this.#sameInputs(stored.signal, fresh);
  }

  /** Re-runs a stored signal as it was stored (its method, its forecasts explained), after checking its candles are unchanged. */
  async rescoreStored(id: number): Promise<{ signal: Signal; forecastExplanations: ForecastExplanation[] }> {
    const { signal, key } = this.#stored(id);
    const fresh = await this.explainForStore(key, signal.candleStart, signal.method, { modelVersion: signal.modelVersion });
    return { signal: this.#sameInputs(signal, fresh.signal), forecastExplanations: fresh.forecastExplanations };
  }

  /**
   * A stored signal's window as its model reads it (an image model's picture and its CAM over the
   * cells), explained by `method` (the signal's own by default) by the model that gave it, after
   * checking its candles are unchanged.
   */
  async viewStored(
    id: number,
    method: CamMethodName | undefined,
    options: { layer?: number; head?: HeadName; target?: number },
  ): Promise<ModelView> {
    const { signal, key } = this.#stored(id);
    return this.viewWindow(key, signal.candleStart, method ?? signal.method, { ...options, modelVersion: signal.modelVersion }, (history) =>
      this.#unchanged(signal, inputHash(history)),
    );
  }

  /**
   * The window of `key` ending at `candleStart` as the model `modelVersion` (the active one by default)
   * reads it, explained by `method`: what a replayed or forming candle's signal, not stored, saw.
   */
  async viewWindow(
    key: StreamKeyValue,
    candleStart: number,
    method: CamMethodName,
    options: Omit<ExplainOptions, 'head'> & { head?: HeadName },
    check: (history: readonly Candle[]) => void = () => {},
  ): Promise<ModelView> {
    const { forming, modelVersion, ...explainOptions } = options;
    const { metadata, path, window, stepMs } = this.fitting(key, modelVersion);
    const history = this.#history(key, candleStart, window);
    check(history);
    const scored = closedWindow(history, candleStart, forming);
    const view = await this.worker.view(scored, stepMs, method, { ...explainOptions, modelPath: path });
    return { modelVersion: metadata.version, ...view };
  }

  #stored(id: number): { signal: Signal; key: StreamKeyValue } {
    const signal = this.#options.signals.get(id);
    if (signal === undefined) throw new Error(`no signal ${id}`);
    return { signal, key: { exchange: 'bybit', category: signal.category, symbol: signal.symbol, interval: signal.interval } };
  }

  #unchanged(stored: Signal, hash: string): void {
    if (hash !== stored.inputHash) throw new Error(`the candles of signal ${stored.id} changed since it was given (input hash differs)`);
  }

  #sameInputs(stored: Signal, fresh: Omit<Signal, 'id'>): Signal {
    this.#unchanged(stored, fresh.inputHash);
    return { ...fresh, id: stored.id, createdAt: stored.createdAt, confirmed: stored.confirmed };
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
