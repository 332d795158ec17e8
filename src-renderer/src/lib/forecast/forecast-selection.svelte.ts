/**
 * The forecasts on screen: the signal whose forecasts the chart draws (the selected one when it has
 * forecasts, else the newest that does) and the forecast head picked, whose heatmap and feature bars
 * the explanation shows (the engine explains that head of the stored signal again, from the same candles).
 */
import type { ForecastHeadName } from '../../../../src-shared/domain/forecast-explanation';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { Bridge } from '../bridge';
import type { PreferencesState } from '../state/preferences.svelte';
import type { SignalsState } from '../state/signals.svelte';
import { FORECAST_HIT_PREFIX } from './forecast-fan';
import { forecastSignal, lowestVarIndex } from './forecast-levels';

export class ForecastSelection {
  readonly #bridge: Bridge;
  readonly #signals: SignalsState;
  readonly #prefs: PreferencesState;
  readonly #fail: (err: unknown) => void;

  /** The signal whose forecasts are drawn and listed. */
  readonly signal: Signal | undefined = $derived.by(() => forecastSignal(this.#signals.selected, this.#signals.list));
  /** The head whose explanation is shown; undefined while the direction call's is. */
  readonly head: ForecastHeadName | undefined = $derived.by(() => this.#signals.explained?.explains?.head);

  constructor(bridge: Bridge, signals: SignalsState, prefs: PreferencesState, fail: (err: unknown) => void) {
    this.#bridge = bridge;
    this.#signals = signals;
    this.#prefs = prefs;
    this.#fail = fail;
  }

  /** Shows the explanation of `head` (a VaR quantile's index as `target`) of the drawn signal's forecasts. */
  readonly pick = (head: ForecastHeadName, target = 0): void => {
    const signal = this.signal;
    if (signal === undefined) return;
    if (signal.id <= 0) {
      this.#fail(new Error('only a stored signal’s forecasts can be explained: this one is replayed or still forming'));
      return;
    }
    if (this.#signals.selected?.id !== signal.id) this.#signals.show(signal);
    const method = this.#prefs.value?.heatmap.method;
    this.#bridge
      .invoke('forecasts.explain', { id: signal.id, head, target, ...(method === undefined ? {} : { method }) })
      .then((explained) => {
        if (this.#signals.selected?.id === explained.id) this.#signals.explained = explained;
      }, this.#fail);
  };

  /** A click on the chart: true when it was on a drawn forecast (whose head is then picked). */
  readonly pickHit = (id: string): boolean => {
    if (!id.startsWith(FORECAST_HIT_PREFIX)) return false;
    const head = id.slice(FORECAST_HIT_PREFIX.length);
    if (head === 'volatility' || head === 'sharp') this.pick(head);
    else if (head === 'var') this.pick('var', lowestVarIndex(this.signal?.forecasts ?? {}) ?? 0);
    return true;
  };
}
