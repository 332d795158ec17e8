/**
 * The model's VaR violations as markers on a backtest's equity line (pure): each at the first
 * equity point at or after the window whose next-H return broke it (the line is thinned), one marker
 * per point and level.
 */
import type { SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import type { EquityPoint } from '../../../src-shared/domain/backtest';
import type { VarReport } from '../../../src-shared/domain/risk-report';

export interface VarViolation {
  /** The start of the last candle of the window whose VaR was broken. */
  time: number;
  quantile: number;
}

/** 1 % breaks in red, 5 % in amber. */
export const VIOLATION_COLOURS: Record<number, string> = { 0.01: '#ef5350', 0.05: '#f5a623' };

/** The model's counted violations at every level of a VaR backtest. */
export function modelViolations(levels: readonly VarReport[]): VarViolation[] {
  return levels.flatMap((level) => (level.model?.violationTimes ?? []).map((time) => ({ time, quantile: level.quantile })));
}

export function violationMarkers(violations: readonly VarViolation[], points: readonly Pick<EquityPoint, 'time'>[]): SeriesMarker<Time>[] {
  const byPoint = new Map<string, { time: number; quantile: number }>();
  for (const v of violations) {
    // Binary search for the first point at or after the violation.
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((points[mid]?.time ?? Infinity) < v.time) low = mid + 1;
      else high = mid;
    }
    const at = points[low]?.time;
    if (at === undefined) continue;
    byPoint.set(`${at}:${v.quantile}`, { time: at, quantile: v.quantile });
  }
  return [...byPoint.values()]
    .sort((a, b) => a.time - b.time || a.quantile - b.quantile)
    .map((m) => ({
      time: (m.time / 1000) as UTCTimestamp,
      position: 'aboveBar',
      shape: 'arrowDown',
      color: VIOLATION_COLOURS[m.quantile] ?? '#ef5350',
      // No label: a run of breaks would print over itself; the legend names the colours.
      size: 0.6,
      id: `var-${m.quantile}-${m.time}`,
    }));
}
