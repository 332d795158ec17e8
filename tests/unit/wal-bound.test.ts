/** The WAL stays bounded under a writer that commits all the time, beside a reader of another connection. */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CandleWriter } from '../../src-main/feed/candle-writer';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { createEngineBus } from '../../src-main/bus/bus';
import { CandleStore } from '../../src-main/store/candles';
import { WalCheckpointer } from '../../src-main/store/checkpointer';
import { openDatabase, type Db } from '../../src-main/store/database';
import { tempDir } from '../helpers';

/**
 * Reads in a loop on its own connection until told to stop: each read transaction holds its snapshot
 * for 2 ms, as a UI query or an export would, then rests 1 ms. Counts its transactions in slot 1.
 */
const READER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const flags = new Int32Array(workerData.shared);
const read = db.prepare('SELECT count(*) AS rows, max(start) AS last FROM candle_rows');
while (Atomics.load(flags, 0) === 0) {
  db.exec('BEGIN');
  read.get();
  Atomics.wait(flags, 2, 0, 2);
  read.get();
  db.exec('COMMIT');
  Atomics.add(flags, 1, 1);
  Atomics.wait(flags, 2, 0, 1);
}
db.close();
`;

const STREAMS: StreamKeyValue[] = Array.from({ length: 100 }, (_, i) => ({
  exchange: 'bybit',
  category: 'linear',
  symbol: `S${i}USDT`,
  interval: '1',
}));

let db: Db | undefined;
afterEach(() => db?.close());

describe('WAL bound', () => {
  it('keeps the WAL under its bound while a commit per push goes on and another connection reads', async () => {
    const path = join(tempDir(), 'store.db');
    db = openDatabase(path);
    const store = new CandleStore(db);
    const maxWalBytes = 1 << 20;
    const checkpointer = new WalCheckpointer(db, 20, undefined, 256 * 1024, maxWalBytes);
    const writer = new CandleWriter(store, createEngineBus(), { afterCommit: () => checkpointer.bound() });
    const shared = new SharedArrayBuffer(12);
    const flags = new Int32Array(shared);
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const reader = new Worker(READER_SOURCE, { eval: true, workerData: { driver, path, shared } });
    const readerDone = new Promise((resolve) => reader.once('exit', resolve));

    // 100 streams, 4 updates per candle (the last confirms it), each push committed on its own as
    // under light load: 8,000 commits, over 30 times the bound in WAL frames unchecked.
    const commits = 8_000;
    let largestWal = 0;
    for (let push = 0; push < commits; push++) {
      const minute = Math.floor(push / 400);
      const phase = Math.floor(push / 100) % 4;
      const close = 100 + phase;
      const candle = { time: minute * 60_000, open: 100, high: 104, low: 99, close, volume: phase + 1, confirmed: phase === 3 };
      writer.put(STREAMS[push % 100]!, [candle]);
      writer.flush();
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      if (push % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    Atomics.store(flags, 0, 1);
    await readerDone;

    // One transaction's frames at most beyond the bound: the commit that crossed it.
    expect(largestWal).toBeLessThanOrEqual(maxWalBytes + 64 * 1024);
    expect(checkpointer.stats.restarts).toBeGreaterThan(0);
    expect(Atomics.load(flags, 1)).toBeGreaterThan(0);
    checkpointer.stop();
    const confirmed = db.prepare('SELECT count(*) FROM candle_rows WHERE confirmed = 1').pluck().get();
    expect(confirmed).toBe((commits / 400) * 100);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    // What the reader's connection sees is what was written.
    const other = new Database(path, { readonly: true });
    expect(other.prepare('SELECT count(*) FROM candle_rows').pluck().get()).toBe((commits / 400) * 100);
    other.close();
  });
});
