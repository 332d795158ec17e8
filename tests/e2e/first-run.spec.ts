/**
 * A new user's first minutes and the feed's failures, as a trader sees them: the offline first run
 * shows explained signals on the bundled sample; no network shows the sample and a banner; a feed
 * that dies marks the chart stale, with the reason one click away.
 */
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { closedPort, ROOT, SHARED_DATA, startServe, tempDir } from '../helpers';
import { expectHeatmapBehindWindow, watchConsole } from './checks';

const shot = (name: string) => join(ROOT, 'test-results', name);
/** A time of day as the page shows it in the user's zone. */
const CLOCK = /\d{2}:\d{2}:\d{2}/;

async function expectSampleOnChart(page: Page): Promise<void> {
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320', { timeout: 30_000 });
  await expect(page.getByTestId('symbol-select')).toHaveValue('BTCUSDT');
}

test('the offline first run shows explained signals on the bundled sample within seconds', async ({ page }) => {
  const server = await startServe(['--db', join(tempDir(), 'store.db'), '--feed', 'off']);
  try {
    const errors = watchConsole(page);
    await page.goto(server.url);
    await expectSampleOnChart(page);
    // No click: the newest window scored is explained on the chart, its heatmap drawn.
    await expect(page.getByTestId('signal-row').first()).toBeVisible({ timeout: 60_000 });
    const state = page.getByTestId('chart-stream-state');
    await expect(state).toHaveText('bundled sample · offline');
    const explanation = page.getByTestId('explanation');
    await expect(explanation).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('summary')).toContainText(/(BUY|HOLD|SELL) with \d+% confidence/);
    const id = Number(await explanation.getAttribute('data-signal-id'));
    const signal = await page.evaluate((signalId) => window.candleLens!.invoke('signals.explain', { id: signalId, method: 'gradcam' }), id);
    await expect(page.getByTestId('signals-backfill')).toContainText(/scoring the newest windows .*\d+ \/ 500/);
    await expectHeatmapBehindWindow(page, signal, shot('first-run-signals.png'));
    await state.click();
    await expect(page.getByTestId('chart-stream-reason')).toContainText('The bundled sample: real Bybit BTCUSDT 1-minute candles');
    await page.screenshot({ path: shot('first-run-sample-reason.png') });
    expect(errors).toEqual([]);
  } finally {
    await server.stop();
  }
});

test('no network shows the bundled sample and a banner: offline, retrying, since when', async ({ page }) => {
  const port = await closedPort();
  const server = await startServe([
    '--db',
    join(tempDir(), 'store.db'),
    '--symbols',
    'BTCUSDT',
    '--bybit-ws',
    `ws://127.0.0.1:${port}`,
    '--bybit-rest',
    `http://127.0.0.1:${port}`,
  ]);
  try {
    await page.goto(server.url);
    await expectSampleOnChart(page);
    const banner = page.getByTestId('offline-banner');
    await expect(banner).toContainText('Offline', { timeout: 30_000 });
    await expect(banner).toContainText(/cannot reach ws:\/\/127\.0\.0\.1:\d+ since \d{2}:\d{2}:\d{2}; retrying\./);
    await expect(banner).toContainText('Showing the bundled sample.');
    const state = page.getByTestId('chart-stream-state');
    await expect(state).toHaveAttribute('data-stale', 'true');
    await expect(state).toContainText(CLOCK);
    await page.screenshot({ path: shot('offline-banner.png') });
    await page.getByTestId('theme-toggle').click();
    await page.screenshot({ path: shot('offline-banner-light.png') });
  } finally {
    await server.stop();
  }
});

test('a feed that dies marks the chart stale, in the watchlist too, with the reason one click away', async ({ page }) => {
  const fake = await new FakeBybit({ rows: readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 2000), startIndex: 600 }).listen();
  fake.play(100);
  const server = await startServe([
    '--db',
    join(tempDir(), 'store.db'),
    '--symbols',
    'ETHUSDT',
    '--bybit-ws',
    fake.wsUrl,
    '--bybit-rest',
    fake.restUrl,
  ]);
  try {
    await page.goto(server.url);
    const state = page.getByTestId('chart-stream-state');
    await expect(state).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    await expect(state).toHaveAttribute('data-stale', 'false');
    await expect(page.getByTestId('chart-stale')).toHaveCount(0);
    await expect(page.getByTestId('watch-state')).toHaveText('live');
    await fake.close();
    await expect(state).toHaveAttribute('data-stale', 'true', { timeout: 30_000 });
    await expect(state).toContainText(/^stale · reconnecting since \d{2}:\d{2}:\d{2}$/);
    await expect(page.getByTestId('chart-stale')).toBeVisible();
    await expect(page.getByTestId('watch-state')).toContainText(/^reconnecting since \d{2}:\d{2}:\d{2}$/);
    await state.click();
    await expect(page.getByTestId('chart-stream-reason')).toContainText('ECONNREFUSED');
    await page.screenshot({ path: shot('dead-feed-stale.png') });
  } finally {
    await server.stop();
    await fake.close();
  }
});

test.describe('in the user’s zone', () => {
  test.use({ timezoneId: 'Asia/Tokyo' });

  test('a refused action says why with times in the user’s zone, keeps the view, and the next success clears it', async ({ page }) => {
    const server = await startServe(['--db', join(tempDir(), 'store.db'), '--feed', 'off']);
    try {
      await page.goto(server.url);
      await expectSampleOnChart(page);
      await page.getByTestId('replay-toggle').click();
      // The sample ends Jun 29, 2025 at 16:38 UTC, 01:38 on Jun 30 in Tokyo.
      await page.getByLabel('replay from').fill('2025-06-30T00:00');
      await page.getByLabel('replay to').fill('2025-06-29T23:00');
      await page.getByTestId('replay-bar').getByRole('button', { name: 'Start' }).click();
      const error = page.locator('header').getByRole('alert');
      await expect(error).toHaveText('replay.start: replay range ends (Jun 29, 2025, 23:00) before it starts (Jun 30, 2025, 00:00)');
      await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
      await page.screenshot({ path: shot('refused-replay-local-times.png') });
      await page.getByLabel('replay to').fill('2025-06-30T01:00');
      await page.getByTestId('replay-bar').getByRole('button', { name: 'Start' }).click();
      await expect(page.getByTestId('replay-progress')).toBeVisible();
      await expect(error).toHaveCount(0);
    } finally {
      await server.stop();
    }
  });
});
