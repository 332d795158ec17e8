/** How the page names a stream: "BTCUSDT · 1m". */
import type { Interval } from '../../../src-shared/domain/intervals';

/** Minutes get an "m"; D, W and M stay as they are. */
export const intervalLabel = (interval: string): string => (/^\d+$/.test(interval) ? `${interval}m` : interval);

export const streamTitle = (stream: { symbol: string; interval: Interval } | undefined): string =>
  stream === undefined ? '' : `${stream.symbol} · ${intervalLabel(stream.interval)}`;
