import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../engine/engine';
import { healthLines } from '../feed/health-text';
import { appRoot, defaultStorePath } from '../paths';
import { serve } from '../server/serve';
import { parse, UsageError } from './args';
import { feedFromOptions, feedOptions } from './feed-options';

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
  ...feedOptions,
} as const;

export async function commandServe(args: string[]): Promise<void> {
  const { values } = parse(args, serveOptions);
  const log = (line: string) => console.log(`[serve] ${line}`);
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${values.port}"`);
  const { market, seedSample, sampleWhenOffline, stop: stopReplay } = await feedFromOptions(values, log);
  const rendererDir = await ensureRendererBuilt(log);
  const storePath = values.db ?? defaultStorePath();
  const engine = createEngine({ storePath, log, market, seedSample, sampleWhenOffline, scoreSample: true });
  log(`store: ${storePath}`);
  if (engine.feed !== undefined) {
    const watched = engine.watchlist.list();
    log(
      `feed: ${market === false ? 'off' : market.source}, watching ${watched.map((k) => `${k.category} ${k.symbol} ${k.interval}`).join(', ') || 'nothing yet'}`,
    );
    setInterval(() => {
      const health = engine.feed?.health();
      if (health !== undefined) for (const line of healthLines(health)) log(line);
    }, HEALTH_LOG_MS).unref();
  }
  const warn = (line: string) => console.error(`[serve] ${line}`);
  const server = await serve({ engine, rendererDir, host: values.host ?? '127.0.0.1', port, log, warn });
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
