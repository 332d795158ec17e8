/**
 * The heatmap's pane view and renderer, in lightweight-charts' plugin shape: the view computes each
 * band's edges and colour in `update()` (the chart calls it whenever the viewport changes), and the
 * renderer only paints what the view computed.
 */
import type { IPrimitivePaneRenderer, IPrimitivePaneView, ITimeScaleApi, Time } from 'lightweight-charts';
import type { AttentionBand } from './attention-bands';
import { heatColour } from './colour-scale';

/** One band on screen, in media (CSS pixel) coordinates. */
export interface BandSpan {
  left: number;
  right: number;
  colour: string;
}

/**
 * Each band's horizontal span from its candle's x (null when off the time scale): it reaches halfway to
 * its neighbours, so adjacent candles tile without gaps, and half a bar's spacing at the window's ends.
 */
export function bandSpans(bands: readonly AttentionBand[], xs: readonly (number | null)[], barSpacing: number): BandSpan[] {
  return bands.flatMap((band, i) => {
    const x = xs[i];
    if (x === null || x === undefined) return [];
    const before = xs[i - 1];
    const after = xs[i + 1];
    const left = before == null ? x - barSpacing / 2 : (before + x) / 2;
    const right = after == null ? x + barSpacing / 2 : (x + after) / 2;
    return [{ left, right, colour: heatColour(band.weight) }];
  });
}

/** What the view reads of its primitive at each update. */
export interface AttentionSource {
  timeScale(): ITimeScaleApi<Time> | undefined;
  /** The bands to shade in time order; empty when hidden. */
  shownBands(): readonly AttentionBand[];
}

class AttentionPaneRenderer implements IPrimitivePaneRenderer {
  readonly #spans: readonly BandSpan[];

  constructor(spans: readonly BandSpan[]) {
    this.#spans = spans;
  }

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, bitmapSize }) => {
      for (const span of this.#spans) {
        const from = Math.round(span.left * horizontalPixelRatio);
        const to = Math.round(span.right * horizontalPixelRatio);
        context.fillStyle = span.colour;
        context.fillRect(from, 0, Math.max(1, to - from), bitmapSize.height);
      }
    });
  }
}

export class AttentionPaneView implements IPrimitivePaneView {
  readonly #source: AttentionSource;
  #renderer = new AttentionPaneRenderer([]);

  constructor(source: AttentionSource) {
    this.#source = source;
  }

  update(): void {
    const timeScale = this.#source.timeScale();
    const bands = this.#source.shownBands();
    const spans =
      timeScale === undefined || bands.length === 0
        ? []
        : bandSpans(
            bands,
            bands.map((b) => timeScale.timeToCoordinate(b.time)),
            timeScale.options().barSpacing,
          );
    this.#renderer = new AttentionPaneRenderer(spans);
  }

  zOrder(): 'bottom' {
    return 'bottom';
  }

  renderer(): IPrimitivePaneRenderer {
    return this.#renderer;
  }
}
