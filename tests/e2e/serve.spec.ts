import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { ROOT, startServe, tempDir } from '../helpers';
import { expectChartShowsStoredCandles, watchConsole } from './checks';

let server: Awaited<ReturnType<typeof startServe>>;

test.beforeAll(async () => {
  server = await startServe(['--db', join(tempDir(), 'store.db'), '--feed', 'off']);
});
test.afterAll(async () => server.stop());

test('the served page shows the stored candles with no console error', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expectChartShowsStoredCandles(page, join(ROOT, 'test-results', 'serve-chart.png'));
  await expect(page.getByTestId('status')).toContainText('4,320 candles stored');
  expect(errors).toEqual([]);
});

test('the bridge refuses a wrong payload with a typed error', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', /^[1-9]/);
  const refusal = await page.evaluate(async () => {
    try {
      // Deliberately outside the contract's types: what a buggy or hostile page could send.
      await window.candleLens!.invoke('candles.count', { symbol: 'btc', interval: '7' } as never);
      return 'accepted';
    } catch (err) {
      return `${(err as { code: string }).code}: ${(err as Error).message}`;
    }
  });
  expect(refusal).toMatch(/^bad_request: candles.count/);
  expect(errors).toEqual([]);
});

test('the page without the run token cannot reach the engine', async ({ page }) => {
  await page.goto(server.url.replace(/token=[^&]+/, 'token=nope'));
  const answer = await page.evaluate(() =>
    window.candleLens!.invoke('app.info', {}).then(
      () => 'answered',
      (err: { code: string }) => err.code,
    ),
  );
  expect(answer).toBe('transport');
  await expect(page.getByRole('alert')).toContainText('cannot reach the engine');
  await expect(page.getByTestId('chart')).toHaveCount(0);
});

test('replay reveals stored candles one at a time and returns to the live chart', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('replay-toggle').click();
  await page.getByTestId('replay-bar').getByRole('button', { name: 'Start' }).click();
  // Only the warm-up before the range: nothing after the replay's start reaches the chart.
  await expect(chart).toHaveAttribute('data-bars', '300');
  const progress = page.getByTestId('replay-progress');
  await expect(progress).toHaveText('0 / 361');
  for (let i = 0; i < 3; i++) await page.getByTestId('replay-step').click();
  await expect(progress).toHaveText('3 / 361');
  await expect(chart).toHaveAttribute('data-bars', '303');
  await page.getByLabel('replay speed').selectOption('1000');
  await page.getByTestId('replay-play').click();
  await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 10_000 }).toBeGreaterThan(310);
  await page.getByTestId('replay-bar').getByRole('button', { name: 'Stop' }).click();
  await expect(chart).toHaveAttribute('data-bars', '4320');
  expect(errors).toEqual([]);
});

test('the models view shows the evaluation report, and training starts, reports progress and cancels', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('model-status')).toContainText(/model default-\S+ · (wasm|cpu|tensorflow)/, { timeout: 30_000 });
  await page.getByTestId('models-toggle').click();
  const view = page.getByTestId('models-view');
  await expect(view.getByTestId('model-row').first()).toContainText('(active)');
  await view.getByRole('button', { name: 'Report' }).first().click();
  await expect(view.getByTestId('report')).toContainText('majority');
  await expect(view).toContainText('Faithfulness (deletion test)');
  await expect(view).toContainText(/baseline/);
  // The bundled model's trust report: a table per head (direction, volatility, VaR, sharp move) with a row per
  // method, the default method and why, the MoRF/LeRF curves of any row.
  await expect(view.getByTestId('trust-table')).toHaveCount(4);
  await expect(view.getByTestId('trust-table').first().getByTestId('trust-row')).toHaveCount(5);
  await expect(view.getByTestId('trust-default')).toContainText('Default method: Grad-CAM. Grad-CAM has the best ROAD combined score');
  await expect(view.getByTestId('road-curves').locator('polyline')).toHaveCount(2);
  await view.getByRole('button', { name: 'LayerCAM' }).first().click();
  await expect(view.getByTestId('road-legend')).toContainText('LayerCAM (direction)');
  await view.getByLabel('epochs').fill('2');
  await view.getByTestId('train-start').click();
  await expect(view.getByTestId('training-state')).toContainText('running', { timeout: 30_000 });
  await view.getByRole('button', { name: 'Cancel' }).click();
  await expect(view.getByTestId('training-state')).toContainText(/cancelled|done/, { timeout: 60_000 });
  await page.screenshot({ path: join(ROOT, 'test-results', 'models-view.png') });
  expect(errors).toEqual([]);
});
