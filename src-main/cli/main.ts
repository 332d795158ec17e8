/**
 * `candle-lens` command line: `npm run cli -- <command>` or the package bin. Each command is a thin
 * wrapper over the same engine modules the app uses.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createEngine } from '../engine/engine';
import { StreamKey, type StreamKeyValue } from '../ipc/contract';
import { CSV_HEADER, CsvError, formatCandleCsvRow } from '../market/candle-csv';
import { importCandleCsv } from '../market/import-csv';
import { appRoot, defaultStorePath } from '../paths';
import { serve } from '../server/serve';
import { CandleStore } from '../store/candles';
import { openDatabase } from '../store/database';

const USAGE = `usage: candle-lens <command> [options]

commands:
  serve  [--db PATH] [--host H] [--port N]        run the engine headless and serve the UI
  import --db PATH --symbol S --interval I [--category C] FILE.csv
                                                  import candles (all or nothing)
  export --db PATH --symbol S --interval I [--category C] [--from MS] [--to MS]
                                                  write closed candles as CSV to stdout

--db defaults to ${defaultStorePath()}`;

class UsageError extends Error {}

const streamOptions = {
  db: { type: 'string' },
  symbol: { type: 'string' },
  interval: { type: 'string' },
  category: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function streamKey(values: { symbol?: string; interval?: string; category?: string }): StreamKeyValue {
  const key = StreamKey.safeParse({ symbol: values.symbol, interval: values.interval, category: values.category });
  if (!key.success) throw new UsageError(`bad stream: ${key.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return key.data;
}

function epochOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a time in ms since the epoch, got "${text}"`);
  return Number(text);
}

async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  const dir = join(appRoot(), 'out', 'renderer');
  if (!existsSync(join(dir, 'index.html'))) {
    log('the renderer is not built yet: building it once with electron-vite');
    const { build } = await import('electron-vite');
    await build({ configFile: join(appRoot(), 'electron.vite.config.ts'), logLevel: 'warn' });
  }
  return dir;
}

async function commandServe(args: string[]): Promise<void> {
  const { values } = parse(args, { db: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } });
  const log = (line: string) => console.log(`[serve] ${line}`);
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
  const rendererDir = await ensureRendererBuilt(log);
  const storePath = values.db ?? defaultStorePath();
  const engine = createEngine({ storePath, log });
  log(`store: ${storePath}`);
  const server = await serve({ engine, rendererDir, host: values.host ?? '127.0.0.1', port, log });
  console.log(`Open ${server.url}`);
  const stop = () => {
    void server.close().then(() => {
      engine.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function openStore(path: string | undefined): CandleStore {
  if (path === undefined) throw new UsageError('--db PATH is required');
  return new CandleStore(openDatabase(path));
}

function commandImport(args: string[]): void {
  const { values, positionals } = parse(args, streamOptions);
  if (positionals.length !== 1) throw new UsageError('import takes exactly one FILE.csv');
  const file = positionals[0] ?? '';
  const key = streamKey(values);
  const store = openStore(values.db);
  try {
    const { rows, written } = importCandleCsv(store, key, file);
    console.log(`imported ${rows} rows from ${file} into ${key.category} ${key.symbol} ${key.interval} (${written} new or changed)`);
  } catch (err) {
    if (err instanceof CsvError) throw new Error(`${file}: ${err.message}; nothing was imported`);
    throw err;
  } finally {
    store.db.close();
  }
}

function commandExport(args: string[]): void {
  const { values } = parse(args, { ...streamOptions, from: { type: 'string' }, to: { type: 'string' } });
  const key = streamKey(values);
  const store = openStore(values.db);
  const lines = [CSV_HEADER];
  for (const candle of store.closed(key, epochOption('from', values.from), epochOption('to', values.to))) {
    lines.push(formatCandleCsvRow(candle));
  }
  store.db.close();
  process.stdout.write(`${lines.join('\n')}\n`);
}

const commands: Record<string, (args: string[]) => void | Promise<void>> = {
  serve: commandServe,
  import: commandImport,
  export: commandExport,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    console.error(name === undefined || name === 'help' || name === '--help' ? USAGE : `unknown command "${name}"\n\n${USAGE}`);
    return name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    await command(args);
    return 0;
  } catch (err) {
    console.error(`candle-lens ${name}: ${(err as Error).message}`);
    if (err instanceof UsageError) console.error(`\n${USAGE}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
