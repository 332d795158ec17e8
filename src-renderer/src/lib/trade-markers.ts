/** A backtest's trades as chart markers: where each was entered and left (pure). */
import type { SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import type { BacktestTrade } from '../../../src-shared/domain/backtest';
import { DOWN_COLOUR, UP_COLOUR } from './chart-data';

/** Marker ids of trades start with this; the signals' are numbers. */
export const TRADE_MARKER_PREFIX = 'trade-';

/** An entry arrow (long up below the candle, short down above it) and an exit square with the trade's return. */
export function tradeMarkers(trades: readonly Pick<BacktestTrade, 'side' | 'entryTime' | 'exitTime' | 'return'>[]): SeriesMarker<Time>[] {
  return trades.flatMap((t, i) => {
    const long = t.side === 'long';
    const resultColour = t.return >= 0 ? UP_COLOUR : DOWN_COLOUR;
    return [
      {
        id: `${TRADE_MARKER_PREFIX}${i}-entry`,
        time: (t.entryTime / 1000) as UTCTimestamp,
        position: long ? 'belowBar' : 'aboveBar',
        shape: long ? 'arrowUp' : 'arrowDown',
        color: '#f5a623',
        text: long ? 'long' : 'short',
      },
      {
        id: `${TRADE_MARKER_PREFIX}${i}-exit`,
        time: (t.exitTime / 1000) as UTCTimestamp,
        position: long ? 'aboveBar' : 'belowBar',
        shape: 'square',
        color: resultColour,
        text: `${t.return >= 0 ? '+' : ''}${(t.return * 100).toFixed(2)}%`,
      },
    ] satisfies SeriesMarker<Time>[];
  });
}
