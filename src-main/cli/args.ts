/** Shared option parsing for CLI commands: every bad option becomes a UsageError with a clear message. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { StreamKey, type StreamKeyValue } from '../../src-shared/domain/market';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';

export class UsageError extends Error {}

export const streamOptions = {
  db: { type: 'string' },
  symbol: { type: 'string' },
  interval: { type: 'string' },
  category: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Options and the operands after them (e.g. a file to import). */
export function parseWithOperands<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Options only: a stray operand is a usage error, not silently ignored. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  const { values, positionals } = parseWithOperands(args, options);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return { values };
}

/**
 * The app's own options out of a command line that also carries other programs' switches (Electron's
 * and Chromium's), checked as strictly as a CLI command's.
 */
export function ownOptions<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  const { values } = parseArgs({ args, options, allowPositionals: true, strict: false });
  const own = Object.entries(values).flatMap(([name, value]) =>
    !(name in options) ? [] : value === true ? [`--${name}`] : typeof value === 'string' ? [`--${name}=${value}`] : [],
  );
  return parse(own, options).values;
}

export function streamKey(values: { symbol?: string; interval?: string; category?: string }): StreamKeyValue {
  const key = StreamKey.safeParse({ symbol: values.symbol, interval: values.interval, category: values.category });
  if (!key.success) throw new UsageError(`bad stream: ${key.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return key.data;
}

export function epochOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a time in ms since the epoch, got "${text}"`);
  return Number(text);
}

export function openStore(path: string | undefined): CandleStore {
  if (path === undefined) throw new UsageError('--db PATH is required');
  return new CandleStore(openDatabase(path));
}
