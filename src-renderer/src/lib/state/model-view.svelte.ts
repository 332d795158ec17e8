/**
 * The explained signal's window as its image model read it (the bridge's `signals.modelView`), and
 * what ties that picture to the chart: the part of it under the pointer, whose candles the chart
 * outlines, and the candle under the chart's crosshair, whose rows and columns the picture outlines.
 */
import type { ModelView } from '../../../../src-shared/domain/model-view';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { Bridge } from '../bridge';
import { candlesOfPart, type PicturePart } from '../model-view/related-candles';
import { viewRequest } from '../model-view/view-request';

export class ModelViewState {
  /** The view of the explained signal; undefined while asked for, or when it failed. */
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
  /** The request the view on screen answers, and with the input's hash, so a late answer to an older one is dropped. */
  #window: string | undefined;
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
      const request = signal === undefined ? undefined : viewRequest(signal);
      const window = request === undefined ? undefined : JSON.stringify(request);
      // With the input's hash: the forming candle's signal asks again as that candle changes, and its
      // picture stays on screen meanwhile (another window's goes at once).
      const asked = window === undefined ? undefined : `${window} ${signal?.inputHash}`;
      if (asked === this.#asked) return;
      if (window !== this.#window) {
        this.view = undefined;
        this.part = undefined;
      }
      this.#window = window;
      this.#asked = asked;
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
