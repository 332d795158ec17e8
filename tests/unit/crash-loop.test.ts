/**
 * The crash loop: a real `serve` replaying real candles (backfill, then live pushes scored by the
 * bundled model) is killed with SIGKILL at three random points, each time restarted on the same
 * store. Afterwards the store holds exactly the source rows, SQLite finds nothing wrong, and every
 * stored signal is reproduced bit for bit from its stored candles by `audit --verify`.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { seededRandom } from '../../src-main/model/random';
import { ROOT, runCli, sharedCsvHead, tempDir } from '../helpers';

/** Candles served as history before the live replay; the live part follows them. */
const HISTORY = 1_500;
const ROWS = HISTORY + 300;
/** Real time per push: 3 open updates then the confirmation, so a live candle every 80 ms. */
const STEP_MS = 20;
const SEED = Number(process.env.CRASH_LOOP_SEED ?? 20261203);

const children: ChildProcess[] = [];
/** What the runs printed, shown when one does not get where it should. */
let output = '';
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startServe(storePath: string, csv: string): ChildProcess {
  const args = ['serve', '--db', storePath, '--port', '0', '--feed', 'replay', '--csv', csv];
  const replay = ['--replay-history', String(HISTORY), '--replay-step-ms', String(STEP_MS)];
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'candle-lens.js'), ...args, ...replay], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return child;
}

function storeCounts(storePath: string): { confirmed: number; signals: number } {
  let db: Database.Database | undefined;
  try {
    db = new Database(storePath, { readonly: true, fileMustExist: true });
    return {
      confirmed: db.prepare('SELECT count(*) FROM candles WHERE confirmed = 1').pluck().get() as number,
      signals: db.prepare('SELECT count(*) FROM signals').pluck().get() as number,
    };
  } catch {
    return { confirmed: 0, signals: 0 }; // not created or not migrated yet
  } finally {
    db?.close();
  }
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
}

describe('crash loop', () => {
  it(
    'kill -9 at three random points of backfill and live ingest loses nothing and every signal reproduces',
    { timeout: 300_000 },
    async () => {
      const random = seededRandom(SEED);
      const dir = tempDir();
      const csv = join(dir, 'bybit_ETHUSDT_1m.csv');
      writeFileSync(csv, sharedCsvHead('bybit_ETHUSDT_1m.csv', ROWS));
      const source = readSourceCsv(csv);
      const storePath = join(dir, 'store.db');
      const between = (low: number, high: number) => Math.floor(low + random() * (high - low));
      // Where each run is killed, by confirmed candles stored: in the backfill, in live ingest, and
      // again in live ingest after the restart has repaired what the previous kill cut off.
      const killAt = [between(HISTORY * 0.1, HISTORY * 0.9), between(HISTORY + 5, HISTORY + 40), between(HISTORY + 45, HISTORY + 90)];
      for (const threshold of killAt) {
        const run = startServe(storePath, csv);
        await vi.waitFor(() => expect(storeCounts(storePath).confirmed, output).toBeGreaterThanOrEqual(threshold), {
          timeout: 120_000,
          interval: 5,
        });
        await kill(run);
      }

      // The last run goes on until it is past every point reached before, then stops cleanly.
      const last = startServe(storePath, csv);
      const target = (killAt.at(-1) ?? 0) + 20;
      await vi.waitFor(() => expect(storeCounts(storePath).confirmed, output).toBeGreaterThanOrEqual(target), {
        timeout: 120_000,
        interval: 20,
      });
      last.kill('SIGTERM');
      await new Promise((resolve) => last.once('exit', resolve));

      const db = new Database(storePath, { readonly: true });
      let stored: { start: number; open: number; high: number; low: number; close: number; volume: number }[];
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        stored = db
          .prepare('SELECT start, open, high, low, close, volume FROM candles WHERE confirmed = 1 ORDER BY start')
          .all() as typeof stored;
      } finally {
        db.close();
      }
      // Row for row: a prefix of the source with no hole, every value as the exchange served it.
      const expected = source.slice(0, stored.length).map((r) => ({
        start: r.start,
        open: Number(r.open),
        high: Number(r.high),
        low: Number(r.low),
        close: Number(r.close),
        volume: Number(r.volume),
      }));
      expect(stored.length).toBeGreaterThanOrEqual(target);
      expect(stored).toEqual(expected);

      expect(storeCounts(storePath).signals).toBeGreaterThan(0);
      const audit = runCli(['audit', '--db', storePath, '--verify']);
      expect(audit.status, audit.stderr).toBe(0);
      const verdicts = audit.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',').at(-1));
      expect(verdicts.length).toBe(storeCounts(storePath).signals);
      expect(verdicts.filter((v) => v !== 'reproduced')).toEqual([]);
    },
  );
});
