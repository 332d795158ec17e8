/**
 * The main-process engine: store, handlers and events, with no knowledge of Electron or of the
 * transport. The Electron shell and `serve` both wrap this same object.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamKeyValue } from '../ipc/contract';
import { createDispatch, EventHub, type Dispatch, type Handlers } from '../ipc/dispatch';
import { importCandleCsv } from '../market/import-csv';
import { appRoot } from '../paths';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';
import { PreferenceStore } from '../store/preferences';

export const SAMPLE_STREAM: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
export const SAMPLE_FILE = join(appRoot(), 'resources', 'sample', 'bybit_BTCUSDT_1m.csv');

export interface EngineOptions {
  storePath: string;
  /** Import the bundled sample when the store has no candles, so a first offline run shows a chart. */
  seedSample?: boolean;
  log?: (line: string) => void;
}

export interface Engine {
  readonly store: CandleStore;
  readonly events: EventHub;
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

export function createEngine({ storePath, seedSample = true, log = () => {} }: EngineOptions): Engine {
  const db = openDatabase(storePath);
  const store = new CandleStore(db);
  const preferences = new PreferenceStore(db);
  if (seedSample && store.isEmpty()) {
    const { rows } = importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
    log(`empty store: imported the bundled sample, ${rows} ${SAMPLE_STREAM.symbol} ${SAMPLE_STREAM.interval}m candles`);
  }
  const events = new EventHub();
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
  };
  return {
    store,
    events,
    dispatch: createDispatch(handlers),
    close: () => db.close(),
  };
}
