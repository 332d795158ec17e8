/**
 * Model kinds side by side from the UI, against a real engine and store: a 1-D model and an
 * image-cnn trained by the CLI on the stored sample and registered in the same store, ticked in the
 * Models view and compared, show one row each (the 1-D one the reference) and plain sentences.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLE_FILE, type Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, runCli, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
const versions: Record<string, string> = {};
test.beforeAll(async () => {
  const dir = tempDir();
  const storePath = join(dir, 'store.db');
  ({ engine, server } = await servedEngine({ storePath, market: false }));
  await engine.model?.ready;
  for (const [kind, window] of [
    ['financial-cnn', '30'],
    ['image-cnn', '20'],
  ] as const) {
    const trained = runCli(
      ['train', '--csv', SAMPLE_FILE, '--interval', '1', '--db', storePath, '--out', join(dir, 'models'), '--epochs', '1'].concat([
        '--stride',
        '6',
        '--window',
        window,
        '--convs',
        '4:3',
        '--kind',
        kind,
      ]),
    );
    expect(trained.status, trained.stderr).toBe(0);
    versions[kind] = (JSON.parse(trained.stdout) as { version: string }).version;
  }
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test('the Models view compares ticked models of two kinds side by side, the 1-D model the reference', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await page.getByTestId('models-toggle').click();
  const view = page.getByTestId('models-view');
  const compare = view.getByTestId('compare-models');
  await expect(compare).toBeDisabled();
  for (const kind of ['image-cnn', 'financial-cnn']) await view.getByRole('checkbox', { name: `compare ${versions[kind]}` }).check();
  await expect(compare).toHaveText('Compare 2 selected');
  await compare.click();
  const rows = view.getByTestId('comparison-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: versions['image-cnn'] ?? '' })).toContainText('image-cnn');
  await expect(rows.filter({ hasText: versions['financial-cnn'] ?? '' })).toContainText('reference');
  // Their saved reports cover windows of other lengths and warm-ups, so not quite the same windows: said.
  await expect(view.getByTestId('comparison-periods')).toContainText('not measured on the same windows');
  await expect(
    view
      .getByTestId('comparison-verdict')
      .filter({ hasText: `image-cnn ${versions['image-cnn']}` })
      .first(),
  ).toContainText(/beats|does NOT beat/);
  await view.getByTestId('comparison-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'test-results', 'models-kind-comparison.png') });
  expect(errors).toEqual([]);
});
