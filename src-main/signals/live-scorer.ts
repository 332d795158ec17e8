/**
 * The live scorer: listens to the corridor's stored candles, scores every confirmed candle of a
 * stream the active model fits (and, when asked, the candle still forming), stores the explained
 * signal and publishes it. A window that cannot be scored is logged and stores nothing.
 */
import { intervalMs } from '../../src-shared/domain/intervals';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { CamMethodName, Signal } from '../../src-shared/domain/signal';
import type { EngineBus } from '../bus/bus';
import { streamId } from '../store/candles';
import type { SignalStore } from '../store/signals';
import { measuredDefaultMethod } from './default-method';
import type { ModelMetadata } from '../model/model-file';
import type { ModelHost } from './model-host';

/** A stream's forming candle is scored at most this often; the latest state at that time counts. */
export const PROVISIONAL_EVERY_MS = 1000;

export interface LiveScorerOptions {
  host: ModelHost;
  signals: SignalStore;
  bus: EngineBus;
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

/**
 * Whether a confirmed candle that arrived at market time `arrivedAt` is history: it starts more than
 * one model window of `windowLength` candles before then.
 */
export function isHistory(key: StreamKeyValue, candleStart: number, arrivedAt: number, windowLength: number): boolean {
  if (key.interval === 'M') return false;
  return candleStart < arrivedAt - windowLength * intervalMs(key.interval);
}

export class LiveScorer {
  readonly #options: LiveScorerOptions;
  readonly #log: (line: string) => void;
  /** Scoring runs one window at a time, in arrival order. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Per stream, the forming candle waiting for its provisional scoring. */
  readonly #forming = new Map<string, { candleStart: number }>();
  readonly #unlisten: () => void;

  constructor(options: LiveScorerOptions) {
    this.#options = options;
    this.#log = options.log ?? (() => {});
    this.#unlisten = options.bus.listen('candle.updated', ({ candle, ...key }) =>
      candle.confirmed ? this.#scheduleConfirmed(key, candle.time) : this.#scheduleProvisional(key, candle.time),
    );
  }

  /** The method asked for, else the active model's measured default (./default-method). */
  get method(): CamMethodName {
    return this.methodFor(this.#options.host.active());
  }

  /** The method asked for, else `model`'s measured default: a replay by another model explains as that model's live path would. */
  methodFor(model: ModelMetadata | undefined): CamMethodName {
    return this.#options.method ?? measuredDefaultMethod(model);
  }

  /**
   * Queues the scoring of a confirmed candle. Whether it is history is judged on the market clock at
   * its arrival: at once when a model is loaded, else once it is (its window length is the measure),
   * so that a backfill landing while the model loads is history all the same.
   */
  #scheduleConfirmed(key: StreamKeyValue, candleStart: number): void {
    const arrivedAt = this.#options.now?.();
    const history = () => {
      const windowLength = this.#options.host.active()?.spec.sequence_length;
      return arrivedAt !== undefined && windowLength !== undefined && isHistory(key, candleStart, arrivedAt, windowLength);
    };
    if (history()) return;
    this.#queue = this.#queue
      .then(() => this.#options.host.ready)
      .then(() => (history() ? undefined : this.scoreCandle(key, candleStart)))
      .catch((err: Error) => this.#log(`no signal for ${key.symbol} ${key.interval} at ${candleStart}: ${err.message}`));
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
        .then(() => this.#options.host.ready)
        .then(async () => {
          const explained = await this.#options.host.explain(key, forming.candleStart, this.method, { forming: true });
          this.#options.bus.emit('signal.provisional', { ...explained, id: 0, confirmed: false });
        })
        // A stream the model does not fit would say so every second: the confirmed candle's log says it once.
        .catch(() => {});
    }, PROVISIONAL_EVERY_MS).unref();
  }

  /** Scores, explains, stores and publishes the signal of the window ending at `candleStart`, with its forecasts and their explanations. */
  async scoreCandle(key: StreamKeyValue, candleStart: number): Promise<Signal> {
    const explained = await this.#options.host.explainForStore(key, candleStart, this.method);
    const signal = this.#options.signals.insertWithForecasts(explained.signal, explained.forecastExplanations);
    this.#options.bus.emit('signal.stored', signal);
    return signal;
  }

  /** Resolves once every queued scoring job has finished. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  stop(): void {
    this.#unlisten();
  }
}
