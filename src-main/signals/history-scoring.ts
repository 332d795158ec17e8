/**
 * Scores the newest stored windows of a stream in the background, newest first, so that a first run
 * (the bundled sample, offline) shows explained signals without a replay or a backtest. One window at
 * a time: the model worker interleaves the live scorer's windows between ours, so live scoring waits
 * at most one window. Signals are stored exactly as live stores them, so `audit --verify` reproduces them.
 */
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { CamMethodName, Signal } from '../../src-shared/domain/signal';
import type { CandleStore } from '../store/candles';
import type { SignalStore } from '../store/signals';
import type { ModelHost } from './model-host';

/** Windows scored at most: enough to fill the first screens of a chart within seconds. */
export const HISTORY_WINDOWS = 500;

export interface HistoryScoringOptions {
  host: ModelHost;
  store: CandleStore;
  signals: SignalStore;
  /** Read as each window is scored. */
  method: CamMethodName;
  /** Each signal once stored (the renderers show it). */
  publish: (signal: Signal) => void;
  /** Windows scored (or found unscorable) of those planned; called once with done 0 before the first. */
  progress: (key: StreamKeyValue, done: number, total: number) => void;
  limit?: number;
  log?: (line: string) => void;
}

export class HistoryScoring {
  readonly #options: HistoryScoringOptions;
  #stopped = false;

  constructor(options: HistoryScoringOptions) {
    this.#options = options;
  }

  /** Scores the newest windows of `key`, newest first; resolves with the number of signals stored. */
  async score(key: StreamKeyValue): Promise<number> {
    const { host, store, signals, publish, progress, limit = HISTORY_WINDOWS, log = () => {} } = this.#options;
    await host.ready;
    let needed: number;
    try {
      needed = host.fitting(key).window.historyLength;
    } catch (err) {
      log(`no signals for the history of ${key.symbol} ${key.interval}: ${(err as Error).message}`);
      return 0;
    }
    const candles = store.range(key, 0, Number.MAX_SAFE_INTEGER, limit + needed - 1).filter((c) => c.confirmed);
    // A window needs `needed` candles up to its last one: the oldest candles only serve as history.
    const ends = candles
      .slice(needed - 1)
      .map((c) => c.time)
      .reverse();
    let stored = 0;
    progress(key, 0, ends.length);
    for (const [i, candleStart] of ends.entries()) {
      if (this.#stopped) break;
      try {
        const explained = await host.explainForStore(key, candleStart, this.#options.method);
        const signal = signals.insertWithForecasts(explained.signal, explained.forecastExplanations);
        stored++;
        publish(signal);
      } catch (err) {
        if (this.#stopped) break;
        // A window across a break in the series has no signal, live or here.
        log(`no signal for ${key.symbol} ${key.interval} at ${new Date(candleStart).toISOString()}: ${(err as Error).message}`);
      }
      progress(key, i + 1, ends.length);
    }
    log(`scored the newest ${stored} windows of ${key.symbol} ${key.interval}`);
    return stored;
  }

  /** Stops after the window being scored (the engine is closing). */
  stop(): void {
    this.#stopped = true;
  }
}
