/**
 * The explained signal on the chart: marker, explanation panel, the heatmap behind exactly the
 * window's candles (checked on the screenshot's pixels), and an alert with its thumbnail. The engine
 * and server are real and in this process, so the test can push a signal of known attention.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { Signal } from '../../src-shared/domain/signal';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, tempDir } from '../helpers';
import { expectHeatmapBehindWindow, expectHeatmapHidden, servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

const windowStarts = () => {
  const candles = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 120).slice(0, 60);
  return candles.map((c) => c.time);
};

function knownSignal(starts: number[]): Signal {
  return {
    id: 41,
    ...SAMPLE_STREAM,
    candleStart: starts.at(-1) ?? 0,
    confirmed: true,
    modelVersion: 'test-model',
    predicted: 'sell',
    probabilities: [0.1, 0.15, 0.75],
    method: 'gradcam',
    windowStarts: starts,
    // Attention on candles 40-44 only (peak at 42); every other candle of the window gets none.
    cam: starts.map((_, i) => (i >= 40 && i <= 44 ? 1 - Math.abs(i - 42) * 0.2 : 0)),
    features: [
      { name: 'rsi14', attribution: 0.5 },
      { name: 'macd_hist', attribution: -0.2 },
    ],
    inputHash: 'abc123',
    createdAt: Date.now(),
  };
}

test('a signal shows as a marker, and selecting it draws its heatmap behind exactly its window', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('alerts').getByLabel('alert class').selectOption('sell');
  await page.getByTestId('alerts').getByLabel('minimum probability').fill('0.7');
  await page.getByTestId('alerts').getByRole('button', { name: 'Set' }).click();
  await expect(page.getByTestId('alert-rule')).toHaveCount(1);

  const starts = windowStarts();
  // As the live scorer stores a signal: renderers get it as 'signal.created', and the alerts judge it.
  engine.bus.emit('signal.stored', knownSignal(starts));
  const row = page.getByTestId('signal-row');
  await expect(row).toContainText('SELL');
  await expect(row).toContainText('75%');
  await row.click();
  await expect(page.getByTestId('summary')).toContainText('SELL with 75% confidence (Grad-CAM, model test-model)');
  await expect(page.getByTestId('explanation')).toContainText('RSI(14)');

  const signal = knownSignal(starts);
  await expectHeatmapBehindWindow(page, signal, join(ROOT, 'test-results', 'heatmap.png'));

  // It follows zoom and resize: the same checks after zooming in on the window and narrowing the page.
  const box = await page.getByTestId('chart').boundingBox();
  const peakX = await page.evaluate((t) => window.candleLensChart!.timeToX(t), starts[42] ?? 0);
  await page.mouse.move((box?.x ?? 0) + (peakX ?? 0), (box?.y ?? 0) + 200);
  await page.mouse.wheel(0, -200);
  await page.mouse.move(1, 1); // off the chart, so no crosshair line crosses the samples
  await page.setViewportSize({ width: 1100, height: 700 });
  await expectHeatmapBehindWindow(page, signal, join(ROOT, 'test-results', 'heatmap-zoomed.png'));
  expect(await page.evaluate((t) => window.candleLensChart!.timeToX(t), starts[42] ?? 0)).not.toBe(peakX);

  // The heatmap toggle hides it again.
  await page.getByTestId('heatmap-toggle').uncheck();
  await expectHeatmapHidden(page, signal);

  // The alert set above fired on this signal, with a thumbnail of the chart and its heatmap.
  const fired = page.getByTestId('fired-alert');
  await expect(fired).toContainText('SELL BTCUSDT 1 · 75%');
  await expect(fired.locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);
  // A compact line with a small thumbnail, which opens the full picture.
  expect((await fired.locator('img').boundingBox())?.height).toBeLessThanOrEqual(40);
  await fired.getByTestId('fired-thumbnail').click();
  const picture = page.getByTestId('alert-picture');
  await expect(picture).toContainText('SELL BTCUSDT 1');
  expect((await picture.locator('img').boundingBox())?.width).toBeGreaterThan(600);
  await page.screenshot({ path: join(ROOT, 'test-results', 'alert-picture.png') });
  await picture.getByRole('button', { name: /close/i }).click();
  await expect(picture).toHaveCount(0);
  expect(await page.evaluate(async () => (await window.candleLens!.invoke('alerts.fired', {}))[0]?.thumbnail?.length)).toBeGreaterThan(
    1000,
  );
  expect(errors).toEqual([]);
});
