import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { ROOT, SHARED_DATA, startServe, tempDir } from '../helpers';
import { watchConsole } from './checks';

let server: Awaited<ReturnType<typeof startServe>>;

test.beforeAll(async () => {
  const csv = join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv');
  server = await startServe([
    '--db',
    join(tempDir(), 'store.db'),
    '--feed',
    'replay',
    '--csv',
    csv,
    '--replay-history',
    '600',
    '--replay-step-ms',
    '100',
  ]);
});
test.afterAll(async () => server.stop());

test('live candles from the (fake) exchange appear and the last bar moves', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  const watchlist = page.getByTestId('watchlist');
  await watchlist.getByRole('button', { name: 'ETHUSDT 1', exact: true }).click();
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', /^[1-9]\d*$/, { timeout: 30_000 });
  const closes = new Set<string>();
  await expect
    .poll(
      async () => {
        closes.add((await chart.getAttribute('data-last-close')) ?? '');
        return closes.size;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(3);
  const bars = Number(await chart.getAttribute('data-bars'));
  await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 30_000 }).toBeGreaterThan(bars);

  const health = page.getByTestId('stream-health');
  await expect(health).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await expect(health).toContainText('ETHUSDT 1');
  await expect(page.getByTestId('watch-row').first()).toContainText(/\d,?\d+\.\d+/);
  await page.screenshot({ path: join(ROOT, 'test-results', 'live-chart.png') });
  expect(errors).toEqual([]);
});

test('a confirmed candle produces an explained signal from the bundled model, with its heatmap', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await page.getByTestId('watchlist').getByRole('button', { name: 'ETHUSDT 1', exact: true }).click();
  await expect(page.getByTestId('model-status')).toContainText(/model \S+ · (wasm|cpu|tensorflow)/, { timeout: 30_000 });
  const row = page.getByTestId('signal-row').first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.click();
  await expect(page.getByTestId('summary')).toContainText(/(BUY|HOLD|SELL) with \d+% confidence \(Grad-CAM, model /);
  await page.getByTestId('method-select').selectOption('gradcampp');
  await expect(page.getByTestId('summary')).toContainText('(Grad-CAM++, model ');
  await page.screenshot({ path: join(ROOT, 'test-results', 'live-signal.png') });
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
