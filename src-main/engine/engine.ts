/**
 * The main-process engine: store, handlers and events, with no knowledge of Electron or of the
 * transport. The Electron shell and `serve` both wrap this same object.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AlertStore, watchAlerts } from '../alerts/alerts';
import { auditRows, verifySignal } from '../audit/audit';
import { MarketFeed, type FeedOptions } from '../feed/feed';
import type { EventPayload, StreamKeyValue } from '../ipc/contract';
import { createDispatch, EventHub, type Dispatch, type Handlers } from '../ipc/dispatch';
import { MAINNET } from '../market/bybit/protocol';
import { importCandleCsv } from '../market/import-csv';
import { EvaluationReportSchema, SIGNAL_CLASSES } from '../ipc/contract';
import { loadModel } from '../model/model-file';
import { appRoot, userDataDir } from '../paths';
import { Replays } from '../replay/replay';
import { ModelService } from '../signals/service';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';
import { ModelRegistry } from '../store/models';
import { PreferenceStore } from '../store/preferences';
import { SignalStore } from '../store/signals';
import { WatchlistStore } from '../store/watchlist';

export const SAMPLE_STREAM: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
export const SAMPLE_FILE = join(appRoot(), 'resources', 'sample', 'bybit_BTCUSDT_1m.csv');

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
  /** The model to score with; defaults to the bundled one. False runs without a model engine. */
  modelPath?: string | false;
  /** Where models trained from the app are saved (default: models/ in the user-data folder). */
  modelsDir?: string;
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
  /** Undefined when the engine runs without a model. */
  readonly model: ModelService | undefined;
  close(): void;
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function createEngine({
  storePath,
  seedSample = true,
  modelPath: modelPathOption,
  modelsDir,
  log = () => {},
  market = {},
}: EngineOptions): Engine {
  const db = openDatabase(storePath);
  const store = new CandleStore(db);
  const preferences = new PreferenceStore(db);
  const watchlist = new WatchlistStore(db);
  if (seedSample && store.isEmpty()) {
    const { rows } = importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
    log(`empty store: imported the bundled sample, ${rows} ${SAMPLE_STREAM.symbol} ${SAMPLE_STREAM.interval}m candles`);
  }
  const events = new EventHub((err, name) => log(`a '${name}' listener failed: ${err.message}`));
  const alerts = new AlertStore(db);
  const stopAlerts = watchAlerts(events, alerts, log);
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
      log,
    });
    feed.start();
  }
  const changeWatchlist = (change: () => void) => {
    change();
    feed?.reload();
    return watchlist.list();
  };
  const registry = new ModelRegistry(db);
  const signals = new SignalStore(db);
  const modelPath = modelPathOption === undefined ? bundledModelPath() : modelPathOption;
  const model =
    modelPath === false || modelPath === undefined
      ? undefined
      : new ModelService({
          store,
          signals,
          registry,
          events,
          modelPath,
          modelsDir: modelsDir ?? join(userDataDir(), 'models'),
          provisional: () => preferences.get().provisionalSignals,
          now: market === false ? undefined : (market.marketNow ?? Date.now),
          log,
        });
  if (modelPath === undefined) log('no bundled model found in resources/models: running without signals');
  const unlisten =
    model === undefined
      ? () => {}
      : events.listen((name, payload) => name === 'candle.updated' && model.onCandle(payload as EventPayload<'candle.updated'>));
  // Replays score with the live path's model, so they give the signals live gave.
  const replays = new Replays(
    store,
    events,
    model && ((key, revealed, modelVersion) => model.explainRevealed(key, revealed, modelVersion)),
  );
  const requireModel = (): ModelService => {
    if (model === undefined) throw new Error('this engine runs without a model');
    return model;
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
    'replay.start': (request) => {
      if (request.modelVersion !== undefined && registry.get(request.modelVersion) === undefined)
        throw new Error(`no registered model ${request.modelVersion}`);
      return replays.start(request);
    },
    'replay.control': (request) => replays.control(request),
    'alerts.list': () => alerts.rules(),
    'alerts.add': (rule) => alerts.add(rule),
    'alerts.remove': ({ id }) => ({ removed: alerts.remove(id) }),
    'alerts.fired': ({ limit }) => alerts.fired(limit),
    'alerts.thumbnail': ({ firedId, png }) => ({ stored: alerts.setThumbnail(firedId, png) }),
    'feed.health': () => feed?.health() ?? { source: 'off', streams: [], rejected: {}, latency: null },
    'watchlist.list': () => watchlist.list(),
    'watchlist.quotes': () => watchlist.list().map((key) => ({ ...key, ...store.quote(key) })),
    'watchlist.add': async (key) => {
      await feed?.checkInstrument(key);
      return changeWatchlist(() => watchlist.add(key));
    },
    'watchlist.remove': (key) => changeWatchlist(() => watchlist.remove(key)),
    'instruments.search': async ({ category, query, limit }) =>
      feed === undefined
        ? { instruments: watchlist.searchInstruments(category, query, limit), cached: watchlist.instrumentCount(category), fromCache: true }
        : feed.searchInstruments(category, query, limit),
    'model.info': () => model?.info() ?? { status: 'failed', backend: null, error: 'this engine runs without a model', model: null },
    'models.list': () => {
      const active = model?.info().model?.version;
      return registry.list().map((m) => {
        const test = (m.metadata.metrics as { test?: { model?: { balancedAccuracy?: { value?: number } } } } | null)?.test;
        return {
          version: m.version,
          path: m.path,
          createdAt: m.createdAt,
          active: m.version === active,
          testBalancedAccuracy: test?.model?.balancedAccuracy?.value ?? null,
        };
      });
    },
    'models.report': ({ version }) => {
      const entry = registry.get(version);
      if (entry === undefined) throw new Error(`no registered model ${version}`);
      const report = EvaluationReportSchema.safeParse((entry.metadata.metrics as { test?: unknown } | null)?.test);
      return { version, report: report.success ? report.data : null };
    },
    'models.use': async ({ version: wanted }) => {
      const entry = registry.get(wanted);
      if (entry === undefined) throw new Error(`no registered model ${wanted}`);
      await requireModel().useModel(entry.path);
      return requireModel().info();
    },
    'signals.list': ({ from, to, limit, ...key }) => signals.list(key, from, to, limit),
    'signals.explain': ({ id, method, layer, target }) =>
      requireModel().explainStored(id, method, { layer, target: target === undefined ? undefined : SIGNAL_CLASSES.indexOf(target) }),
    'training.start': ({ epochs, stride, ...key }) => ({ trainingId: requireModel().startTraining(key, { epochs, stride }) }),
    'training.cancel': async ({ trainingId }) => ({ cancelled: await requireModel().cancelTraining(trainingId) }),
    'backtest.run': ({ runId, from, to, modelVersion, rules, ...key }) =>
      requireModel().backtest(key, { runId, from, to, modelVersion, rules }),
    'backtest.cancel': async ({ runId }) => ({ cancelled: await requireModel().cancelBacktest(runId) }),
    'audit.list': ({ limit }) => auditRows({ candles: store, signals, alerts }, limit),
    'audit.verify': async ({ id }) => {
      const signal = signals.get(id);
      if (signal === undefined) throw new Error(`no signal ${id}`);
      return { id, ...(await verifySignal(model, signal)) };
    },
  };
  return {
    store,
    events,
    watchlist,
    feed,
    dispatch: createDispatch(handlers),
    model,
    close: () => {
      unlisten();
      void model?.close();
      stopAlerts();
      replays.closeAll();
      feed?.stop();
      db.close();
    },
  };
}
