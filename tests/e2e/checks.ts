/** The checks every end-to-end run makes, whatever hosts the renderer (browser or Electron). */
import { expect, type Page } from '@playwright/test';
import { SAMPLE_STREAM } from '../../src-main/engine/engine';

/** Collects console errors and uncaught page errors from the moment it is called. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** The chart shows exactly the candles the store holds, as the bridge reports them. */
export async function expectChartShowsStoredCandles(page: Page, screenshot: string): Promise<number> {
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', /^[1-9]\d*$/, { timeout: 30_000 });
  const stored = await page.evaluate(async (key) => (await window.candleLens!.invoke('candles.count', key)).count, SAMPLE_STREAM);
  expect(stored).toBe(4320);
  await expect(chart).toHaveAttribute('data-bars', String(stored));
  await expect(page.locator('canvas').first()).toBeVisible();
  await page.screenshot({ path: screenshot });
  return stored;
}
