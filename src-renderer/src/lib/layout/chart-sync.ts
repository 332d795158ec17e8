/**
 * Syncs the charts of a layout: the crosshair of the chart under the pointer is shown on the others at
 * the same moment (on each one's candle holding it), and its visible time range is given to the others.
 * Only the chart the pointer is over leads, so the charts never echo each other's moves back.
 */
import type { MouseEventParams, Time, UTCTimestamp } from 'lightweight-charts';
import type { ChartSurface } from '../state/chart-surface';
import { candleHolding } from './candle-holding';

export interface SyncOptions {
  crosshair: boolean;
  time: boolean;
}

export function syncCharts(surfaces: readonly ChartSurface[], options: SyncOptions): () => void {
  if (surfaces.length < 2 || (!options.crosshair && !options.time)) return () => {};
  let leader: ChartSurface | undefined;
  const stops = surfaces.flatMap((surface) => {
    // A chart the layout just dropped may go before this sync is torn down: it is left alone.
    const others = () => surfaces.filter((s) => s !== surface && !s.isRemoved());
    const enter = () => (leader = surface);
    surface.element.addEventListener('mouseenter', enter);
    const onCrosshair = (param: MouseEventParams<Time>): void => {
      if (leader !== surface) return;
      const time = param.point === undefined ? undefined : (param.time as number | undefined);
      for (const other of others()) {
        const candle = time === undefined ? undefined : candleHolding(other.candles(), time * 1000);
        if (candle === undefined) other.chart.clearCrosshairPosition();
        else other.chart.setCrosshairPosition(candle.close, (candle.time / 1000) as UTCTimestamp, other.series);
        // A crosshair set from outside fires no event of the chart's own: its legend is told here.
        other.showLegendAt(candle?.time);
      }
    };
    const onRange = (): void => {
      if (leader !== surface) return;
      const range = surface.chart.timeScale().getVisibleRange();
      if (range === null) return;
      for (const other of others()) {
        if (other.candles().length > 0) other.chart.timeScale().setVisibleRange(range);
      }
    };
    if (options.crosshair) surface.chart.subscribeCrosshairMove(onCrosshair);
    if (options.time) surface.chart.timeScale().subscribeVisibleTimeRangeChange(onRange);
    return [
      () => {
        surface.element.removeEventListener('mouseenter', enter);
        if (surface.isRemoved()) return;
        if (options.crosshair) surface.chart.unsubscribeCrosshairMove(onCrosshair);
        if (options.time) surface.chart.timeScale().unsubscribeVisibleTimeRangeChange(onRange);
      },
    ];
  });
  return () => stops.forEach((stop) => stop());
}
