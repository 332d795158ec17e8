/** The alerts fired so far, newest first: each announced, and given a thumbnail of its signal's heatmap. */
import { alertText, type FiredAlert } from '../../../../src-shared/domain/alerts';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { Bridge } from '../bridge';
import { attentionBands } from '../heatmap/attention-bands';
import type { TransportKind } from '../transport';
import type { ChartRef } from './chart-handle';
import type { SignalsState } from './signals.svelte';

export class FiredAlerts {
  readonly #bridge: Bridge;
  readonly #transport: TransportKind;
  readonly #signals: SignalsState;
  readonly #chart: ChartRef;
  readonly #fail: (err: unknown) => void;

  list: FiredAlert[] = $state.raw([]);

  /** Construct during a component's initialisation: it follows the alerts as they fire. */
  constructor(bridge: Bridge, transport: TransportKind, signals: SignalsState, chart: ChartRef, fail: (err: unknown) => void) {
    this.#bridge = bridge;
    this.#transport = transport;
    this.#signals = signals;
    this.#chart = chart;
    this.#fail = fail;
    $effect(() => bridge.subscribe('alert.fired', (alert) => void this.#fired(alert)));
  }

  /** The alerts fired before the page opened. */
  load(): void {
    this.#bridge.invoke('alerts.fired', {}).then((list) => (this.list = list), this.#fail);
  }

  async #fired(alert: FiredAlert): Promise<void> {
    const signal = await this.#explainedFor(alert);
    const thumbnail = signal === undefined ? undefined : this.#chart()?.snapshot(attentionBands(signal));
    const { title, body } = alertText(alert);
    // Electron's main process shows its own notification; a browser page shows the browser's, with the
    // heatmap thumbnail as its picture when the stream is on screen.
    if (this.#transport === 'websocket' && typeof Notification !== 'undefined' && Notification.permission === 'granted')
      new Notification(title, { body, ...(thumbnail === undefined ? {} : { icon: thumbnail }) });
    if (thumbnail !== undefined) {
      alert = { ...alert, thumbnail };
      await this.#bridge.invoke('alerts.thumbnail', { firedId: alert.id, png: thumbnail }).catch(this.#fail);
    }
    this.list = [alert, ...this.list.filter((a) => a.id !== alert.id)];
  }

  /** The signal as its alert's heatmap shows it: a sharp-move alert's is the sharp-move head's explanation. */
  async #explainedFor(alert: FiredAlert): Promise<Signal | undefined> {
    const signal = this.#signals.byId(alert.signalId);
    if (signal === undefined || alert.rule.class !== 'sharp') return signal;
    return this.#bridge.invoke('forecasts.explain', { id: signal.id, head: 'sharp' }).catch((err: unknown) => {
      this.#fail(err);
      return undefined;
    });
  }
}
