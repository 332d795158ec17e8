/**
 * The market feed as command-line options ask for it: Bybit (mainnet, testnet or given URLs), an
 * offline replay from a fake Bybit, or none. Shared by `serve` and the Electron shell, so the desktop
 * app runs against the same feeds.
 */
import { basename } from 'node:path';
import type { MarketOptions } from '../engine/engine';
import { DEFAULT_BACKFILL_CANDLES } from '../feed/feed';
import { StreamKey, type StreamKeyValue } from '../../src-shared/domain/market';
import { MAINNET, TESTNET } from '../market/bybit/protocol';
import { parse, UsageError } from './args';

export const feedOptions = {
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

export type FeedValues = ReturnType<typeof parse<typeof feedOptions>>['values'];

export interface Feed {
  market: MarketOptions | false;
  /** Whether an empty store gets the bundled sample: not when the user chose what to watch. */
  seedSample: boolean;
  /** Whether the sample is imported once the exchange proves unreachable with nothing stored: not for a replay. */
  sampleWhenOffline: boolean;
  stop: () => Promise<void>;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** `--bybit-ws` / `--bybit-rest`: an endpoint's base URL (the client adds the /v5/... paths). */
function baseUrl(name: string, text: string | undefined, protocols: readonly string[], example: string): string | undefined {
  if (text === undefined) return undefined;
  const url = URL.parse(text);
  if (url === null || !protocols.includes(url.protocol))
    throw new UsageError(`--${name} must be a ${protocols.join(' or ')} URL such as ${example}, got "${text}"`);
  if (url.pathname !== '/' || url.search !== '')
    throw new UsageError(`--${name} takes the base URL only, such as ${example} (the app adds the /v5/... path), got "${text}"`);
  return `${url.protocol}//${url.host}`;
}

/** `--symbols A,B --intervals 1,5 --category C` as stream keys; undefined when no --symbols. */
function watchedStreams(values: FeedValues, fallbackSymbol: string | undefined): StreamKeyValue[] | undefined {
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

async function marketOptions(values: FeedValues, log: (line: string) => void): Promise<Pick<Feed, 'market' | 'stop'>> {
  const feed = values.feed ?? 'bybit';
  const backfillDays = positiveNumber('backfill-days', values['backfill-days']);
  const backfillDepthMs = backfillDays === undefined ? undefined : backfillDays * 86_400_000;
  if (feed === 'off') return { market: false, stop: async () => {} };
  if (feed === 'bybit') {
    const base = values.testnet ? TESTNET : MAINNET;
    const wsBase = baseUrl('bybit-ws', values['bybit-ws'], ['ws:', 'wss:'], MAINNET.ws) ?? base.ws;
    const restBase = baseUrl('bybit-rest', values['bybit-rest'], ['http:', 'https:'], MAINNET.rest) ?? base.rest;
    const source = values['bybit-ws'] ? wsBase : values.testnet ? 'bybit testnet' : 'bybit mainnet';
    return { market: { wsBase, restBase, source, backfillDepthMs, watch: watchedStreams(values, undefined) }, stop: async () => {} };
  }
  if (feed !== 'replay') throw new UsageError(`--feed must be bybit, replay or off, got "${feed}"`);
  if (values.csv === undefined)
    throw new UsageError('--feed replay needs --csv FILE (1-minute candles, start_ms,open,high,low,close,volume)');
  if (values.category === 'spot') throw new UsageError('the replay serves the linear category');
  // The fake exchange lives with the tests; it is loaded only for an offline replay.
  const { FakeBybit, readSourceCsv } = await import('../market/fake-bybit/server');
  const fromName = /_([A-Z0-9]{2,30})_1m\.csv$/.exec(basename(values.csv))?.[1];
  const watch = watchedStreams(values, fromName);
  if (watch === undefined) throw new UsageError('--feed replay needs --symbols (the CSV name does not say which symbol it holds)');
  if (watch.some((k) => k.interval !== '1')) throw new UsageError('the replay serves 1-minute candles only: use --intervals 1');
  let rows;
  try {
    rows = readSourceCsv(values.csv);
  } catch (err) {
    throw new UsageError(`--csv ${values.csv}: ${(err as Error).message}`);
  }
  const history =
    positiveNumber('replay-history', values['replay-history']) ??
    (backfillDepthMs === undefined ? DEFAULT_BACKFILL_CANDLES : backfillDepthMs / 60_000);
  const fake = await new FakeBybit({
    rows,
    symbols: [...new Set(watch.map((k) => k.symbol))],
    startIndex: Math.min(rows.length - 1, Math.floor(history)),
  }).listen();
  fake.play(positiveNumber('replay-step-ms', values['replay-step-ms']) ?? 250);
  log(`replaying ${rows.length} candles of ${values.csv} from a fake Bybit at ${fake.restUrl} (${Math.floor(history)} as history)`);
  return {
    market: { wsBase: fake.wsUrl, restBase: fake.restUrl, source: 'replay', marketNow: () => fake.now(), backfillDepthMs, watch },
    stop: () => fake.close(),
  };
}

/** The feed the options describe, started (a replay's fake exchange is listening and playing). */
export async function feedFromOptions(values: FeedValues, log: (line: string) => void): Promise<Feed> {
  const { market, stop } = await marketOptions(values, log);
  return {
    market,
    stop,
    seedSample: market === false || (market.watch === undefined && market.source !== 'replay'),
    sampleWhenOffline: market !== false && market.source !== 'replay',
  };
}
