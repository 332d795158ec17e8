/**
 * Backtest and audit from the UI, against a real engine (bundled model in its worker) and server in
 * this process: a small backtest with its equity plot and trades, a jump to a trade, CSV and PNG
 * exports checked by content, and a stored signal verified as reproduced.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { callEngine, ROOT, tempDir } from '../helpers';
import { toDateTimeInput } from '../../src-renderer/src/lib/time-format';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false }));
  await engine.model?.ready;
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

/** The content of the file a click downloads. */
async function downloaded(page: Page, button: Locator): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return readFileSync(await download.path());
}

test('a backtest from the UI: equity plot, trades with their explanation, jump to the chart, CSV and PNG exports', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  const recent = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 300);
  await page.getByTestId('backtest-toggle').click();
  const view = page.getByTestId('backtest');
  await view.getByLabel('from').fill(toDateTimeInput(recent[0]?.time ?? 0));
  await view.getByLabel('threshold').fill('0.34');
  await view.getByLabel('hold candles').fill('10');
  await view.getByTestId('backtest-run').click();

  const report = view.getByTestId('backtest-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(view.getByTestId('equity-chart')).toHaveAttribute('data-points', '300');
  await expect(view.getByTestId('equity-chart').locator('canvas').first()).toBeVisible();
  await expect(report).toContainText('Buy and hold');
  // The plot has buy-and-hold beside the strategy, with a legend, over the whole range from its first point.
  const equityChart = view.getByTestId('equity-chart');
  await expect(equityChart).toHaveAttribute('data-series', 'strategy,buy-and-hold,drawdown');
  await expect(view.getByTestId('equity-legend')).toHaveText(/Strategy equity.*Buy and hold.*drawdown/);
  const holdTotal = report.locator('tr', { hasText: 'Total return' }).locator('td').nth(2);
  const holdLast = Number(await equityChart.getAttribute('data-hold-last'));
  expect(((holdLast - 1) * 100).toFixed(2) + '%').toBe(await holdTotal.textContent());
  await expect(equityChart).toHaveAttribute('data-first-shown', (await equityChart.getAttribute('data-first-time')) ?? 'missing');
  await expect(view.getByTestId('ratio-note')).toContainText('√525,600');
  await expect(view.getByTestId('entry-price').first()).toHaveText(/^\d[\d,]*(\.\d+)?$/);
  await view.getByTestId('equity-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'backtest-equity.png') });
  const trades = view.getByTestId('trade');
  const count = await trades.count();
  expect(count).toBeGreaterThan(0);
  // Each trade's entry and exit are marked on the main chart.
  const tradeMarks = () => page.evaluate(() => window.candleLensChart!.markerIds().filter((id) => id.startsWith('trade-')));
  await expect.poll(async () => (await tradeMarks()).length).toBe(2 * count);

  // The entry signal's explanation, in the list and, after the jump, beside the chart with its heatmap.
  await trades.first().getByRole('button', { name: 'Why' }).click();
  await expect(view.getByTestId('explanation')).toContainText('Most attended candles');
  await trades.first().getByRole('button', { name: 'Show on chart' }).click();
  await expect(page.locator('aside').getByTestId('explanation')).toContainText('Probabilities');
  await page.screenshot({ path: join(ROOT, 'test-results', 'backtest.png') });

  const tradesCsv = (await downloaded(page, view.getByRole('button', { name: 'Trades CSV' }))).toString();
  const lines = tradesCsv.trim().split('\n');
  expect(lines[0]).toBe(
    'side,entry_time,exit_time,entry_price,exit_price,return,exit,signal_candle,signal_confidence,signal_concentration',
  );
  expect(lines).toHaveLength(count + 1);
  expect(lines[1]).toMatch(/^(long|short),\d+,\d+,/);

  const signalsCsv = (await downloaded(page, view.getByRole('button', { name: 'Signals CSV' }))).toString();
  expect(signalsCsv.trim().split('\n')).toHaveLength(301);
  expect(signalsCsv.split('\n')[1]).toMatch(new RegExp(`^${recent[0]?.time},(buy|hold|sell),`));

  const png = await downloaded(page, view.getByRole('button', { name: 'Chart PNG' }));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(errors).toEqual([]);
});

test('the equity plot of a long range shows it whole, from its first point', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('backtest-toggle').click();
  const view = page.getByTestId('backtest');
  // Every stored candle, and no trade (no call reaches a probability of 1): only the plot matters here.
  await view.getByLabel('threshold').fill('1');
  await view.getByTestId('backtest-run').click();
  await expect(view.getByTestId('backtest-report')).toBeVisible({ timeout: 120_000 });
  const equityChart = view.getByTestId('equity-chart');
  // Thousands of points in a few hundred pixels: fitting them at the default half pixel a point cut off the start.
  expect(Number(await equityChart.getAttribute('data-points'))).toBeGreaterThan(2000);
  await expect(equityChart).toHaveAttribute('data-first-shown', (await equityChart.getAttribute('data-first-time')) ?? 'missing');
  await equityChart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'backtest-long-range.png') });
  expect(errors).toEqual([]);
});

test('the audit view lists stored signals page by page, verifies one as reproduced and exports the audit CSV', async ({ page }) => {
  const errors = watchConsole(page);
  // More stored signals than one page shows; the newest comes first.
  const recent = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 250);
  for (const candle of recent.slice(0, -1)) await engine.scorer?.scoreCandle(SAMPLE_STREAM, candle.time);
  const signal = await engine.scorer?.scoreCandle(SAMPLE_STREAM, recent.at(-1)?.time ?? 0);
  const stored = (await callEngine<{ total: number }>(engine, 'audit.list', {})).total;
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('audit-toggle').click();
  const shownRows = page.getByTestId('audit-row');
  await expect(shownRows).toHaveCount(200);
  await page.getByTestId('audit-next').click();
  await expect(shownRows).toHaveCount(Math.min(200, stored - 200));
  await page.getByTestId('audit-prev').click();
  const row = page.getByTestId('audit').locator(`[data-signal-id="${signal?.id}"]`);
  await expect(row).toContainText(signal?.inputHash.slice(0, 12) ?? 'missing');
  await row.getByRole('button', { name: 'Verify' }).click();
  await expect(row.getByTestId('verdict')).toHaveText('reproduced', { timeout: 60_000 });
  await page.screenshot({ path: join(ROOT, 'test-results', 'audit.png') });

  const csv = (await downloaded(page, page.getByTestId('audit').getByRole('button', { name: 'Export CSV' }))).toString();
  const [header, ...rows] = csv.trim().split('\n');
  expect(header).toContain('model_version,input_hash');
  expect(rows.find((r) => r.startsWith(`${signal?.id},`))).toMatch(new RegExp(`,${signal?.inputHash},.*,reproduced$`));
  expect(errors).toEqual([]);
});
