import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const APP_NAME = 'candle-lens';

/**
 * The folder holding db/ and resources/: the repository root in dev (src-main/…) and in a build
 * (out/main/…), found by walking up so that both layouts work without configuration.
 */
export function appRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'db')) && existsSync(join(dir, 'resources'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the app's db/ and resources/ above ${from}`);
  }
}

/**
 * In a packaged app, the `app.asar.unpacked` twin of a path inside `app.asar` when `exists` finds it
 * (files read by WebAssembly, dlopen or worker threads are unpacked there); otherwise the path itself.
 * Either separator, so that Windows paths find their twin too.
 */
export function unpackedTwin(path: string, exists: (twin: string) => boolean = existsSync): string {
  const twin = path.replace(/([\\/])app\.asar(?=[\\/])/, '$1app.asar.unpacked');
  return twin !== path && exists(twin) ? twin : path;
}

/** The per-user application-data folder, the same one Electron's app.getPath('userData') names. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

export function defaultStorePath(): string {
  return join(userDataDir(), 'candle-lens.db');
}
