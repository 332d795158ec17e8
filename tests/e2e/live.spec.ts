/** The live workstation in Chromium against `serve`, fed by a fake Bybit replaying real candles. */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { ROOT, startServe, tempDir } from '../helpers';
import {
  expectExplainedSignal,
  expectLiveBarsMove,
  expectStreamSwitching,
  prepareLiveStore,
  REPLAY_FEED,
  showLiveStream,
  watchConsole,
} from './checks';

let server: Awaited<ReturnType<typeof startServe>>;
let fiveMinuteBars: number;

test.beforeAll(async () => {
  const db = join(tempDir(), 'store.db');
  fiveMinuteBars = prepareLiveStore(db);
  server = await startServe(['--db', db, ...REPLAY_FEED]);
});
test.afterAll(async () => server.stop());

test('live candles from the (fake) exchange appear and the last bar moves', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expectLiveBarsMove(page, join(ROOT, 'test-results', 'live-chart.png'));
  expect(errors).toEqual([]);
});

test('a confirmed candle produces an explained signal from the bundled model, with its heatmap behind its window', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expectExplainedSignal(page, join(ROOT, 'test-results', 'live-signal.png'));
  expect(errors).toEqual([]);
});

test('the symbol and interval switchers load each stream', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expectStreamSwitching(page, fiveMinuteBars);
  expect(errors).toEqual([]);
});

test('the watchlist adds a searched symbol and removes it again', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  const watchlist = page.getByTestId('watchlist');
  await expect(watchlist.getByRole('button', { name: 'ETHUSDT 1', exact: true })).toBeVisible();
  await watchlist.getByLabel('symbol search').fill('eth');
  await expect(page.locator('#instrument-matches option[value="ETHUSDT"]')).toHaveCount(1);
  await watchlist.getByLabel('symbol search').fill('ETHUSDT');
  await watchlist.getByLabel('interval').selectOption('5');
  await watchlist.getByRole('button', { name: 'Add' }).click();
  await expect(watchlist.getByRole('button', { name: 'ETHUSDT 5', exact: true })).toBeVisible();
  expect(await page.evaluate(() => window.candleLens!.invoke('watchlist.list', {}))).toHaveLength(2);
  await watchlist.getByRole('button', { name: 'remove ETHUSDT 5' }).click();
  await expect(watchlist.getByRole('button', { name: 'ETHUSDT 5', exact: true })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a symbol the exchange does not list is refused, saying why, and the chart stays on its stream', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await showLiveStream(page);
  await expect(page.getByTestId('symbol-select')).toHaveValue('ETHUSDT');
  const watchlist = page.getByTestId('watchlist');
  await watchlist.getByLabel('symbol search').fill('ETHXUSDT');
  await watchlist.getByLabel('interval').selectOption('1');
  await watchlist.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByTestId('watchlist-note')).toContainText('the exchange lists no linear instrument ETHXUSDT');
  await expect(watchlist.getByLabel('symbol search')).toHaveValue('ETHXUSDT');
  await expect(page.getByTestId('symbol-select')).toHaveValue('ETHUSDT');
  const preferences = await page.evaluate(() => window.candleLens!.invoke('preferences.get', {}));
  expect(preferences.stream).toEqual({ category: 'linear', symbol: 'ETHUSDT', interval: '1' });
  expect(await page.evaluate(() => window.candleLens!.invoke('watchlist.list', {}))).toHaveLength(1);
  expect(errors).toEqual([]);
});

test('the Forming toggle brings provisional signals of the candle still forming, never stored', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await showLiveStream(page);
  await page.getByTestId('provisional-toggle').check();
  const provisional = await page.evaluate(
    () =>
      new Promise<{ id: number; confirmed: boolean; candleStart: number }>((resolve) => {
        const stop = window.candleLens!.subscribe('signal.provisional', (signal) => {
          stop();
          resolve(signal);
        });
      }),
  );
  expect(provisional).toMatchObject({ id: 0, confirmed: false });
  await page.getByTestId('provisional-toggle').uncheck();
  // The stream's stored signals are the confirmed ones live gave; none is provisional.
  const stored = await page.evaluate(() =>
    window.candleLens!.invoke('signals.list', { category: 'linear', symbol: 'ETHUSDT', interval: '1' }),
  );
  expect(stored.length).toBeGreaterThan(0);
  expect(stored.filter((s) => !s.confirmed)).toEqual([]);
  expect(errors).toEqual([]);
});
