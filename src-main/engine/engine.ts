/**
 * The main-process engine: store, handlers and events, with no knowledge of Electron or of the
 * transport. The Electron shell and `serve` both wrap this same object.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AlertStore, watchAlerts } from '../alerts/alerts';
import type { StreamKeyValue } from '../ipc/contract';
import { DEFAULT_BACKFILL_DEPTH_MS, MarketFeed, type FeedOptions } from '../feed/feed';
import { createDispatch, EventHub, type Dispatch, type Handlers } from '../ipc/dispatch';
import { MAINNET } from '../market/bybit/protocol';
import { importCandleCsv } from '../market/import-csv';
import { appRoot } from '../paths';
import { Replays } from '../replay/replay';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';
import { PreferenceStore } from '../store/preferences';
import { WatchlistStore } from '../store/watchlist';

export const SAMPLE_STREAM: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
export const SAMPLE_FILE = join(appRoot(), 'resources', 'sample', 'bybit_BTCUSDT_1m.csv');

export interface EngineOptions {
  storePath: string;
  /** Import the bundled sample when the store has no candles, so a first offline run shows a chart. */
  seedSample?: boolean;
  log?: (line: string) => void;
  /** The live feed: endpoints (Bybit mainnet by default), clock and timings; false runs without one. */
  market?: MarketOptions | false;
}

export type MarketOptions = Partial<Omit<FeedOptions, 'store' | 'watchlist' | 'events' | 'log'>> & {
  /** Replaces the stored watchlist before the feed starts. */
  watch?: StreamKeyValue[];
};

export interface Engine {
  readonly store: CandleStore;
  readonly events: EventHub;
  readonly watchlist: WatchlistStore;
  readonly feed: MarketFeed | undefined;
  readonly dispatch: Dispatch;
  close(): void;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function createEngine({ storePath, seedSample = true, log = () => {}, market = {} }: EngineOptions): Engine {
  const db = openDatabase(storePath);
  const store = new CandleStore(db);
  const preferences = new PreferenceStore(db);
  const watchlist = new WatchlistStore(db);
  if (seedSample && store.isEmpty()) {
    const { rows } = importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
    log(`empty store: imported the bundled sample, ${rows} ${SAMPLE_STREAM.symbol} ${SAMPLE_STREAM.interval}m candles`);
  }
  const events = new EventHub();
  const alerts = new AlertStore(db);
  // Replays score with the model once the model engine provides a scorer; until then they reveal candles only.
  const replays = new Replays(store, events, () => undefined);
  const stopAlerts = watchAlerts(events, alerts, log);
  let feed: MarketFeed | undefined;
  if (market !== false) {
    const { watch, ...feedOptions } = market;
    if (watch !== undefined) watchlist.replace(watch);
    feed = new MarketFeed({
      wsBase: MAINNET.ws,
      restBase: MAINNET.rest,
      source: 'bybit mainnet',
      backfillDepthMs: DEFAULT_BACKFILL_DEPTH_MS,
      ...feedOptions,
      store,
      watchlist,
      events,
      log,
    });
    feed.start();
  }
  const changeWatchlist = (change: () => void) => {
    change();
    feed?.reload();
    return watchlist.list();
  };
  const { version } = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  const handlers: Handlers = {
    'app.info': () => ({
      name: 'Candle Lens',
      version,
      storePath,
      storeBytes: fileBytes(storePath) + fileBytes(`${storePath}-wal`),
    }),
    'streams.list': () => store.streams(),
    'candles.range': ({ from, to, limit, ...key }) => store.rangeColumns(key, from, to, limit),
    'candles.count': (key) => ({ count: store.count(key) }),
    'preferences.get': () => preferences.get(),
    'preferences.set': (next) => preferences.set(next),
    'replay.start': (request) => replays.start(request),
    'replay.control': (request) => replays.control(request),
    'alerts.list': () => alerts.rules(),
    'alerts.add': (rule) => alerts.add(rule),
    'alerts.remove': ({ id }) => ({ removed: alerts.remove(id) }),
    'alerts.fired': ({ limit }) => alerts.fired(limit),
    'alerts.thumbnail': ({ firedId, png }) => ({ stored: alerts.setThumbnail(firedId, png) }),
    'feed.health': () => feed?.health() ?? { source: 'off', streams: [], rejected: {} },
    'watchlist.list': () => watchlist.list(),
    'watchlist.quotes': () => watchlist.list().map((key) => ({ ...key, ...store.quote(key) })),
    'watchlist.add': (key) => changeWatchlist(() => watchlist.add(key)),
    'watchlist.remove': (key) => changeWatchlist(() => watchlist.remove(key)),
    'instruments.search': async ({ category, query, limit }) =>
      feed === undefined
        ? { instruments: watchlist.searchInstruments(category, query, limit), cached: watchlist.instrumentCount(category), fromCache: true }
        : feed.searchInstruments(category, query, limit),
  };
  return {
    store,
    events,
    watchlist,
    feed,
    dispatch: createDispatch(handlers),
    close: () => {
      stopAlerts();
      replays.closeAll();
      feed?.stop();
      db.close();
    },
  };
}
