/**
 * kill -9 of a real `serve` process during a heavy backfill, then a restart on the same store: the
 * database is intact, no candle is half-written, and once the backfill resumed the store is complete.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { candleStartAt } from '../../src-shared/domain/intervals';
import type { CandleRow } from '../../src-main/store/candles';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { ROOT, SHARED_DATA, tempDir } from '../helpers';

const SYMBOLS = ['ETHUSDT', 'BTCUSDT', 'SOLUSDT'];
// Real ETHUSDT candles moved in time so that the last one is the candle open now: the child runs on the real clock.
const source = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'));
const shift = candleStartAt('1', Date.now()) - source.at(-1)!.start;
const rows = source.map((r) => ({ ...r, start: r.start + shift }));

let fake: FakeBybit;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake.close();
});

function startServe(storePath: string): ChildProcess {
  const args = ['serve', '--db', storePath, '--port', '0', '--bybit-ws', fake.wsUrl, '--bybit-rest', fake.restUrl];
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'candle-lens.js'), ...args, '--symbols', SYMBOLS.join(','), '--backfill-days', '40'],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  children.push(child);
  return child;
}

function confirmedCount(storePath: string): number {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM candles WHERE confirmed = 1').pluck().get() as number;
  } catch {
    return 0; // not migrated yet
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  it('survives kill -9 during ingest and completes after restart', { timeout: 180_000 }, async () => {
    fake = await new FakeBybit({ rows, symbols: SYMBOLS, startIndex: rows.length - 1 }).listen();
    const storePath = join(tempDir(), 'store.db');
    const expected = SYMBOLS.length * (rows.length - 1);

    const first = startServe(storePath);
    await vi.waitFor(() => expect(confirmedCount(storePath)).toBeGreaterThan(expected / 10), { timeout: 120_000, interval: 5 });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = confirmedCount(storePath);
    expect(atKill).toBeLessThan(expected);

    const second = startServe(storePath);
    await vi.waitFor(() => expect(confirmedCount(storePath)).toBe(expected), { timeout: 120_000, interval: 50 });
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const db = new Database(storePath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const bySource = new Map(rows.map((r) => [r.start, [r.open, r.high, r.low, r.close, r.volume].map(Number)]));
      const stored = db
        .prepare('SELECT symbol, start, open, high, low, close, volume, confirmed FROM candles ORDER BY symbol, start')
        .all() as (CandleRow & { symbol: string })[];
      const wrong = stored.filter((c) => {
        const want = bySource.get(c.start);
        return c.confirmed === 1 && JSON.stringify([c.open, c.high, c.low, c.close, c.volume]) !== JSON.stringify(want);
      });
      expect(wrong).toEqual([]);
      for (const symbol of SYMBOLS) {
        const starts = stored.filter((c) => c.symbol === symbol && c.confirmed === 1).map((c) => c.start);
        expect(starts).toEqual(rows.slice(0, -1).map((r) => r.start));
      }
    } finally {
      db.close();
    }
  });
});
