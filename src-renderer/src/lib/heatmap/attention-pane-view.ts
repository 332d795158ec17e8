/**
 * The heatmap's pane view and renderer, in lightweight-charts' plugin shape: the view computes each
 * band's edges and colour in `update()` (the chart calls it whenever the viewport changes), and the
 * renderer only paints what the view computed.
 */
import type { IPrimitivePaneRenderer, IPrimitivePaneView, ITimeScaleApi, Time } from 'lightweight-charts';
import type { AttentionBand } from './attention-bands';
import { heatColour, SELECTED_CANDLE_COLOUR, tintColour, WINDOW_EDGE_COLOUR } from './colour-scale';

/** One band on screen, in media (CSS pixel) coordinates. */
export interface BandSpan {
  left: number;
  right: number;
  /** Behind the candle, the whole pane's height. */
  tint: string;
  /** In the attention strip at the pane's bottom. */
  colour: string;
}

/** Height of the attention strip at the bottom of the price pane, CSS px (the price scale keeps candles above it). */
export const STRIP_HEIGHT_PX = 10;

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
    return [{ left, right, tint: tintColour(band.weight), colour: heatColour(band.weight) }];
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
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, verticalPixelRatio, bitmapSize }) => {
      const strip = Math.round(STRIP_HEIGHT_PX * verticalPixelRatio);
      const line = Math.max(1, Math.round(horizontalPixelRatio));
      for (const span of this.#spans) {
        const from = Math.round(span.left * horizontalPixelRatio);
        const width = Math.max(1, Math.round(span.right * horizontalPixelRatio) - from);
        context.fillStyle = span.tint;
        context.fillRect(from, 0, width, bitmapSize.height - strip);
        context.fillStyle = span.colour;
        context.fillRect(from, bitmapSize.height - strip, width, strip);
      }
      const first = this.#spans[0];
      const last = this.#spans.at(-1);
      if (first === undefined || last === undefined) return;
      // The window's edges, dashed, so its extent shows even where the attention is near 0.
      context.fillStyle = WINDOW_EDGE_COLOUR;
      const dash = Math.round(4 * verticalPixelRatio);
      for (const x of [first.left, last.right].map((e) => Math.round(e * horizontalPixelRatio))) {
        for (let y = 0; y < bitmapSize.height - strip; y += 2 * dash) context.fillRect(x - (line >> 1), y, line, dash);
      }
      // The signal's own candle (the window's last), outlined.
      context.fillStyle = SELECTED_CANDLE_COLOUR;
      const left = Math.round(last.left * horizontalPixelRatio);
      const right = Math.round(last.right * horizontalPixelRatio);
      context.fillRect(left, 0, line, bitmapSize.height);
      context.fillRect(right - line, 0, line, bitmapSize.height);
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
