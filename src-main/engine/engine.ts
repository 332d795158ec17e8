/**
 * The main-process engine: store, handlers and events, with no knowledge of Electron or of the
 * transport. The Electron shell and `serve` both wrap this same object.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlertStore, watchAlerts } from '../alerts/alerts';
import { alertHandlers } from '../alerts/handlers';
import { auditHandlers } from '../audit/handlers';
import { DrawingStore, LayoutStore } from '../drawings/drawings';
import { drawingHandlers, layoutHandlers } from '../drawings/handlers';
import { watchPriceAlerts } from '../drawings/price-alerts';
import { MarketFeed, type FeedOptions } from '../feed/feed';
import { marketHandlers, watchlistHandlers } from '../feed/handlers';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { createDispatch, EventHub, type Dispatch, type Handlers } from '../ipc/dispatch';
import { MAINNET } from '../market/bybit/protocol';
import { importCandleCsv } from '../market/import-csv';
import { loadModel } from '../model/model-file';
import { appRoot, userDataDir } from '../paths';
import { appHandlers } from './app-handlers';
import { createEngineBus, type EngineBus } from '../bus/bus';
import { replayHandlers } from '../replay/handlers';
import { Replays } from '../replay/replay';
import { BacktestJobs } from '../signals/backtest-jobs';
import { HistoryScoring } from '../signals/history-scoring';
import { backtestHandlers, forecastHandlers, modelHandlers, signalHandlers, trainingHandlers, type ModelSide } from '../signals/handlers';
import { LiveScorer } from '../signals/live-scorer';
import { ModelHost } from '../signals/model-host';
import { TrainingJobs } from '../signals/training-jobs';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';
import { ModelRegistry } from '../store/models';
import { PreferenceStore } from '../store/preferences';
import { SignalStore } from '../store/signals';
import { WatchlistStore } from '../store/watchlist';
import { watchUnreachable } from './unreachable';

export const SAMPLE_STREAM: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
export const SAMPLE_FILE = join(appRoot(), 'resources', 'sample', 'bybit_BTCUSDT_1m.csv');

/** The start of the sample's first candle: a stream that begins there holds the bundled sample. */
function sampleFirstStart(): number | undefined {
  const firstRow = readFileSync(SAMPLE_FILE, 'utf8').split('\n', 2)[1];
  const start = Number(firstRow?.split(',')[0]);
  return Number.isFinite(start) ? start : undefined;
}

const sameStream = (a: Omit<StreamKeyValue, 'exchange'>, b: Omit<StreamKeyValue, 'exchange'>) =>
  a.category === b.category && a.symbol === b.symbol && a.interval === b.interval;

export const BUNDLED_MODELS = join(appRoot(), 'resources', 'models');

/** The newest valid model folder under resources/models (the one `npm run train:default` writes). */
export function bundledModelPath(dir = BUNDLED_MODELS): string | undefined {
  if (!existsSync(dir)) return undefined;
  const models = readdirSync(dir)
    .map((name) => join(dir, name))
    .flatMap((path) => {
      try {
        return [{ path, createdAt: loadModel(path).metadata.createdAt }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.createdAt - a.createdAt);
  return models[0]?.path;
}

export interface EngineOptions {
  storePath: string;
  /** Import the bundled sample when the store has no candles, so a first offline run shows a chart. */
  seedSample?: boolean;
  /**
   * Import the bundled sample once the feed finds the exchange unreachable while the store has no
   * candles, so a run with no network shows a chart rather than nothing.
   */
  sampleWhenOffline?: boolean;
  /** Score the newest windows of a sample imported on this run in the background (the app does; tests mostly not). */
  scoreSample?: boolean;
  /** The model to score with; defaults to the bundled one. False runs without a model engine. */
  modelPath?: string | false;
  /** Where models trained from the app are saved (default: models/ in the user-data folder). */
  modelsDir?: string;
  log?: (line: string) => void;
  /** The live feed: endpoints (Bybit mainnet by default), clock and timings; false runs without one. */
  market?: MarketOptions | false;
}

export type MarketOptions = Partial<Omit<FeedOptions, 'store' | 'watchlist' | 'events' | 'bus' | 'log'>> & {
  /** Replaces the stored watchlist before the feed starts. */
  watch?: StreamKeyValue[];
};

export interface Engine {
  readonly store: CandleStore;
  /** The push to renderers. */
  readonly events: EventHub;
  /** The live corridor inside the engine: stored candles, stored signals, fired alerts. */
  readonly bus: EngineBus;
  readonly watchlist: WatchlistStore;
  readonly feed: MarketFeed | undefined;
  readonly dispatch: Dispatch;
  /** Undefined when the engine runs without a model (and so is the scorer). */
  readonly model: ModelHost | undefined;
  readonly scorer: LiveScorer | undefined;
  close(): void;
}

/** The corridor's events renderers see, under their bridge names. */
function relayToRenderers(bus: EngineBus, events: EventHub): () => void {
  const stops = [
    // Candles were validated where they entered; checking them again on the feed's hot path cost as much as storing them.
    bus.listen('candle.updated', (update) => events.emitValidated('candle.updated', update)),
    bus.listen('signal.stored', (signal) => events.emit('signal.created', signal)),
    bus.listen('signal.provisional', (signal) => events.emit('signal.provisional', signal)),
    bus.listen('alert.fired', (fired) => events.emit('alert.fired', fired)),
  ];
  return () => stops.forEach((stop) => stop());
}

export function createEngine({
  storePath,
  seedSample = true,
  sampleWhenOffline = false,
  scoreSample: scoreSampleOption = false,
  modelPath: modelPathOption,
  modelsDir,
  log = () => {},
  market = {},
}: EngineOptions): Engine {
  const db = openDatabase(storePath);
  const store = new CandleStore(db);
  const preferences = new PreferenceStore(db);
  const watchlist = new WatchlistStore(db);
  const importSample = (why: string): boolean => {
    if (!store.isEmpty()) return false;
    const { rows } = importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
    log(`${why}: imported the bundled sample, ${rows} ${SAMPLE_STREAM.symbol} ${SAMPLE_STREAM.interval}m candles`);
    return true;
  };
  const sampleAtStart = seedSample && importSample('empty store');
  const events = new EventHub((err, name) => log(`a '${name}' listener failed: ${err.message}`));
  const bus = createEngineBus(log);
  // First: a renderer hears of a signal before the alerts it fires.
  const stopRelay = relayToRenderers(bus, events);
  const alerts = new AlertStore(db);
  const stopAlerts = watchAlerts(bus, alerts, log);
  const drawings = new DrawingStore(db, log);
  const stopPriceAlerts = watchPriceAlerts(bus, drawings, events, log);
  let feed: MarketFeed | undefined;
  if (market !== false) {
    const { watch, ...feedOptions } = market;
    if (watch !== undefined) watchlist.replace(watch);
    feed = new MarketFeed({
      wsBase: MAINNET.ws,
      restBase: MAINNET.rest,
      source: 'bybit mainnet',
      ...feedOptions,
      store,
      watchlist,
      events,
      bus,
      log,
    });
  }
  const registry = new ModelRegistry(db);
  const signals = new SignalStore(db);
  const modelPath = modelPathOption === undefined ? bundledModelPath() : modelPathOption;
  if (modelPath === undefined) log('no bundled model found in resources/models: running without signals');
  const host = modelPath === false || modelPath === undefined ? undefined : new ModelHost({ store, signals, registry, modelPath, log });
  const modelsFolder = modelsDir ?? join(userDataDir(), 'models');
  const model: ModelSide | undefined = host && {
    host,
    backtests: new BacktestJobs(host, store, events),
    trainings: new TrainingJobs({ store, registry, events, modelsDir: modelsFolder, backends: () => host.backends() }),
    modelsDir: modelsFolder,
  };
  const scorer =
    host &&
    new LiveScorer({
      host,
      signals,
      bus,
      provisional: () => preferences.get().provisionalSignals,
      now: market === false ? undefined : (market.marketNow ?? Date.now),
      log,
    });
  // The sample gets signals at once, newest first: a first run shows what the product does.
  const history =
    scoreSampleOption &&
    host &&
    scorer &&
    new HistoryScoring({
      host,
      store,
      signals,
      // Read when each window is scored: the active model's measured default is known once it has loaded.
      get method() {
        return scorer.method;
      },
      publish: (signal) => events.emit('signal.created', signal),
      progress: (key, done, total) => events.emit('signals.backfill', { ...key, done, total }),
      log,
    });
  const scoreSample = (): void => {
    if (history) void history.score(SAMPLE_STREAM).catch((err: Error) => log(`scoring the sample failed: ${err.message}`));
  };
  if (sampleAtStart) scoreSample();
  const sampleStart = sampleFirstStart();
  const sampleInStore = () => {
    const stored = store.streams().find((s) => sameStream(s, SAMPLE_STREAM));
    return stored !== undefined && stored.first === sampleStart && stored.last !== null
      ? { ...SAMPLE_STREAM, first: stored.first, last: stored.last }
      : null;
  };
  // Replays score with the live path's model and method, so they give the signals live gave.
  const replays = new Replays(
    store,
    events,
    host &&
      scorer &&
      ((key, revealed, modelVersion) => host.explainRevealed(key, revealed, (model) => scorer.methodFor(model), modelVersion)),
  );
  const handlers = {
    ...appHandlers(storePath, preferences, sampleInStore),
    ...marketHandlers(store, watchlist, feed),
    ...watchlistHandlers(store, watchlist, feed),
    ...alertHandlers(alerts),
    ...replayHandlers(replays, registry),
    ...modelHandlers(model, registry),
    ...signalHandlers(model, signals),
    ...backtestHandlers(model),
    ...trainingHandlers(model),
    ...auditHandlers({ candles: store, signals, alerts }, host),
    ...forecastHandlers(model, signals),
    ...drawingHandlers(drawings),
    ...layoutHandlers(new LayoutStore(db)),
  } satisfies Handlers;
  // Last: every listener of the corridor is in place before the first candle.
  feed?.start();
  const stopWatchingReach =
    feed !== undefined && sampleWhenOffline && store.isEmpty()
      ? watchUnreachable(
          () => feed.health(),
          () => {
            if (!importSample('the exchange is unreachable and nothing is stored')) return;
            events.emit('sample.imported', SAMPLE_STREAM);
            scoreSample();
          },
        )
      : undefined;
  return {
    store,
    events,
    bus,
    watchlist,
    feed,
    dispatch: createDispatch(handlers),
    model: host,
    scorer,
    close: () => {
      stopWatchingReach?.();
      if (history) history.stop();
      scorer?.stop();
      void model?.trainings.close();
      void host?.close();
      stopAlerts();
      stopPriceAlerts();
      stopRelay();
      replays.closeAll();
      feed?.stop();
      db.close();
    },
  };
}
