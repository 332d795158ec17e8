/**
 * A channel's attribution at each candle of the explained window, as a heat strip along the bottom of
 * its pane: a series primitive, so it follows the time scale as the price heatmap does (spans from
 * the same band geometry), and the candles above it line up with it.
 */
import { AttachedPrimitive } from '../attached-primitive';
import type { IPrimitivePaneRenderer, IPrimitivePaneView, UTCTimestamp } from 'lightweight-charts';
import { bandSpans } from '../heatmap/attention-pane-view';
import { attributionColour } from './channel-attribution';

/** Height of the strip at the bottom of an indicator pane, CSS px. */
export const ATTRIBUTION_STRIP_PX = 8;

interface Cell {
  /** Chart time (s). */
  time: UTCTimestamp;
  weight: number;
}

class StripRenderer implements IPrimitivePaneRenderer {
  readonly #spans: readonly { left: number; right: number; colour: string }[];

  constructor(spans: readonly { left: number; right: number; colour: string }[]) {
    this.#spans = spans;
  }

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, verticalPixelRatio, bitmapSize }) => {
      const strip = Math.round(ATTRIBUTION_STRIP_PX * verticalPixelRatio);
      for (const span of this.#spans) {
        const from = Math.round(span.left * horizontalPixelRatio);
        context.fillStyle = span.colour;
        context.fillRect(from, bitmapSize.height - strip, Math.max(1, Math.round(span.right * horizontalPixelRatio) - from), strip);
      }
    });
  }
}

export class AttributionStrip extends AttachedPrimitive {
  #cells: Cell[] = [];
  #renderer = new StripRenderer([]);
  readonly #view: IPrimitivePaneView = { renderer: () => this.#renderer, zOrder: () => 'top' };

  updateAllViews(): void {
    const timeScale = this.chart?.timeScale();
    const cells = this.#cells;
    if (timeScale === undefined) return;
    const xs = cells.map((c) => timeScale.timeToCoordinate(c.time));
    // bandSpans leaves out the cells off the time scale, keeping the others in order.
    const onScale = cells.filter((_, i) => xs[i] !== null);
    const spans = bandSpans(cells, xs, timeScale.options().barSpacing).map((span, k) => ({
      left: span.left,
      right: span.right,
      colour: attributionColour(onScale[k]?.weight ?? 0),
    }));
    this.#renderer = new StripRenderer(spans);
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.#view];
  }

  /** The cells to draw (chart times in s, weights in −1..1), in time order; empty for none. */
  show(cells: Cell[]): void {
    this.#cells = cells;
    this.requestUpdate();
  }
}
