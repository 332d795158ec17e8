/** The main chart exports as a PNG (not only from the Backtest panel), with a caption written on the picture. */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false, modelPath: false }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

test('the main chart exports a PNG captioned with its stream, time range, model and method', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
  expect(download.suggestedFilename()).toBe('chart-BTCUSDT-1.png');
  await download.saveAs(join(ROOT, 'test-results', 'chart-export.png'));
  const bytes = readFileSync(await download.path());
  const picture = PNG.sync.read(bytes);
  expect(picture.width).toBe(1600);
  // The caption band above the chart: its own background, with text drawn on it (pixels of another colour).
  const at = (x: number, y: number) => Array.from(picture.data.subarray((y * picture.width + x) * 4, (y * picture.width + x) * 4 + 3));
  const background = at(picture.width - 2, 2).join();
  let written = 0;
  for (let y = 0; y < 48; y++) for (let x = 0; x < 700; x++) if (at(x, y).join() !== background) written++;
  expect(written).toBeGreaterThan(500);
  await download.saveAs(join(ROOT, 'test-results', 'chart-export.png'));
  expect(errors).toEqual([]);
});
