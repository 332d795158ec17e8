/**
 * The audit's store queries on a real SQLite file: pages of every stored signal (past the 10,000 the
 * old list stopped at) by filter and order, the counts beside them, and every query on an index.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPage } from '../../src-main/audit/audit';
import { AlertStore } from '../../src-main/alerts/alerts';
import { openDatabase, type Db } from '../../src-main/store/database';
import { auditQuery, SignalStore } from '../../src-main/store/signals';
import { AuditFilterSchema, type AuditFilter, type AuditOrder } from '../../src-shared/domain/audit';
import type { Signal } from '../../src-shared/domain/signal';
import { SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import { tempDir } from '../helpers';
import { FIXTURE_MODELS, FIXTURE_STREAMS, storeFixtureSignals } from '../signal-fixtures';

const STORED = 10_600;
let db: Db;
let store: SignalStore;
let stored: Signal[];
beforeAll(() => {
  db = openDatabase(join(tempDir(), 'store.db'));
  store = new SignalStore(db);
  stored = storeFixtureSignals(store, STORED);
});
afterAll(() => db.close());

/** What a filter and order should give, worked out in JavaScript from the stored list. */
function expected(filter: AuditFilter, order: AuditOrder): number[] {
  const matching = stored.filter(
    (s) =>
      (filter.stream === undefined || (s.symbol === filter.stream.symbol && s.interval === filter.stream.interval)) &&
      (filter.modelVersion === undefined || s.modelVersion === filter.modelVersion) &&
      (filter.predicted === undefined || s.predicted === filter.predicted) &&
      (filter.from === undefined || s.candleStart >= filter.from) &&
      (filter.to === undefined || s.candleStart <= filter.to),
  );
  const sign = order === 'newest' ? -1 : 1;
  return matching.sort((a, b) => sign * (a.candleStart - b.candleStart || a.id - b.id)).map((s) => s.id);
}

const first = () => stored[0]?.candleStart ?? 0;
const last = () => stored.at(-1)?.candleStart ?? 0;
const filters: fc.Arbitrary<AuditFilter> = fc.record(
  {
    stream: fc.constantFrom(...FIXTURE_STREAMS),
    modelVersion: fc.constantFrom(...FIXTURE_MODELS, 'no-such-model'),
    predicted: fc.constantFrom(...SIGNAL_CLASSES),
    from: fc.integer({ min: 0, max: 3000 }).map((m) => first() + m * 60_000),
    to: fc.integer({ min: 2000, max: 20_000 }).map((m) => first() + m * 60_000),
  },
  { requiredKeys: [] },
);

describe('audit pages in the store', () => {
  it('pages through every stored signal, past 10,000, newest first, each once', () => {
    const ids: number[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = store.page({}, 'newest', offset, 1000);
      if (page.length === 0) break;
      ids.push(...page.map((s) => s.id));
    }
    expect(ids).toHaveLength(STORED);
    expect(new Set(ids).size).toBe(STORED);
    expect(ids).toEqual(expected({}, 'newest'));
    expect(store.count({})).toBe(STORED);
    expect(store.page({}, 'oldest', 0, 1)[0]?.candleStart).toBe(first());
    expect(store.page({}, 'newest', 0, 1)[0]?.candleStart).toBe(last());
  });

  it('gives each filter, order and page exactly the matching signals, and counts them', () => {
    fc.assert(
      fc.property(
        filters,
        fc.constantFrom<AuditOrder>('newest', 'oldest'),
        fc.nat(3000),
        fc.integer({ min: 1, max: 500 }),
        (filter, order, offset, limit) => {
          const want = expected(filter, order);
          expect(store.count(filter)).toBe(want.length);
          expect(store.page(filter, order, offset, limit).map((s) => s.id)).toEqual(want.slice(offset, offset + limit));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps every page and count on an index: no table scan, no sort of the whole table', () => {
    fc.assert(
      fc.property(
        filters,
        fc.constantFrom<AuditFilter['predicted']>(...SIGNAL_CLASSES),
        fc.constantFrom<AuditOrder>('newest', 'oldest'),
        (filter, _, order) => {
          const { sql, params } = auditQuery(filter, order);
          for (const statement of [`${sql} LIMIT 1`, sql.replace('SELECT *', 'SELECT count(*)').replace(/ ORDER BY .*/, '')]) {
            const plan = db.prepare<Record<string, unknown>, { detail: string }>(`EXPLAIN QUERY PLAN ${statement}`).all(params);
            const details = plan.map((p) => p.detail);
            expect(
              details.some((d) => /^(SCAN|SEARCH) signals USING (COVERING )?INDEX/.test(d)),
              details.join('; '),
            ).toBe(true);
            expect(
              details.filter((d) => /^SCAN signals$|TEMP B-TREE/.test(d)),
              details.join('; '),
            ).toEqual([]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('joins each page with the alerts its signals fired, and refuses a range that ends before it starts', () => {
    const alerts = new AlertStore(db);
    const newest = store.page({}, 'newest', 0, 1)[0];
    if (newest === undefined) throw new Error('nothing stored');
    alerts.add({
      exchange: 'bybit',
      category: newest.category,
      symbol: newest.symbol,
      class: newest.predicted,
      minProbability: 0.5,
      minConcentration: 0,
    });
    expect(alerts.fire(newest)).toHaveLength(1);
    const { rows, total } = auditPage({ signals: store, alerts }, { filter: {}, order: 'newest', offset: 0, limit: 2 });
    expect(total).toBe(STORED);
    expect(rows[0]?.alertsFired).toEqual([`${newest.predicted}>=0.5`]);
    expect(rows[1]?.alertsFired).toEqual([]);
    expect(AuditFilterSchema.safeParse({ from: 2, to: 1 }).error?.issues[0]?.message).toBe('the range ends before it starts');
  });
});
