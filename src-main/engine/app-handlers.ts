/** The bridge's app calls: what runs and where its store is, and the user's preferences. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CallResponse } from '../../src-shared/contract/bridge';
import type { HandlersFor } from '../ipc/dispatch';
import { appRoot } from '../paths';
import type { PreferenceStore } from '../store/preferences';

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function appHandlers(
  storePath: string,
  preferences: PreferenceStore,
  sample: () => CallResponse<'app.info'>['sample'],
): HandlersFor<'app' | 'preferences'> {
  const { version } = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    'app.info': () => ({
      name: 'Candle Lens',
      version,
      storePath,
      storeBytes: fileBytes(storePath) + fileBytes(`${storePath}-wal`),
      sample: sample(),
    }),
    'preferences.get': () => preferences.get(),
    'preferences.set': (next) => preferences.set(next),
  };
}
