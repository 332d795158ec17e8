import { PreferencesSchema, type Preferences } from '../../src-shared/domain/preferences';
import type { Db } from './database';

const KEY = 'ui';

/** The UI's preferences document; a stored document that no longer parses falls back to defaults. */
export class PreferenceStore {
  /** The engine reads them on every live update (e.g. whether to score the forming candle). */
  #cached: Preferences | undefined;

  constructor(private readonly db: Db) {}

  get(): Preferences {
    this.#cached ??= this.#read();
    return this.#cached;
  }

  #read(): Preferences {
    const text = this.db.prepare('SELECT value FROM preferences WHERE key = ?').pluck().get(KEY);
    let stored: unknown = {};
    try {
      stored = typeof text === 'string' ? JSON.parse(text) : {};
    } catch {
      // A hand-edited or truncated document: keep the app usable with defaults.
    }
    const parsed = PreferencesSchema.safeParse(stored);
    return parsed.success ? parsed.data : PreferencesSchema.parse({});
  }

  set(preferences: Preferences): Preferences {
    this.db
      .prepare('INSERT INTO preferences (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(KEY, JSON.stringify(preferences));
    this.#cached = preferences;
    return preferences;
  }
}
