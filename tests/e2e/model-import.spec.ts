/**
 * Importing a PyTorch-trained model from the Models view against a real engine: the gaf-cnn golden
 * with its encoding spec is registered and listed by its kind; a spec that disagrees with the
 * weights is refused with the reason and nothing is listed.
 */
import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { SHARED_GAF_GOLDEN, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
const dir = tempDir();
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(dir, 'store.db'), market: false, modelsDir: join(dir, 'models') }));
  // The bundled model is registered once it has loaded.
  await engine.model?.ready;
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test('the Models view imports a PyTorch gaf-cnn with its encoding spec, and refuses a spec that disagrees with it', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const spec = join(dir, 'gaf-spec.json');
  writeFileSync(spec, JSON.stringify({ kind: 'gaf-cnn', interval: '1', windowLength: 32 }));
  const wrongSpec = join(dir, 'wrong-spec.json');
  writeFileSync(wrongSpec, JSON.stringify({ kind: 'gaf-cnn', interval: '1', windowLength: 60 }));
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.goto(server.url);
  await page.getByTestId('models-toggle').click();
  const view = page.getByTestId('models-view');
  await expect(view.getByTestId('model-row')).toHaveCount(1);
  await expect(view.getByTestId('model-kind')).toHaveText('FinancialCNN');

  const form = view.getByTestId('model-import');
  const outcome = view.getByTestId('model-import-outcome');
  await form.getByLabel('model name').fill('desk');
  await form.getByLabel('PyTorch model file').setInputFiles(join(SHARED_GAF_GOLDEN, 'model.json'));
  await form.getByLabel('encoding spec file').setInputFiles(wrongSpec);
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(outcome).toHaveText(/Not imported: .*windows of 32 candles, the spec says 60/);
  await expect(outcome).toHaveAttribute('role', 'alert');
  await expect(view.getByTestId('model-row')).toHaveCount(1);

  await form.getByLabel('encoding spec file').setInputFiles(spec);
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(outcome).toHaveText(/Imported desk-[0-9a-f]{12} \(GafCNN\)/);
  await expect(view.getByTestId('model-row')).toHaveCount(2);
  const row = view.getByTestId('model-row').filter({ hasText: 'desk-' });
  await expect(row.getByTestId('model-kind')).toHaveText('GafCNN');
  await expect(row.getByRole('button', { name: /^Use/ })).toBeVisible();
  await form.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/model-import.png' });
  expect(errors).toEqual([]);
});
