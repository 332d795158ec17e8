import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createEngine, type MarketOptions } from '../engine/engine';
import { DEFAULT_BACKFILL_DEPTH_MS } from '../feed/feed';
import { healthLine } from '../feed/health-text';
import { StreamKey, type StreamKeyValue } from '../ipc/contract';
import { MAINNET, TESTNET } from '../market/bybit/protocol';
import { appRoot, defaultStorePath } from '../paths';
import { serve } from '../server/serve';
import { parse, UsageError } from './args';

const HEALTH_LOG_MS = 10_000;

async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  const dir = join(appRoot(), 'out', 'renderer');
  if (!existsSync(join(dir, 'index.html'))) {
    log('the renderer is not built yet: building it once with electron-vite');
    const { build } = await import('electron-vite');
    await build({ configFile: join(appRoot(), 'electron.vite.config.ts'), logLevel: 'warn' });
  }
  return dir;
}

const serveOptions = {
  db: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  feed: { type: 'string' },
  'bybit-ws': { type: 'string' },
  'bybit-rest': { type: 'string' },
  testnet: { type: 'boolean' },
  category: { type: 'string' },
  symbols: { type: 'string' },
  intervals: { type: 'string' },
  'backfill-days': { type: 'string' },
  csv: { type: 'string' },
  'replay-step-ms': { type: 'string' },
  'replay-history': { type: 'string' },
} as const;

type ServeValues = ReturnType<typeof parse<typeof serveOptions>>['values'];

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** `--symbols A,B --intervals 1,5 --category C` as stream keys; undefined when no --symbols. */
function watchedStreams(values: ServeValues, fallbackSymbol: string | undefined): StreamKeyValue[] | undefined {
  const symbols = values.symbols?.split(',').filter(Boolean) ?? (fallbackSymbol === undefined ? undefined : [fallbackSymbol]);
  if (symbols === undefined) {
    if (values.intervals !== undefined) throw new UsageError('--intervals needs --symbols');
    return undefined;
  }
  const intervals = (values.intervals ?? '1').split(',').filter(Boolean);
  return symbols.flatMap((symbol) =>
    intervals.map((interval) => {
      const key = StreamKey.safeParse({ symbol, interval, category: values.category });
      if (!key.success) throw new UsageError(`bad stream ${symbol} ${interval}: ${key.error.issues.map((i) => i.message).join('; ')}`);
      return key.data;
    }),
  );
}

/** The feed as the options ask: Bybit (mainnet, testnet or given URLs), an offline replay, or none. */
async function marketOptions(
  values: ServeValues,
  log: (line: string) => void,
): Promise<{ market: MarketOptions | false; stop: () => Promise<void> }> {
  const feed = values.feed ?? 'bybit';
  const backfillDepthMs = positiveNumber('backfill-days', values['backfill-days'], DEFAULT_BACKFILL_DEPTH_MS / 86_400_000) * 86_400_000;
  if (feed === 'off') return { market: false, stop: async () => {} };
  if (feed === 'bybit') {
    const base = values.testnet ? TESTNET : MAINNET;
    const wsBase = values['bybit-ws'] ?? base.ws;
    const restBase = values['bybit-rest'] ?? base.rest;
    const source = values['bybit-ws'] ? wsBase : values.testnet ? 'bybit testnet' : 'bybit mainnet';
    return { market: { wsBase, restBase, source, backfillDepthMs, watch: watchedStreams(values, undefined) }, stop: async () => {} };
  }
  if (feed !== 'replay') throw new UsageError(`--feed must be bybit, replay or off, got "${feed}"`);
  if (values.csv === undefined)
    throw new UsageError('--feed replay needs --csv FILE (1-minute candles, start_ms,open,high,low,close,volume)');
  if (values.category === 'spot') throw new UsageError('the replay serves the linear category');
  // The fake exchange lives with the tests; it is loaded only for an offline replay.
  const { FakeBybit, readSourceCsv } = await import('../../tests/fake-bybit/server');
  const fromName = /_([A-Z0-9]{2,30})_1m\.csv$/.exec(basename(values.csv))?.[1];
  const watch = watchedStreams(values, fromName);
  if (watch === undefined) throw new UsageError('--feed replay needs --symbols (the CSV name does not say which symbol it holds)');
  if (watch.some((k) => k.interval !== '1')) throw new UsageError('the replay serves 1-minute candles only: use --intervals 1');
  const rows = readSourceCsv(values.csv);
  const history = positiveNumber('replay-history', values['replay-history'], backfillDepthMs / 60_000);
  const fake = await new FakeBybit({
    rows,
    symbols: [...new Set(watch.map((k) => k.symbol))],
    startIndex: Math.min(rows.length - 1, Math.floor(history)),
  }).listen();
  fake.play(positiveNumber('replay-step-ms', values['replay-step-ms'], 250));
  log(`replaying ${rows.length} candles of ${values.csv} from a fake Bybit at ${fake.restUrl} (${Math.floor(history)} as history)`);
  return {
    market: { wsBase: fake.wsUrl, restBase: fake.restUrl, source: 'replay', marketNow: () => fake.now(), backfillDepthMs, watch },
    stop: () => fake.close(),
  };
}

export async function commandServe(args: string[]): Promise<void> {
  const { values } = parse(args, serveOptions);
  const log = (line: string) => console.log(`[serve] ${line}`);
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
  const { market, stop: stopReplay } = await marketOptions(values, log);
  const rendererDir = await ensureRendererBuilt(log);
  const storePath = values.db ?? defaultStorePath();
  const seedSample = market === false || (market.watch === undefined && market.source !== 'replay');
  const engine = createEngine({ storePath, log, market, seedSample });
  log(`store: ${storePath}`);
  if (engine.feed !== undefined) {
    const watched = engine.watchlist.list();
    log(
      `feed: ${market === false ? 'off' : market.source}, watching ${watched.map((k) => `${k.category} ${k.symbol} ${k.interval}`).join(', ') || 'nothing yet'}`,
    );
    setInterval(() => {
      for (const stream of engine.feed?.health().streams ?? []) log(healthLine(stream));
    }, HEALTH_LOG_MS).unref();
  }
  const server = await serve({ engine, rendererDir, host: values.host ?? '127.0.0.1', port, log });
  console.log(`Open ${server.url}`);
  const stop = () => {
    void server.close().then(async () => {
      engine.close();
      await stopReplay();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
