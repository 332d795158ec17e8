/** A stream as the user chooses it (the preferences keep it without the exchange), and its bridge key. */
import type { StreamKeyValue } from '../../../../src-shared/domain/market';
import type { Preferences } from '../../../../src-shared/domain/preferences';

export type StreamChoice = NonNullable<Preferences['stream']>;

export const sameStream = (a: StreamChoice, b: StreamChoice | undefined): boolean =>
  b !== undefined && a.category === b.category && a.symbol === b.symbol && a.interval === b.interval;

/** The key fields only: `s` may be a whole push ({ ...key, candle }), whose other fields a strict call refuses. */
export const streamKey = ({ category, symbol, interval }: StreamChoice): StreamKeyValue => ({
  exchange: 'bybit',
  category,
  symbol,
  interval,
});
