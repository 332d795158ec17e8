/**
 * Backtest jobs: a registered model (the active one by default) traded over a stream's closed
 * candles in the model worker, by run id, with progress pushed as 'backtest.progress' and a cancel.
 */
import type { BacktestRules } from '../../src-shared/domain/backtest';
import type { CallResponse } from '../../src-shared/contract/bridge';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { HISTORICAL_WINDOW_HORIZONS } from '../evaluation/risk-evaluation';
import type { EventHub } from '../ipc/dispatch';
import type { CandleStore } from '../store/candles';
import { signalOf } from '../scoring/explained-window';
import type { ModelHost } from './model-host';

export interface BacktestRequest {
  runId: string;
  from?: number;
  to?: number;
  modelVersion?: string;
  rules: BacktestRules;
}

export class BacktestJobs {
  readonly #running = new Map<string, () => Promise<void>>();

  constructor(
    private readonly host: ModelHost,
    private readonly store: CandleStore,
    private readonly events: EventHub,
  ) {}

  /** Runs over the closed candles in [from, to]; progress goes out as 'backtest.progress' under `runId`. */
  async run(key: StreamKeyValue, request: BacktestRequest): Promise<CallResponse<'backtest.run'>> {
    if (this.#running.has(request.runId)) throw new Error(`a backtest ${request.runId} is already running`);
    await this.host.ready;
    const { metadata, path, window, stepMs } = this.host.fitting(key, request.modelVersion);
    const from = request.from ?? 0;
    // The candles before `from` that the first windows read (and, for a VaR head, that its backtest's
    // baselines are fitted on: historical simulation's window and more), then the range itself.
    const horizon = metadata.labels?.horizon ?? 0;
    const fitting = metadata.spec.heads?.var === undefined ? 0 : (HISTORICAL_WINDOW_HORIZONS + 50) * horizon;
    const warmup = from === 0 ? [] : this.store.range(key, 0, from - 1, Math.max(window.historyLength - 1, fitting));
    const range = [...this.store.closed(key, from, request.to)];
    // Checked before the warm-up is added: warm-up candles alone would be traded as the range.
    if (range.length === 0) throw new Error(`no closed ${key.symbol} ${key.interval} candles in that range`);
    const candles = [...warmup.filter((c) => c.confirmed), ...range];
    const run = this.host.worker.backtest({ modelPath: path, candles, stepMs, from, rules: request.rules }, (done, total) =>
      this.events.emit('backtest.progress', { runId: request.runId, done, total }),
    );
    this.#running.set(request.runId, run.cancel);
    try {
      const result = await run.result;
      const createdAt = Date.now();
      return {
        ...result,
        runId: request.runId,
        trades: result.trades.map(({ explanation, ...trade }) => ({
          ...trade,
          explanation: { id: 0, ...signalOf(key, trade.signal.candleStart, 'gradcam', metadata, explanation, createdAt) },
        })),
      };
    } finally {
      this.#running.delete(request.runId);
    }
  }

  async cancel(runId: string): Promise<boolean> {
    const cancel = this.#running.get(runId);
    if (cancel === undefined) return false;
    await cancel();
    return true;
  }
}
