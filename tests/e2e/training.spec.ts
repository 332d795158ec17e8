/**
 * Training from the Models view against a real engine in this process: the bar moves through every
 * epoch (it stayed at 0 of 1), the loss curves have values and a legend, and the new model is marked
 * by its report's verdicts before it can be made active.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import type { Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  const dir = tempDir();
  ({ engine, server } = await servedEngine({ storePath: join(dir, 'store.db'), market: false, modelsDir: join(dir, 'models') }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test('training moves its bar epoch by epoch, draws labelled loss curves and marks a model that does not beat its baselines', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('models-toggle').click();
  const view = page.getByTestId('models-view');
  await view.getByLabel('epochs').fill('2');
  await view.getByTestId('train-start').click();

  const bar = view.getByTestId('training-progress');
  const state = view.getByTestId('training-state');
  const fractions: number[] = [];
  const lines = new Set<string>();
  await expect
    .poll(
      async () => {
        fractions.push(await bar.evaluate((e) => (e as HTMLProgressElement).value / (e as HTMLProgressElement).max));
        lines.add((await state.textContent()) ?? '');
        return (await state.textContent()) ?? '';
      },
      { timeout: 280_000, intervals: [200] },
    )
    .toMatch(/^\s*(done|failed)/);
  await expect(state).toContainText('done');
  // The bar moved through the run: values strictly between 0 and 1 on the way, never back, full at the end.
  expect(fractions.filter((f) => f > 0 && f < 1).length, fractions.join(' ')).toBeGreaterThan(1);
  expect(fractions.every((f, i) => i === 0 || f >= (fractions[i - 1] ?? 0))).toBe(true);
  expect(fractions.at(-1)).toBe(1);
  expect([...lines].some((l) => /epoch 1 of 2 · batch \d+ of \d+/.test(l))).toBe(true);

  // Loss curves with values on the axis and in the legend.
  await expect(view.getByTestId('loss-tick').first()).toHaveText(/^\d+\.\d{4}$/);
  await expect(view.getByTestId('loss-legend')).toContainText(/training loss \d+\.\d{4}.*validation loss \d+\.\d{4}/);

  // The new model's row says what its report's verdicts say, before it is made active.
  const row = view.getByTestId('model-row').filter({ hasNot: page.getByText('(active)') });
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'Report' }).click();
  // The report loads after the click: read its verdicts once they are there (one per baseline).
  await expect(view.getByTestId('verdict')).toHaveCount(2);
  const verdicts = (await view.getByTestId('verdict').allTextContents()).join(' ');
  const weak = /does NOT/.test(verdicts);
  await expect(row.getByTestId('baseline-mark')).toContainText(weak ? 'does not beat its baselines' : 'beats its 2 baselines');
  await expect(row.getByRole('button', { name: weak ? 'Use anyway' : 'Use' })).toBeVisible();
  // Its explanations were measured on its test period: a row per method, and the default it chose.
  await expect(view.getByTestId('trust-row')).toHaveCount(5);
  await expect(view.getByTestId('trust-default')).toContainText(
    'best ROAD combined score of the CAM methods on the direction head over 32 test windows',
  );
  await view.getByTestId('loss-curves').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'training.png') });
  expect(errors).toEqual([]);
});
