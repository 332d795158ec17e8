/**
 * A replay names itself: a clock at the replay's current candle in the user's zone, a seek slider that
 * follows it, and "replay" (not live) in the status bar and the watchlist while it runs.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { openDatabase } from '../../src-main/store/database';
import { WatchlistStore } from '../../src-main/store/watchlist';
import { ROOT, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  const storePath = join(tempDir(), 'store.db');
  // The sample stream on the watchlist (no feed runs: nothing touches the network).
  const db = openDatabase(storePath);
  new WatchlistStore(db).add(SAMPLE_STREAM);
  db.close();
  ({ engine, server } = await servedEngine({ storePath, market: false, modelPath: false }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test('a running replay shows its clock, moves its seek slider and is called a replay, not live', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await expect(page.getByTestId('watch-row')).toContainText('BTCUSDT 1');
  await expect(page.getByTestId('replay-status')).toHaveCount(0);
  await page.getByTestId('replay-toggle').click();
  const bar = page.getByTestId('replay-bar');
  await bar.getByRole('button', { name: 'Start' }).click();
  for (let i = 0; i < 3; i++) await page.getByTestId('replay-step').click();
  await expect(page.getByTestId('replay-progress')).toHaveText('3 / 361');

  // The clock names the current candle in the page's time zone, as the chart's labels do.
  const clock = page.getByTestId('replay-clock');
  const time = Number(await clock.getAttribute('data-time'));
  const expected = await page.evaluate(
    (t) =>
      new Intl.DateTimeFormat(undefined, {
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'short',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      }).format(t),
    time,
  );
  await expect(clock).toHaveText(expected);
  const seek = page.getByTestId('replay-seek');
  await expect(seek).toHaveValue(String(time));

  // "replay" in the status bar and in the watchlist's row while it runs.
  await expect(page.getByTestId('replay-status')).toHaveText('replay · BTCUSDT 1');
  await expect(page.getByTestId('watch-replay')).toHaveText('replay');
  await page.getByLabel('replay speed').selectOption('1000');
  await page.getByTestId('replay-play').click();
  // The slider and the clock follow the replay as it plays.
  await expect.poll(async () => Number(await seek.inputValue()), { timeout: 10_000 }).toBeGreaterThan(time + 5 * 60_000);
  await expect(clock).not.toHaveText(expected);
  await page.screenshot({ path: join(ROOT, 'test-results', 'replay-running.png') });

  await bar.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await expect(page.getByTestId('replay-status')).toHaveCount(0);
  await expect(page.getByTestId('watch-replay')).toHaveCount(0);
  expect(errors).toEqual([]);
});
