import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownOptions, UsageError } from '../../src-main/cli/args';
import { feedFromOptions, feedOptions } from '../../src-main/cli/feed-options';
import { TESTNET } from '../../src-main/market/bybit/protocol';
import { CSV_HEADER } from '../../src-main/market/candle-csv';
import { runCli, sharedCsvHead, tempDir } from '../helpers';

const stream = ['--symbol', 'ETHUSDT', '--interval', '1'];

describe('cli import/export', () => {
  it('round-trips real candles exactly', () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const csv = join(dir, 'eth.csv');
    const text = sharedCsvHead('bybit_ETHUSDT_1m.csv', 2000);
    writeFileSync(csv, text);
    const imported = runCli(['import', '--db', db, ...stream, csv]);
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain('imported 2000 rows');
    const exported = runCli(['export', '--db', db, ...stream]);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe(text);
  });

  it('exports a time range', () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const csv = join(dir, 'eth.csv');
    writeFileSync(csv, sharedCsvHead('bybit_ETHUSDT_1m.csv', 10));
    runCli(['import', '--db', db, ...stream, csv]);
    const [, , third = '', fourth = ''] = sharedCsvHead('bybit_ETHUSDT_1m.csv', 10).split('\n');
    const from = third.split(',')[0] ?? '';
    const to = fourth.split(',')[0] ?? '';
    const out = runCli(['export', '--db', db, ...stream, '--from', from, '--to', to]);
    expect(out.stdout.trim().split('\n')).toEqual(['start_ms,open,high,low,close,volume', third, fourth]);
  });

  it('refuses a malformed file with its line number and leaves the store as it was', () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const good = join(dir, 'good.csv');
    const bad = join(dir, 'bad.csv');
    const text = sharedCsvHead('bybit_ETHUSDT_1m.csv', 50);
    writeFileSync(good, sharedCsvHead('bybit_ETHUSDT_1m.csv', 20));
    runCli(['import', '--db', db, ...stream, good]);
    const before = runCli(['export', '--db', db, ...stream]).stdout;
    const lines = text.split('\n');
    lines[31] = (lines[31] ?? '').replace(/,[^,]+$/, ',NaN');
    writeFileSync(bad, lines.join('\n'));
    const result = runCli(['import', '--db', db, ...stream, bad]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('line 32: volume "NaN" is not a finite number; nothing was imported');
    expect(runCli(['export', '--db', db, ...stream]).stdout).toBe(before);
  });

  it('keeps candles stored as confirmed and says how many rows of the file differed from them', () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const first = join(dir, 'first.csv');
    const second = join(dir, 'second.csv');
    const text = sharedCsvHead('bybit_ETHUSDT_1m.csv', 20);
    writeFileSync(first, text);
    runCli(['import', '--db', db, ...stream, first]);
    const rows = text.trimEnd().split('\n');
    // Row 5 again with another close (inside its range), and one new candle after the last.
    const [start, open, high, low, close, volume] = rows[5]!.split(',');
    rows[5] = [start, open, high, low, close === low ? high : low, volume].join(',');
    const last = rows[20]!.split(',');
    rows.push([Number(last[0]) + 60_000, ...last.slice(1)].join(','));
    writeFileSync(second, `${rows.join('\n')}\n`);
    const result = runCli(['import', '--db', db, ...stream, second]);
    expect(result.stdout).toContain('imported 21 rows');
    expect(result.stdout).toContain('(1 new or changed; 1 differ from candles stored as confirmed before, which were kept)');
    expect(
      runCli(['export', '--db', db, ...stream])
        .stdout.split('\n')
        .slice(0, 21)
        .join('\n'),
    ).toBe(text.trimEnd());
  });

  it('refuses a candle that has not ended yet: import takes closed candles', () => {
    const dir = tempDir();
    const db = join(dir, 'store.db');
    const csv = join(dir, 'future.csv');
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    writeFileSync(csv, [CSV_HEADER, `${minute - 120_000},10,11,9,10,1`, `${minute + 60_000},10,11,9,10,1`, ''].join('\n'));
    const result = runCli(['import', '--db', db, ...stream, csv]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`line 3: the candle at ${minute + 60_000} has not ended yet; nothing was imported`);
    expect(runCli(['export', '--db', db, ...stream]).stdout).toBe(`${CSV_HEADER}\n`);
  });

  it('explains usage errors', () => {
    const result = runCli(['export', '--symbol', 'btc usdt', '--interval', '1', '--db', join(tempDir(), 'x.db')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('symbol must be 2-30 upper-case letters or digits');
    expect(runCli(['frobnicate']).stderr).toContain('unknown command "frobnicate"');
  });
});

describe('options on a command line shared with Electron and Chromium', () => {
  const options = { db: { type: 'string' }, ...feedOptions } as const;

  it("keeps the app's own options and ignores the other programs' switches", () => {
    const argv = ['out/main/index.js', '--inspect=0', '--remote-debugging-port=0', '--db=/tmp/x.db', '--feed', 'replay', '--testnet'];
    expect(ownOptions(argv, options)).toEqual({ db: '/tmp/x.db', feed: 'replay', testnet: true });
  });

  it('refuses a value on a flag, as the CLI does', () => {
    expect(() => ownOptions(['--testnet=yes'], options)).toThrow(UsageError);
  });

  it('builds the feed the options ask for: testnet, symbols by intervals, category', async () => {
    const feed = await feedFromOptions({ testnet: true, symbols: 'SOLUSDT,BTCUSDT', intervals: '1,5', category: 'spot' }, () => {});
    expect(feed.market).toMatchObject({ wsBase: TESTNET.ws, restBase: TESTNET.rest, source: 'bybit testnet' });
    expect(feed.market !== false && feed.market.watch?.map((k) => `${k.category} ${k.symbol} ${k.interval}`)).toEqual([
      'spot SOLUSDT 1',
      'spot SOLUSDT 5',
      'spot BTCUSDT 1',
      'spot BTCUSDT 5',
    ]);
    expect(feed.seedSample).toBe(false);
    await expect(feedFromOptions({ intervals: '5' }, () => {})).rejects.toThrow('--intervals needs --symbols');
    await expect(feedFromOptions({ symbols: 'SOLUSDT', intervals: '7' }, () => {})).rejects.toThrow(UsageError);
    await expect(feedFromOptions({ 'backfill-days': '-1' }, () => {})).rejects.toThrow(
      '--backfill-days must be a positive number, got "-1"',
    );
  });

  it('takes endpoints as base URLs and refuses anything else with a clear error', async () => {
    const feed = await feedFromOptions({ 'bybit-ws': 'ws://127.0.0.1:9/', 'bybit-rest': 'http://127.0.0.1:9' }, () => {});
    expect(feed.market).toMatchObject({ wsBase: 'ws://127.0.0.1:9', restBase: 'http://127.0.0.1:9', source: 'ws://127.0.0.1:9' });
    await expect(feedFromOptions({ 'bybit-ws': 'foo' }, () => {})).rejects.toThrow(
      '--bybit-ws must be a ws: or wss: URL such as wss://stream.bybit.com, got "foo"',
    );
    await expect(feedFromOptions({ 'bybit-ws': 'wss://stream.bybit.com/v5/public/linear' }, () => {})).rejects.toThrow(
      '--bybit-ws takes the base URL only, such as wss://stream.bybit.com (the app adds the /v5/... path)',
    );
    await expect(feedFromOptions({ 'bybit-rest': 'ftp://api.bybit.com' }, () => {})).rejects.toThrow(UsageError);
  });

  it('refuses a replay file it cannot serve, naming the bad line', async () => {
    const csv = join(tempDir(), 'bybit_ETHUSDT_1m.csv');
    writeFileSync(csv, `${CSV_HEADER}\n60000,1,2,0.5,1.5,10\n120000,1,2,0.5,oops,10\n`);
    await expect(feedFromOptions({ feed: 'replay', csv }, () => {})).rejects.toThrow(
      `--csv ${csv}: line 3: close "oops" is not a finite number`,
    );
  });
});
