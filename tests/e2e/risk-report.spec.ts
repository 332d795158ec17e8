/**
 * The forecast heads' report from the UI, against a real engine and store: a model with every head
 * (trained by the CLI on the stored sample, registered in the same store) shows its verdicts head by
 * head, the VaR tables, violations over time and the sharp-move reliability curve in the Models view;
 * a backtest with it sizes trades to a volatility target and backtests its VaR head over the range,
 * its breaks marked on the equity line.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLE_FILE, SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, runCli, tempDir } from '../helpers';
import { toDateTimeInput } from '../../src-renderer/src/lib/time-format';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
let version = '';
test.beforeAll(async () => {
  const dir = tempDir();
  const storePath = join(dir, 'store.db');
  ({ engine, server } = await servedEngine({ storePath, market: false }));
  await engine.model?.ready;
  const trained = runCli(
    ['train', '--csv', SAMPLE_FILE, '--interval', '1', '--db', storePath, '--out', join(dir, 'models'), '--epochs', '1'].concat([
      '--stride',
      '3',
      '--window',
      '30',
      '--convs',
      '8:3',
      '--heads',
      'direction,volatility,var,sharp',
    ]),
  );
  expect(trained.status, trained.stderr).toBe(0);
  version = (JSON.parse(trained.stdout) as { version: string }).version;
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test("the Models view shows a multi-head model's report: verdicts per head and baseline, VaR tables, violations over time, calibration", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('models-toggle').click();
  const view = page.getByTestId('models-view');
  await view.getByTestId('model-row').filter({ hasText: version }).getByRole('button', { name: 'Report' }).click();
  const risk = view.getByTestId('risk-report');
  await expect(risk).toBeVisible();
  // Every head against every baseline, in plain words: two direction baselines, four volatility, two VaR at two levels, one sharp-move.
  const verdicts = risk.getByTestId('head-verdict');
  await expect(verdicts).toHaveCount(2 + 4 + 4 + 1);
  for (const text of await verdicts.locator('td:nth-child(3)').allTextContents())
    expect(['beats', 'does not beat', 'cannot tell']).toContain(text.trim());
  // The VaR rows give a p-value (Diebold–Mariano) beside their verdict.
  expect(await risk.locator('[data-head="var"] td:nth-child(4)').allTextContents()).toEqual(
    expect.arrayContaining([expect.stringMatching(/^(< 0\.001|[01]\.\d{3})$/)]),
  );
  await expect(risk.getByTestId('volatility-table').locator('tbody tr')).toHaveCount(5);
  await expect(risk.getByTestId('var-table')).toHaveCount(2);
  await expect(risk.getByTestId('var-table').first().getByTestId('var-row')).toHaveCount(3);
  await expect(risk.getByTestId('var-table').first()).toContainText(/model\s*\d+ of \d+/);
  await expect(risk.getByTestId('violation-timeline')).toBeVisible();
  // The timeline has a tick per counted break of every VaR (model and baselines, both levels).
  const breaks = (await risk.getByTestId('var-row').locator('td:nth-child(2)').allTextContents()).map((t) => Number(t.split(' of ')[0]));
  await expect(risk.getByTestId('violation-tick')).toHaveCount(breaks.reduce((a, b) => a + b, 0));
  await expect(risk.getByTestId('reliability-curve')).toBeVisible();
  await expect(risk.getByTestId('reliability-point').first()).toBeAttached();
  await risk.getByTestId('head-verdicts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'models-risk-verdicts.png') });
  await risk.getByTestId('violation-timeline').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'models-risk-var.png') });
  await risk.getByTestId('reliability-curve').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'models-risk-calibration.png') });
  expect(errors).toEqual([]);
});

test('a backtest sized to a volatility target, with the VaR backtest of the range and its breaks on the equity line', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  const range = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 900);
  await page.getByTestId('backtest-toggle').click();
  const view = page.getByTestId('backtest');
  await view.getByLabel('model').selectOption(version);
  await view.getByLabel('from').fill(toDateTimeInput(range[0]?.time ?? 0));
  await view.getByLabel('threshold').fill('0.34');
  await view.getByLabel('hold candles').fill('10');
  await view.getByLabel('volatility targeting').check();
  await view.getByLabel('volatility target', { exact: true }).fill('20');
  await view.getByTestId('backtest-run').click();

  await expect(view.getByTestId('backtest-report')).toBeVisible({ timeout: 90_000 });
  // Sized trades: not all of size 1, none past the default cap of 2.
  const sizes = (await view.getByTestId('trade-size').allTextContents()).map((t) => Number(t.replace('×', '')));
  expect(sizes.length).toBeGreaterThan(0);
  expect(sizes.some((s) => s !== 1)).toBe(true);
  expect(sizes.every((s) => s > 0 && s <= 2)).toBe(true);

  const varBacktest = view.getByTestId('var-backtest');
  await expect(varBacktest).toHaveAttribute('data-status', 'done');
  await expect(varBacktest.getByTestId('var-table')).toHaveCount(2);
  await expect(varBacktest.getByTestId('var-table').first()).toContainText('historical simulation');
  await expect(varBacktest.getByTestId('var-table').first()).toContainText('EWMA-normal');
  // The model's breaks at both levels, each marked on the equity line.
  const modelBreaks = await varBacktest
    .getByTestId('var-row')
    .filter({ hasText: /^\s*model/ })
    .locator('td:nth-child(2)')
    .allTextContents();
  expect(modelBreaks).toHaveLength(2);
  const marked = modelBreaks.map((t) => Number(t.split(' of ')[0])).reduce((a, b) => a + b, 0);
  await expect(view.getByTestId('equity-chart')).toHaveAttribute('data-violation-markers', String(marked));
  if (marked > 0) await expect(view.getByTestId('violation-legend')).toBeVisible();
  await view.getByTestId('equity-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'backtest-var-equity.png') });
  await varBacktest.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'backtest-var-report.png') });
  expect(errors).toEqual([]);
});
