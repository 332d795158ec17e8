/**
 * A lightweight-charts series primitive that outlines the candles a hovered part of an image model's
 * picture relates to (./related-candles): a band one bar wide over each, the price pane's full height,
 * edged in the picture's highlight colour, so the trader sees on the chart which moments a cell means.
 */
import { AttachedPrimitive } from '../attached-primitive';
import type { IPrimitivePaneRenderer, IPrimitivePaneView, UTCTimestamp } from 'lightweight-charts';
import { RELATED_CANDLE_COLOUR } from '../heatmap/colour-scale';

const FILL = 'rgba(224,64,251,0.16)';

/** Each outlined candle's left and right edge (CSS px): one bar's spacing around its x; off the time scale, none. */
export function outlineSpans(xs: readonly (number | null)[], barSpacing: number): { left: number; right: number }[] {
  const half = Math.max(2, barSpacing / 2);
  return xs.flatMap((x) => (x === null ? [] : [{ left: x - half, right: x + half }]));
}

class OutlineRenderer implements IPrimitivePaneRenderer {
  readonly #spans: readonly { left: number; right: number }[];

  constructor(spans: readonly { left: number; right: number }[]) {
    this.#spans = spans;
  }

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, verticalPixelRatio, bitmapSize }) => {
      const line = Math.max(2, Math.round(2 * horizontalPixelRatio));
      const edge = Math.max(2, Math.round(2 * verticalPixelRatio));
      for (const span of this.#spans) {
        const left = Math.round(span.left * horizontalPixelRatio);
        const width = Math.max(line * 2, Math.round(span.right * horizontalPixelRatio) - left);
        context.fillStyle = FILL;
        context.fillRect(left, 0, width, bitmapSize.height);
        context.fillStyle = RELATED_CANDLE_COLOUR;
        context.fillRect(left, 0, line, bitmapSize.height);
        context.fillRect(left + width - line, 0, line, bitmapSize.height);
        context.fillRect(left, 0, width, edge);
        context.fillRect(left, bitmapSize.height - edge, width, edge);
      }
    });
  }
}

export class RelatedCandlesOutline extends AttachedPrimitive {
  /** Candle starts, chart time (UTC seconds). */
  #times: UTCTimestamp[] = [];
  #renderer = new OutlineRenderer([]);
  readonly #view: IPrimitivePaneView = {
    zOrder: () => 'top',
    renderer: () => this.#renderer,
  };

  updateAllViews(): void {
    const timeScale = this.chart?.timeScale();
    this.#renderer = new OutlineRenderer(
      timeScale === undefined
        ? []
        : outlineSpans(
            this.#times.map((t) => timeScale.timeToCoordinate(t)),
            timeScale.options().barSpacing,
          ),
    );
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.#view];
  }

  /** Outlines the candles starting at `starts` (ms); none clears it. */
  show(starts: readonly number[]): void {
    this.#times = starts.map((ms) => (ms / 1000) as UTCTimestamp);
    this.requestUpdate();
  }
}
