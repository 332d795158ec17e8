/**
 * Starts one of our worker threads. Under tsx or Vitest a worker runs from its TypeScript source
 * with tsx's loader; in the electron-vite build it is out/main/NAME.js, an extra input of the main
 * build (electron.vite.config.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../paths';

export function spawnWorker(name: string, source: string, workerData?: unknown): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const bundled = join(appRoot(), 'out', 'main', `${name}.js`);
  if (!fromSource && existsSync(bundled)) return new Worker(bundled, { workerData });
  const loader = pathToFileURL(createRequire(join(appRoot(), 'package.json')).resolve('tsx')).href;
  return new Worker(join(appRoot(), source), { execArgv: ['--import', loader], workerData });
}
