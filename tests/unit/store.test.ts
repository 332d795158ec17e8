import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import { CandleWriter, LIGHT_LOAD_MAX_PUSHES_PER_S, MAX_PUSH_WAIT_MS, WRITE_RETRY_MS } from '../../src-main/feed/candle-writer';
import { createEngineBus } from '../../src-main/bus/bus';
import { CandleStore } from '../../src-main/store/candles';
import { WalCheckpointer } from '../../src-main/store/checkpointer';
import { migrate, openDatabase, readMigrations, type Db } from '../../src-main/store/database';
import { tempDir } from '../helpers';

const key: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const candle = (minute: number, close: number, confirmed: boolean): Candle => ({
  time: minute * 60_000,
  open: 100,
  high: Math.max(100, close),
  low: Math.min(100, close),
  close,
  volume: 1,
  confirmed,
});

let db: Db | undefined;
afterEach(() => db?.close());

describe('store', () => {
  it('opens a WAL file and records each migration once', () => {
    const path = join(tempDir(), 'store.db');
    db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(readMigrations().map((m) => m.version));
    expect(migrate(db)).toEqual([]);
  });

  it('rolls back every migration of a run when one fails', () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const broken = [
      { version: 900, name: '900_ok.sql', sql: 'CREATE TABLE t900 (x)' },
      { version: 901, name: '901_bad.sql', sql: 'CREATE TABLE oops (' },
    ];
    expect(() => migrate(db as Db, [...readMigrations(), ...broken])).toThrow();
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't900'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM schema_migrations WHERE version >= 900').pluck().get()).toBe(0);
  });

  it('moves candles stored under the text-keyed schema to integer stream ids, every value kept', () => {
    const path = join(tempDir(), 'store.db');
    const before = new Database(path);
    migrate(
      before,
      readMigrations().filter((m) => m.version < 6),
    );
    const insert = before.prepare('INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('bybit', 'linear', 'BTCUSDT', '1', 60_000, 100, 103, 99, 102, 5, 1);
    insert.run('bybit', 'linear', 'BTCUSDT', '1', 120_000, 102, 104, 101, 103, 2, 0);
    insert.run('bybit', 'spot', 'ETHUSDT', '5', 300_000, 10, 11, 9, 10.5, 7, 1);
    before.close();
    db = openDatabase(path);
    const store = new CandleStore(db);
    expect(store.range(key)).toEqual([
      { time: 60_000, open: 100, high: 103, low: 99, close: 102, volume: 5, confirmed: true },
      { time: 120_000, open: 102, high: 104, low: 101, close: 103, volume: 2, confirmed: false },
    ]);
    const spot: StreamKeyValue = { exchange: 'bybit', category: 'spot', symbol: 'ETHUSDT', interval: '5' };
    expect(store.range(spot)).toEqual([{ time: 300_000, open: 10, high: 11, low: 9, close: 10.5, volume: 7, confirmed: true }]);
    expect(store.streams().map((s) => [s.symbol, s.first, s.last])).toEqual([
      ['BTCUSDT', 60_000, 120_000],
      ['ETHUSDT', 300_000, 300_000],
    ]);
    expect(db.prepare('SELECT count(*) FROM candles').pluck().get()).toBe(3); // still readable by its old name
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('checkpoints the WAL from a worker thread while the store keeps writing', async () => {
    const path = join(tempDir(), 'store.db');
    db = openDatabase(path);
    const store = new CandleStore(db);
    const checkpointer = new WalCheckpointer(db, 20, undefined, 1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(path).size;
    store.write(
      key,
      Array.from({ length: 20_000 }, (_, i) => candle(i, 100, true)),
    );
    // Only a checkpoint copies pages from the WAL into the database file.
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 500_000), { timeout: 60_000, interval: 20 });
    checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect(store.count(key)).toBe(20_000);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('checkpoints only once the WAL holds more than minWalBytes, which is the size SQLite truncates it to when it starts it over', async () => {
    const path = join(tempDir(), 'store.db');
    db = openDatabase(path);
    const store = new CandleStore(db);
    const minWalBytes = 256 * 1024;
    const checkpointer = new WalCheckpointer(db, 20, undefined, minWalBytes);
    const before = statSync(path).size;
    store.write(
      key,
      Array.from({ length: 20_000 }, (_, i) => candle(i, 100, true)),
    );
    await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 500_000), { timeout: 60_000, interval: 20 });
    // The first commit after a complete checkpoint starts the WAL over.
    let minute = 20_000;
    await vi.waitFor(
      () => {
        store.write(key, [candle(minute++, 100, true)]);
        expect(statSync(`${path}-wal`).size).toBe(minWalBytes);
      },
      { timeout: 10_000, interval: 20 },
    );
    const checkpointed = statSync(path).mtimeMs;
    for (const end = minute + 5; minute < end; minute++) store.write(key, [candle(minute, 100, true)]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // ten looks
    expect(statSync(`${path}-wal`).size).toBe(minWalBytes);
    expect(statSync(path).mtimeMs).toBe(checkpointed);
    checkpointer.stop();
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(-1);
    expect(store.count(key)).toBe(minute);
  });

  it('under light load, writes pushes once the socket read that brought them is handled, or at once when the oldest has waited MAX_PUSH_WAIT_MS', async () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const store = new CandleStore(db);
    const bus = createEngineBus();
    const announced: number[] = [];
    bus.listen('candle.updated', ({ candle }) => announced.push(candle.time));
    let clock = 1_000;
    const writer = new CandleWriter(store, bus, { now: () => clock });
    writer.put(key, [candle(1, 100, false)], clock);
    expect(store.count(key)).toBe(0);
    // Still in the same turn (a long socket read): the next push finds the first waiting too long.
    clock += MAX_PUSH_WAIT_MS;
    writer.put(key, [candle(2, 101, false)], clock);
    expect(store.range(key)).toEqual([candle(1, 100, false), candle(2, 101, false)]);
    expect(announced).toEqual([60_000, 120_000]);
    writer.put(key, [candle(2, 102, true)], clock);
    expect(store.range(key)).toEqual([candle(1, 100, false), candle(2, 101, false)]);
    // Next-tick callbacks run when the read callback returns, before the loop polls other sockets.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(store.range(key)).toEqual([candle(1, 100, false), candle(2, 102, true)]);
    expect(writer.latency.summary()?.frames).toBe(3);
  });

  it('keeps a batch the store refuses (locked by another process) and writes it, with what came meanwhile, once it can', async () => {
    const path = join(tempDir(), 'store.db');
    db = openDatabase(path);
    db.pragma('busy_timeout = 0');
    const store = new CandleStore(db);
    const log: string[] = [];
    const writer = new CandleWriter(store, createEngineBus(), { log: (line) => log.push(line) });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    writer.put(key, [candle(1, 100, false)]);
    expect(writer.flush()).toBe(0);
    expect(log).toEqual([`candle write failed (database is locked); writing again in ${WRITE_RETRY_MS} ms`]);
    writer.put(key, [candle(1, 101, true), candle(2, 102, false)], performance.now());
    other.exec('COMMIT');
    other.close();
    await vi.waitFor(() => expect(store.range(key)).toEqual([candle(1, 101, true), candle(2, 102, false)]), {
      timeout: 5_000,
      interval: 20,
    });
    expect(log).toHaveLength(1);
    expect(writer.latency.summary()?.frames).toBe(1);
  });

  it('under a firehose of pushes, writes once per turn only', async () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const store = new CandleStore(db);
    let clock = 1_000;
    const writer = new CandleWriter(store, createEngineBus(), { now: () => clock });
    // Twice LIGHT_LOAD_MAX_PUSHES_PER_S for 150 ms (past the 100 ms rate window), then one turn.
    const pushes = (2 * LIGHT_LOAD_MAX_PUSHES_PER_S * 150) / 1000;
    for (let minute = 1; minute <= pushes; minute++, clock += 150 / pushes) writer.put(key, [candle(minute, 100, true)], clock);
    await new Promise((resolve) => setImmediate(resolve));
    const written = store.count(key);
    writer.put(key, [candle(pushes + 1, 100, true)], clock);
    clock += MAX_PUSH_WAIT_MS;
    writer.put(key, [candle(pushes + 2, 100, true)], clock);
    expect(store.count(key)).toBe(written);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.count(key)).toBe(pushes + 2);
  });

  it('updates an open candle in place and keeps a confirmed one final', () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const store = new CandleStore(db);
    store.write(key, [candle(1, 101, false)]);
    store.write(key, [candle(1, 102, false)]);
    expect(store.range(key)).toEqual([candle(1, 102, false)]);
    store.write(key, [candle(1, 103, true)]);
    expect(store.write(key, [candle(1, 104, false)])).toBe(0);
    expect(store.range(key)).toEqual([candle(1, 103, true)]);
    expect(store.count(key)).toBe(1);
  });

  it('returns the newest `limit` candles ascending, and only closed ones for export', () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const store = new CandleStore(db);
    store.write(
      key,
      [1, 2, 3, 4].map((m) => candle(m, 100 + m, true)),
    );
    store.write(key, [candle(5, 99, false)]);
    expect(store.range(key, 0, Number.MAX_SAFE_INTEGER, 2).map((c) => c.time)).toEqual([240_000, 300_000]);
    expect([...store.closed(key, 120_000)].map((c) => c.time)).toEqual([120_000, 180_000, 240_000]);
    expect(store.streams()).toEqual([{ ...key, first: 60_000, last: 300_000 }]);
    expect(store.count(key)).toBe(5);
  });

  it('quotes the last price and its 24-hour change', () => {
    db = openDatabase(join(tempDir(), 'store.db'));
    const store = new CandleStore(db);
    expect(store.quote(key)).toEqual({ last: null, lastTime: null, change24h: null });
    store.write(key, [candle(0, 100, true), candle(1440, 110, true), candle(1441, 120, false)]);
    // 24 h before 1441 is minute 1: the latest candle at or before it is minute 0 (close 100)
    expect(store.quote(key)).toEqual({ last: 120, lastTime: 1441 * 60_000, change24h: expect.closeTo(0.2, 12) });
  });
});
