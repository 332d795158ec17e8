/**
 * A lightweight-charts series primitive that shades each candle of an explained window by its
 * attention weight, drawn behind the candles. The chart calls `updateAllViews` whenever the viewport
 * changes (zoom, pan, resize), and the pane view recomputes the band edges then, so the shading
 * follows the time scale exactly; drawing only paints them.
 */
import { AttachedPrimitive } from '../attached-primitive';
import type { IPrimitivePaneView } from 'lightweight-charts';
import type { AttentionBand } from './attention-bands';
import { AttentionPaneView } from './attention-pane-view';

export class AttentionHeatmap extends AttachedPrimitive {
  #bands: AttentionBand[] = [];
  #weights = new Map<number, number>();
  #visible = true;
  readonly #paneViews = [
    new AttentionPaneView({
      timeScale: () => this.chart?.timeScale(),
      shownBands: () => (this.#visible ? this.#bands : []),
    }),
  ];

  updateAllViews(): void {
    for (const view of this.#paneViews) view.update();
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.#paneViews;
  }

  show(bands: AttentionBand[]): void {
    this.#bands = [...bands].sort((a, b) => a.time - b.time);
    this.#weights = new Map(this.#bands.map((b) => [b.time, b.weight]));
    this.requestUpdate();
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    this.requestUpdate();
  }

  /** The attention of the candle at a chart time, if it is in the shown window. */
  weightAt(time: number): number | undefined {
    return this.#weights.get(time);
  }
}
