/**
 * Checkpoints the WAL from a worker thread with its own connection. SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold: copying pages into the database file and
 * syncing it stalled the writing thread for tens of milliseconds, long enough to delay every live
 * candle waiting behind that commit. Writers carry on while a passive checkpoint runs, and the next
 * write after a complete one starts the WAL over, so it stays as small as before.
 *
 * Under sustained writes a passive checkpoint is never complete: it copies the frames up to the WAL's
 * end as it began, and SQLite starts the WAL over only at a write that finds every frame copied; with
 * a commit every few milliseconds a new frame is always left, so the WAL grew by every commit (to
 * 114 MB beside a 2.5 MB store at 1,200 pushes/s). So the writer calls `bound()` after each commit:
 * past `maxWalBytes` its own connection runs a RESTART checkpoint, which holds writers back while it
 * copies what the passive ones left and waits (briefly) for readers to leave the WAL, so the next
 * commit starts it over. The WAL then never exceeds the bound by more than one transaction.
 *
 * The worker is a few lines of CommonJS evaluated in place (no build entry needed); it loads the
 * same better-sqlite3 the app resolved.
 */
import { statSync } from 'node:fs';
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

/** How long a RESTART checkpoint waits for readers (and a running passive checkpoint) to leave the WAL. */
const RESTART_WAIT_MS = 250;
/** After a RESTART that readers kept from completing, the next is tried no sooner than this. */
const RESTART_RETRY_MS = 1000;
/** Waited on (never notified) to sleep the writing thread for a millisecond. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #automatic: number;
  readonly #journalSizeLimit: number;
  readonly #busyTimeout: number;
  readonly #walPath: string;
  /** The WAL's bound (see `bound()`). */
  readonly maxWalBytes: number;
  readonly #log: (line: string) => void;
  /** On performance.now(): no RESTART before (readers kept the last one from completing). */
  #retryRestartAt = 0;
  /** The last RESTART was given up on (logged once until one completes). */
  #readersHeldOn = false;
  /** RESTART checkpoints `bound()` completed, and those it gave up on (readers held on). */
  readonly stats = { restarts: 0, restartsBusy: 0 };

  /**
   * @param everyMs how often the worker looks at the WAL's size
   * @param minWalBytes checkpoint once the WAL holds more than this (by default SQLite's own threshold,
   *   `wal_autocheckpoint` pages). SQLite starts the WAL over after a complete checkpoint but keeps
   *   the file at its largest size, so its size alone would say nothing of what it holds and every look
   *   would checkpoint: once a second, each checkpoint's syncs stalled a live commit for 2–7 ms on
   *   ext4. The store's connection therefore truncates the WAL to `minWalBytes` when it starts it over
   *   (`journal_size_limit`): the file only grows past that size with new frames. Not to 0: growing
   *   the file again at every restart raised the p99 at 2,000 pushes/s from 2–3 ms to 8–10 ms.
   * @param maxWalBytes the WAL's bound (see `bound()`); by default four times `minWalBytes`
   */
  constructor(
    private readonly db: Db,
    everyMs = 1000,
    log: (line: string) => void = () => {},
    minWalBytes?: number,
    maxWalBytes?: number,
  ) {
    this.#automatic = Number(db.pragma('wal_autocheckpoint', { simple: true }));
    this.#journalSizeLimit = Number(db.pragma('journal_size_limit', { simple: true }));
    this.#busyTimeout = Number(db.pragma('busy_timeout', { simple: true }));
    minWalBytes ??= this.#automatic * Number(db.pragma('page_size', { simple: true }));
    this.maxWalBytes = maxWalBytes ?? 4 * minWalBytes;
    this.#walPath = `${db.name}-wal`;
    this.#log = log;
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

  /**
   * Keeps the WAL under `maxWalBytes`: called after each commit of a writer that commits all the time.
   * Costs one stat of the WAL file, and once past the bound a RESTART checkpoint on this thread: it
   * holds the writer while it copies what the passive ones left and syncs (7–90 ms in the market
   * benchmark), once per `maxWalBytes − minWalBytes` written.
   */
  bound(): void {
    if (!this.db.open || (statSync(this.#walPath, { throwIfNoEntry: false })?.size ?? 0) <= this.maxWalBytes) return;
    const started = performance.now();
    if (started < this.#retryRestartAt) return;
    try {
      for (;;) {
        const waitMs = Math.ceil(started + RESTART_WAIT_MS - performance.now());
        this.db.pragma(`busy_timeout = ${Math.max(1, waitMs)}`);
        const [result] = this.db.pragma('wal_checkpoint(RESTART)') as { busy: number }[];
        if (result?.busy !== 1) {
          this.stats.restarts++;
          this.#readersHeldOn = false;
          return;
        }
        if (waitMs <= 1) break;
        // SQLite refuses at once while another checkpoint runs (the worker's passive one): wait for it.
        Atomics.wait(PAUSE, 0, 0, 1);
      }
      this.stats.restartsBusy++;
      this.#retryRestartAt = performance.now() + RESTART_RETRY_MS;
      if (!this.#readersHeldOn)
        this.#log(
          `the WAL is past its bound of ${this.maxWalBytes} bytes: readers held it for over ${RESTART_WAIT_MS} ms; trying again each second`,
        );
      this.#readersHeldOn = true;
    } catch (err) {
      // The commit that called is stored; the next one tries again.
      this.#log(`WAL checkpoint failed: ${(err as Error).message}`);
    } finally {
      this.db.pragma(`busy_timeout = ${this.#busyTimeout}`);
    }
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
