/**
 * Finds the Electron binary without triggering electron's own download-on-require, so tests and
 * `npm start` can tell in one line why the desktop app cannot run here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));

export function electronBinary(): string | undefined {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(electronDir, 'dist');
  const binary = join(dist, readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : undefined;
}

/** Electron's own installer, run once on the first start; quiet, since failure has a fallback. */
export function downloadElectron(): boolean {
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'ignore', timeout: 300_000 });
  return result.status === 0 && electronBinary() !== undefined;
}

/** Why the desktop app cannot start here, or undefined when it can. */
export function electronUnavailable(): string | undefined {
  if (electronBinary() === undefined) return 'no Electron binary is installed (its download is not reachable from here)';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY is unset)';
  return undefined;
}
