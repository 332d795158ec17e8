/** The model registry: which trained models exist, where, and what their metadata says. */
import type { ModelMetadata } from '../model/model-file';
import type { Db } from './database';

export interface RegisteredModel {
  version: string;
  path: string;
  createdAt: number;
  registeredAt: number;
  metadata: ModelMetadata;
}

interface ModelRow {
  version: string;
  path: string;
  created_at: number;
  registered_at: number;
  metadata: string;
}

const toRegistered = (r: ModelRow): RegisteredModel => ({
  version: r.version,
  path: r.path,
  createdAt: r.created_at,
  registeredAt: r.registered_at,
  metadata: JSON.parse(r.metadata) as ModelMetadata,
});

export class ModelRegistry {
  constructor(readonly db: Db) {}

  /** Registers (or re-registers, e.g. after a move) a saved model folder. */
  register(path: string, metadata: ModelMetadata): void {
    this.db
      .prepare(
        `INSERT INTO models (version, path, created_at, registered_at, metadata) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (version) DO UPDATE SET path = excluded.path, metadata = excluded.metadata`,
      )
      .run(metadata.version, path, metadata.createdAt, Date.now(), JSON.stringify(metadata));
  }

  list(): RegisteredModel[] {
    return this.db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY registered_at DESC, version').all().map(toRegistered);
  }

  /** One model by version (asked on every replay step that names one). */
  get(version: string): RegisteredModel | undefined {
    const row = this.db.prepare<[string], ModelRow>('SELECT * FROM models WHERE version = ?').get(version);
    return row === undefined ? undefined : toRegistered(row);
  }
}
