/**
 * The explained signal's window as its image model read it (the bridge's `signals.modelView`), and
 * what ties that picture to the chart: the part of it under the pointer, whose candles the chart
 * outlines, and the candle under the chart's crosshair, whose rows and columns the picture outlines.
 */
import type { CallRequest } from '../../../../src-shared/contract/bridge';
import type { ModelView } from '../../../../src-shared/domain/model-view';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { Bridge } from '../bridge';
import { candlesOfPart, type PicturePart } from '../model-view/related-candles';

export class ModelViewState {
  /** The view of the explained signal; undefined while asked for, for a signal not stored, or when it failed. */
  view: ModelView | undefined = $state.raw();
  /** The part of the picture under the pointer. */
  part: PicturePart | undefined = $state.raw();
  /** The window's candle under the chart's crosshair (0 = the window's first). */
  chartCandle: number | undefined = $state();
  /** The window's candles the hovered part relates to. */
  readonly related: number[] = $derived.by(() =>
    this.view?.image == null || this.part === undefined ? [] : candlesOfPart(this.view.image, this.part),
  );
  /** Starts (ms) of the candles the chart outlines. */
  readonly outlined: number[] = $derived.by(() => this.related.flatMap((t) => this.view?.windowStarts[t] ?? []));
  /** The request the view on screen answers, so a late answer to an older one is dropped. */
  #asked: string | undefined;

  /**
   * Construct during a component's initialisation: it follows the explained signal. `timeZone` is the
   * one the chart's times are in, which the picture's axes then name too.
   */
  constructor(
    bridge: Bridge,
    explained: () => Signal | undefined,
    readonly timeZone: string,
  ) {
    $effect(() => {
      const signal = explained();
      const request: CallRequest<'signals.modelView'> | undefined =
        signal === undefined || signal.id <= 0
          ? undefined
          : { id: signal.id, method: signal.method, ...(signal.explains === undefined ? {} : signal.explains) };
      const asked = request === undefined ? undefined : JSON.stringify(request);
      if (asked === this.#asked) return;
      this.#asked = asked;
      this.view = undefined;
      this.part = undefined;
      if (request === undefined) return;
      // A failure (the signal's model no longer registered, its candles changed) only means the panel
      // shows no picture: the signal's own explanation stands, as when re-explaining it fails.
      bridge.invoke('signals.modelView', request).then(
        (view) => {
          if (this.#asked === asked) this.view = view;
        },
        () => {},
      );
    });
  }

  /** The chart's crosshair is on the candle starting at `ms` (undefined: off the candles). */
  readonly chartHovered = (ms: number | undefined): void => {
    const index = ms === undefined ? -1 : (this.view?.windowStarts.indexOf(ms) ?? -1);
    const candle = index < 0 ? undefined : index;
    if (candle !== this.chartCandle) this.chartCandle = candle;
  };
}
