import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import { ROOT, startServe, tempDir } from '../helpers';
import { expectChartShowsStoredCandles, watchConsole } from './checks';

let server: Awaited<ReturnType<typeof startServe>>;

test.beforeAll(async () => {
  server = await startServe(['--db', join(tempDir(), 'store.db')]);
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
