/** What the state modules ask of the chart on screen (ChartView's exported functions). */
import type { Candle } from '../../../../src-shared/domain/market';
import type { AttentionBand } from '../heatmap/attention-bands';

export interface ChartHandle {
  /** Updates the newest candle in place or appends one (older ones are merged in after a pause). */
  update(candle: Candle): void;
  /** Adds older candles to memory without touching what the series shows. */
  prepend(older: Candle[]): void;
  /** A PNG of the chart with the given window shaded, `width` pixels wide. */
  snapshot(shade: AttentionBand[], width?: number): string | undefined;
  /** Scrolls so that the candle starting at `ms` is in view. */
  reveal(ms: number): void;
  fit(): void;
  /** The first and last candle times on screen (ms), if any. */
  visibleTimes(): { from: number; to: number } | undefined;
}

/** The chart, once mounted; modules ask for it at the moment they need it. */
export type ChartRef = () => ChartHandle | undefined;
