/** What layers over a chart (drawings, the layout's sync) reach of it: ChartView's `surface()`. */
import type { IChartApi, ISeriesApi } from 'lightweight-charts';
import type { Candle } from '../../../../src-shared/domain/market';

export interface ChartSurface {
  chart: IChartApi;
  /** The candle series: drawings are attached to it, prices convert through it. */
  series: ISeriesApi<'Candlestick'>;
  /** The element the chart fills; pointer positions are relative to it (the price pane starts at its top left). */
  element: HTMLElement;
  /** Every candle held, oldest first. Not a copy: read, never change. */
  candles(): readonly Candle[];
  /** Index in `candles()` of the series' first bar (logical index 0). */
  shownFrom(): number;
  /** Shows the candle starting at `ms` in the legend (a crosshair set from another chart), or the newest. */
  showLegendAt(ms: number | undefined): void;
  /**
   * Whether the chart was removed (a layout dropped it). Its component can go before the layers over it let
   * go, and a removed chart must not be touched: a detach or crosshair there schedules a paint of a disposed canvas.
   */
  isRemoved(): boolean;
}
