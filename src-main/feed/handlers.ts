/** The bridge's market-data calls (stored streams and candles, the feed's health, instruments) and watchlist calls. */
import type { HandlersFor } from '../ipc/dispatch';
import type { CandleStore } from '../store/candles';
import type { WatchlistStore } from '../store/watchlist';
import type { MarketFeed } from './feed';
import { resampledCandles } from './resampled-candles';

export function marketHandlers(
  store: CandleStore,
  watchlist: WatchlistStore,
  feed: MarketFeed | undefined,
): HandlersFor<'streams' | 'candles' | 'feed' | 'instruments'> {
  return {
    'streams.list': () => store.streams(),
    'candles.range': ({ from, to, limit, ...key }) => store.rangeColumns(key, from, to, limit),
    'candles.count': (key) => ({ count: store.count(key) }),
    'candles.resampled': (request) => resampledCandles(store, request),
    'feed.health': () => feed?.health() ?? { source: 'off', streams: [], rejected: {}, latency: null },
    'instruments.search': async ({ category, query, limit }) =>
      feed === undefined
        ? { instruments: watchlist.searchInstruments(category, query, limit), cached: watchlist.instrumentCount(category), fromCache: true }
        : feed.searchInstruments(category, query, limit),
  };
}

export function watchlistHandlers(store: CandleStore, watchlist: WatchlistStore, feed: MarketFeed | undefined): HandlersFor<'watchlist'> {
  const change = (apply: () => void) => {
    apply();
    feed?.reload();
    return watchlist.list();
  };
  return {
    'watchlist.list': () => watchlist.list(),
    'watchlist.quotes': () => watchlist.list().map((key) => ({ ...key, ...store.quote(key) })),
    'watchlist.add': async (key) => {
      await feed?.checkInstrument(key);
      return change(() => watchlist.add(key));
    },
    'watchlist.remove': (key) => change(() => watchlist.remove(key)),
  };
}
