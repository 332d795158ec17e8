/** A replay of a stored range: while one runs, the chart shows only what it has revealed, not the live stream. */
import type { Candle } from '../../../../src-shared/domain/market';
import type { ReplayState } from '../../../../src-shared/domain/replay';
import type { Bridge } from '../bridge';
import type { ChartRef } from './chart-handle';
import type { SignalsState } from './signals.svelte';
import type { StreamSession } from './stream-session.svelte';

export class ReplaySession {
  readonly #bridge: Bridge;
  readonly #session: StreamSession;
  readonly #signals: SignalsState;

  /** The replay bar is open. */
  open = $state(false);
  /** The running replay, if any. */
  running: ReplayState | undefined = $state();

  /** Construct during a component's initialisation: it follows the running replay's steps. */
  constructor(bridge: Bridge, session: StreamSession, signals: SignalsState, chart: ChartRef) {
    this.#bridge = bridge;
    this.#session = session;
    this.#signals = signals;
    $effect(() =>
      bridge.subscribe('replay.step', (step) => {
        if (step.id !== this.running?.id) return;
        this.running = step.state;
        chart()?.update(step.candle);
        if (step.signal !== null) signals.list = [...signals.list, step.signal];
      }),
    );
    $effect(() =>
      bridge.subscribe('replay.state', (state) => {
        if (state.id === this.running?.id) this.running = state;
      }),
    );
  }

  /** A replay started (or sought): the chart shows what it revealed, with none of the live signals. */
  readonly started = (state: ReplayState, revealed: Candle[]): void => {
    this.running = state;
    this.#signals.list = [];
    this.#signals.selected = undefined;
    this.#session.showReplay(revealed);
  };

  /** Ends the replay on screen and on the engine (the only place a replay is stopped). */
  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    this.running = undefined;
    this.#signals.list = [];
    await this.#bridge.invoke('replay.control', { id: running.id, action: 'stop' }).catch(() => {});
  }

  /** Stops any replay, then shows the current stream live again. */
  readonly leave = async (): Promise<void> => {
    await this.stop();
    await this.#session.reload();
  };

  toggle(): void {
    this.open = !this.open;
    if (!this.open) void this.leave();
  }
}
