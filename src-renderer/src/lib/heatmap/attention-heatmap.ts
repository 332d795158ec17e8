/**
 * A lightweight-charts series primitive that shades each candle of an explained window by its
 * attention weight, drawn behind the candles (zOrder 'bottom'). Band edges are computed from the
 * time scale at every draw, so the shading follows zoom, pan and resize exactly.
 */
import type {
  IChartApi,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitive,
  SeriesAttachedParameter,
  Time,
  UTCTimestamp,
} from 'lightweight-charts';
import { heatColour } from './colour-scale';

type DrawTarget = Parameters<IPrimitivePaneRenderer['draw']>[0];

export interface AttentionBand {
  /** Candle start, chart time (UTC seconds). */
  time: UTCTimestamp;
  weight: number;
}

export class AttentionHeatmap implements ISeriesPrimitive<Time> {
  #chart: IChartApi | undefined;
  #requestUpdate: () => void = () => {};
  #bands: AttentionBand[] = [];
  #weights = new Map<number, number>();
  #visible = true;

  readonly #renderer: IPrimitivePaneRenderer = { draw: (target) => this.#draw(target) };
  readonly #view: IPrimitivePaneView = { zOrder: () => 'bottom', renderer: () => this.#renderer };

  attached({ chart, requestUpdate }: SeriesAttachedParameter<Time>): void {
    this.#chart = chart;
    this.#requestUpdate = requestUpdate;
  }

  detached(): void {
    this.#chart = undefined;
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return [this.#view];
  }

  show(bands: AttentionBand[]): void {
    this.#bands = [...bands].sort((a, b) => a.time - b.time);
    this.#weights = new Map(this.#bands.map((b) => [b.time, b.weight]));
    this.#requestUpdate();
  }

  clear(): void {
    this.show([]);
  }

  setVisible(visible: boolean): void {
    this.#visible = visible;
    this.#requestUpdate();
  }

  /** The attention of the candle at a chart time, if it is in the shown window. */
  weightAt(time: number): number | undefined {
    return this.#weights.get(time);
  }

  #draw(target: DrawTarget): void {
    const timeScale = this.#chart?.timeScale();
    if (timeScale === undefined || !this.#visible || this.#bands.length === 0) return;
    const xs = this.#bands.map((b) => timeScale.timeToCoordinate(b.time));
    const spacing = timeScale.options().barSpacing;
    target.useBitmapCoordinateSpace(({ context, horizontalPixelRatio, bitmapSize }) => {
      this.#bands.forEach((band, i) => {
        const x = xs[i];
        if (x === null || x === undefined) return;
        // Each band reaches halfway to its neighbours, so adjacent candles tile without gaps.
        const before = xs[i - 1];
        const after = xs[i + 1];
        const left = before == null ? x - spacing / 2 : (before + x) / 2;
        const right = after == null ? x + spacing / 2 : (x + after) / 2;
        const from = Math.round(left * horizontalPixelRatio);
        const to = Math.round(right * horizontalPixelRatio);
        context.fillStyle = heatColour(band.weight);
        context.fillRect(from, 0, Math.max(1, to - from), bitmapSize.height);
      });
    });
  }
}
