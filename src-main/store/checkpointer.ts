/**
 * Checkpoints the WAL from a worker thread with its own connection. SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold: copying pages into the database file and
 * syncing it stalled the writing thread for tens of milliseconds, long enough to delay every live
 * candle waiting behind that commit. Writers carry on while a passive checkpoint runs, and the next
 * write after a complete one starts the WAL over, so it stays as small as before.
 *
 * The worker is a few lines of CommonJS evaluated in place (no build entry needed); it loads the
 * same better-sqlite3 the app resolved.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../paths';
import type { Db } from './database';

const WORKER_SOURCE = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage(String(err && err.message));
  }
};
const walBytes = () => {
  try {
    return statSync(workerData.path + '-wal').size;
  } catch {
    return 0;
  }
};
const timer = setInterval(() => {
  if (walBytes() > workerData.minWalBytes) checkpoint();
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #automatic: number;
  readonly #journalSizeLimit: number;

  /**
   * @param everyMs how often the worker looks at the WAL's size
   * @param minWalBytes checkpoint once the WAL holds more than this (by default SQLite's own threshold,
   *   `wal_autocheckpoint` pages). SQLite starts the WAL over after a complete checkpoint but keeps
   *   the file at its largest size, so its size alone would say nothing of what it holds and every look
   *   would checkpoint: once a second, each checkpoint's syncs stalled a live commit for 2–7 ms on
   *   ext4. The store's connection therefore truncates the WAL to `minWalBytes` when it starts it over
   *   (`journal_size_limit`): the file only grows past that size with new frames. Not to 0: growing
   *   the file again at every restart raised the p99 at 2,000 pushes/s from 2–3 ms to 8–10 ms.
   */
  constructor(
    private readonly db: Db,
    everyMs = 1000,
    log: (line: string) => void = () => {},
    minWalBytes?: number,
  ) {
    this.#automatic = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    this.#journalSizeLimit = Number(db.pragma('journal_size_limit', { simple: true }));
    minWalBytes ??= this.#automatic * Number(db.pragma('page_size', { simple: true }));
    const driver = createRequire(join(appRoot(), 'package.json')).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: db.name, everyMs, minWalBytes } });
    this.#worker.unref();
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${minWalBytes}`);
    this.#worker.on('message', (message: string) => log(`WAL checkpoint failed: ${message}`));
    this.#worker.on('error', (err) => {
      log(`WAL checkpointer stopped (${err.message}); the store checkpoints itself again`);
      this.#restore();
    });
  }

  /** Gives checkpoints back to the store's own connection; the worker checkpoints once more and exits. */
  stop(): void {
    this.#restore();
    this.#worker.postMessage('stop');
  }

  #restore(): void {
    if (!this.db.open) return;
    this.db.pragma(`wal_autocheckpoint = ${this.#automatic}`);
    this.db.pragma(`journal_size_limit = ${this.#journalSizeLimit}`);
  }
}
