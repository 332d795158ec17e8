/**
 * What each of our series primitives keeps of the chart it is attached to, as lightweight-charts'
 * plugin-examples keep it in their base class: the chart, the series and the chart's redraw request,
 * from `attached` until `detached`. A primitive adds its views and what it draws.
 */
import type { IChartApi, ISeriesApi, ISeriesPrimitive, SeriesAttachedParameter, SeriesType, Time } from 'lightweight-charts';

export abstract class AttachedPrimitive implements ISeriesPrimitive<Time> {
  protected chart: IChartApi | undefined;
  protected series: ISeriesApi<SeriesType> | undefined;
  #requestUpdate: () => void = () => {};

  attached({ chart, series, requestUpdate }: SeriesAttachedParameter<Time>): void {
    this.chart = chart;
    this.series = series;
    this.#requestUpdate = requestUpdate;
  }

  detached(): void {
    this.chart = undefined;
    this.series = undefined;
    this.#requestUpdate = () => {};
  }

  /** Asks the chart to draw again (a no-op while detached). */
  protected requestUpdate(): void {
    this.#requestUpdate();
  }
}
