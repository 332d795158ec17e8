/**
 * Drawings per stream and the named multi-chart layouts, in the store. What is stored has passed the
 * contract's schemas; a stored row that no longer parses (edited by hand) is skipped with its id in the log,
 * never handed to a renderer.
 */
import {
  DrawingShape,
  LayoutSchema,
  type Drawing,
  type DrawingInputValue,
  type Layout,
  type NamedLayout,
} from '../../src-shared/domain/drawings';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { Db } from '../store/database';

interface DrawingRow {
  id: number;
  exchange: 'bybit';
  category: Drawing['category'];
  symbol: string;
  interval: Drawing['interval'];
  shape: string;
  locked: number;
  created_at: number;
  updated_at: number;
}

export class DrawingStore {
  /** Counts the changes stored: readers that cache what they read (price alerts) read again when it moves. */
  changes = 0;

  constructor(
    private readonly db: Db,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The stream's drawings, oldest first (the order they are drawn in). */
  list(key: StreamKeyValue): Drawing[] {
    const rows = this.db
      .prepare<StreamKeyValue, DrawingRow>(
        `SELECT * FROM drawings WHERE exchange = @exchange AND category = @category AND symbol = @symbol AND interval = @interval
         ORDER BY id`,
      )
      .all(key);
    return rows.flatMap((row) => {
      const shape = DrawingShape.safeParse(JSON.parse(row.shape));
      if (!shape.success) {
        this.log(`drawing ${row.id} is not a valid drawing any more; skipped`);
        return [];
      }
      return [
        {
          id: row.id,
          exchange: row.exchange,
          category: row.category,
          symbol: row.symbol,
          interval: row.interval,
          shape: shape.data,
          locked: row.locked === 1,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        },
      ];
    });
  }

  /**
   * Stores a new drawing, or replaces an existing one's shape and lock. A locked drawing keeps its shape:
   * only unlocking it (the same shape, `locked` false) is taken.
   */
  save(input: DrawingInputValue, now = Date.now()): Drawing {
    const { id, shape, locked, ...key } = input;
    const shapeJson = JSON.stringify(shape);
    if (id === undefined) {
      const { lastInsertRowid } = this.db
        .prepare(
          `INSERT INTO drawings (exchange, category, symbol, interval, kind, shape, locked, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(key.exchange, key.category, key.symbol, key.interval, shape.kind, shapeJson, locked ? 1 : 0, now, now);
      this.changes++;
      return { ...input, id: Number(lastInsertRowid), createdAt: now, updatedAt: now };
    }
    const stored = this.db.prepare<[number], DrawingRow>('SELECT * FROM drawings WHERE id = ?').get(id);
    if (stored === undefined) throw new Error(`no drawing ${id}`);
    if (
      stored.exchange !== key.exchange ||
      stored.category !== key.category ||
      stored.symbol !== key.symbol ||
      stored.interval !== key.interval
    ) {
      throw new Error(`drawing ${id} belongs to ${stored.symbol} ${stored.interval}, not ${key.symbol} ${key.interval}`);
    }
    if (stored.locked === 1 && locked && shapeJson !== stored.shape) throw new Error(`drawing ${id} is locked: unlock it to move it`);
    this.db
      .prepare('UPDATE drawings SET kind = ?, shape = ?, locked = ?, updated_at = ? WHERE id = ?')
      .run(shape.kind, shapeJson, locked ? 1 : 0, now, id);
    this.changes++;
    return { ...input, id, createdAt: stored.created_at, updatedAt: now };
  }

  /** Removes a drawing unless it is locked. */
  remove(id: number): boolean {
    const locked = this.db.prepare('SELECT locked FROM drawings WHERE id = ?').pluck().get(id);
    if (locked === 1) throw new Error(`drawing ${id} is locked: unlock it to delete it`);
    const removed = this.db.prepare('DELETE FROM drawings WHERE id = ?').run(id).changes > 0;
    if (removed) this.changes++;
    return removed;
  }

  /** Every horizontal line that is a price alert, with its stream. */
  priceAlerts(): Drawing[] {
    const streams = this.db
      .prepare<[], StreamKeyValue>(
        `SELECT DISTINCT exchange, category, symbol, interval FROM drawings WHERE kind = 'hline' AND json_extract(shape, '$.alert') = 1`,
      )
      .all();
    return streams.flatMap((key) => this.list(key).filter((d) => d.shape.kind === 'hline' && d.shape.alert));
  }
}

export class LayoutStore {
  constructor(private readonly db: Db) {}

  list(): NamedLayout[] {
    return this.db
      .prepare<[], { name: string; layout: string; updated_at: number }>('SELECT * FROM layouts ORDER BY name')
      .all()
      .flatMap((row) => {
        const layout = LayoutSchema.safeParse(JSON.parse(row.layout));
        return layout.success ? [{ name: row.name, layout: layout.data, updatedAt: row.updated_at }] : [];
      });
  }

  save(name: string, layout: Layout, now = Date.now()): NamedLayout {
    this.db
      .prepare(
        `INSERT INTO layouts (name, layout, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET layout = excluded.layout, updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify(layout), now);
    return { name, layout, updatedAt: now };
  }

  remove(name: string): boolean {
    return this.db.prepare('DELETE FROM layouts WHERE name = ?').run(name).changes > 0;
  }
}
