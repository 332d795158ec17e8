/**
 * An image model's own view in the explanation panel: a real engine with the gaf-cnn golden imported
 * (and a tiny image-cnn trained) scores the bundled sample's newest candles; selecting a signal shows
 * the picture the network read with its 2-D heatmap (checked on the canvas's pixels), candle times on
 * its axes, and hovering a cell outlines exactly its candles on the chart (checked on the screenshot),
 * while hovering a candle on the chart outlines its row and column in the picture.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import { useBackend } from '../../src-main/model/backend';
import { importedModel } from '../../src-main/model/kinds/import';
import { saveModel } from '../../src-main/model/model-file';
import type { RunningServer } from '../../src-main/server/serve';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { ModelView } from '../../src-shared/domain/model-view';
import type { Signal } from '../../src-shared/domain/signal';
import { ROOT, SHARED_GAF_GOLDEN, tempDir } from '../helpers';
import { servedEngine, storeWithSample, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
let gafSignal: Signal;
let chartSignal: Signal;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await useBackend(['wasm', 'cpu']);
  const dir = tempDir();
  const { storePath, candles } = storeWithSample(dir);
  // The PyTorch golden, imported as `import-model` does: a gaf-cnn of 32 candles.
  const golden = JSON.parse(readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8')) as unknown;
  const gaf = importedModel(golden, { kind: 'gaf-cnn', interval: '1', windowLength: 32 }, { name: 'gaf', source: 'test', now: 0 });
  const gafPath = join(dir, 'models', gaf.metadata.version);
  saveModel(gafPath, gaf.metadata, gaf.weights);
  // A tiny image-cnn of 20 candles (a 64 × 60 chart), one epoch on the sample's first 700 candles.
  const job = TrainJobSchema.parse({
    source: 'bundled sample, first 700',
    interval: '1',
    kind: 'image-cnn',
    features: { ...DEFAULT_FEATURE_SPEC, windowLength: 20 },
    labels: DEFAULT_LABEL_SPEC,
    convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
    settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
    modelsDir: join(dir, 'models'),
    name: 'imagecnn',
  });
  const imagePath = (await trainAndSave(job, candles.slice(0, 700))).dir;
  ({ engine, server } = await servedEngine({ storePath, market: false, modelPath: imagePath, seedSample: false }));
  await engine.model?.ready;
  // Scored as live scores them: the image-cnn's signal, then (the newest) the gaf-cnn's.
  chartSignal = (await engine.scorer?.scoreCandle(SAMPLE_STREAM, candles.at(-3)?.time ?? 0)) as Signal;
  await engine.model?.useModel(gafPath);
  gafSignal = (await engine.scorer?.scoreCandle(SAMPLE_STREAM, candles.at(-1)?.time ?? 0)) as Signal;
});

test.afterAll(async () => {
  await server?.close();
  engine?.close();
});

type Rgb = [number, number, number];
const MAGENTA: Rgb = [224, 64, 251];
const isMagenta = ([r, g, b]: Rgb) => r > 150 && g < 120 && b > 170;
const near = (a: Rgb, b: Rgb, tolerance = 40) => a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tolerance);

/** The picture canvas's pixel at a CSS point of it. */
function canvasPixel(page: Page, x: number, y: number): Promise<Rgb> {
  return page.getByTestId('model-picture').evaluate(
    (canvas: HTMLCanvasElement, [px, py]) => {
      const ratio = canvas.width / canvas.clientWidth;
      const data = canvas.getContext('2d')?.getImageData(Math.floor((px ?? 0) * ratio), Math.floor((py ?? 0) * ratio), 1, 1).data;
      return [data?.[0] ?? 0, data?.[1] ?? 0, data?.[2] ?? 0] as Rgb;
    },
    [x, y],
  );
}

/** How many of the picture's pixels are the highlight's magenta. */
const magentaPixels = (page: Page) =>
  page.getByTestId('model-picture').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) > 150 && (data[i + 1] ?? 0) < 120 && (data[i + 2] ?? 0) > 170) count++;
    return count;
  });

/** Whether the chart shows the highlight's magenta within half a bar of each candle's x, on the screenshot. */
async function chartOutlines(page: Page, starts: readonly number[], screenshot: string): Promise<boolean[]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const box = await page.getByTestId('chart').boundingBox();
  const xs = await page.evaluate((ts) => ts.map((t) => window.candleLensChart?.timeToX(t) ?? -1), [...starts]);
  const spacing = await page.evaluate(
    ([a, b]) => (window.candleLensChart?.timeToX(b ?? 0) ?? 0) - (window.candleLensChart?.timeToX(a ?? 0) ?? 0),
    [starts[0], (starts[0] ?? 0) + 60_000],
  );
  const shot = PNG.sync.read(await page.screenshot({ path: screenshot }));
  const y = Math.round((box?.y ?? 0) + 60);
  return xs.map((x) => {
    for (let dx = -Math.ceil(spacing / 2) - 2; dx <= Math.ceil(spacing / 2) + 2; dx++) {
      const i = (y * shot.width + Math.round((box?.x ?? 0) + x + dx)) * 4;
      if (isMagenta([shot.data[i] ?? 0, shot.data[i + 1] ?? 0, shot.data[i + 2] ?? 0])) return true;
    }
    return false;
  });
}

test('a gaf-cnn signal shows its Gramian angular field with the heatmap, candle times on the axes, tied to the chart both ways', async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('signal-row').first().click();
  const panel = page.getByTestId('explanation');
  await expect(panel).toHaveAttribute('data-signal-id', String(gafSignal.id));
  const view = page.getByTestId('model-view');
  await expect(view).toHaveAttribute('data-kind', 'gaf-cnn');
  await expect(view).toContainText('Gramian angular fields of the window (32 × 32)');
  await expect(view.getByRole('button', { name: 'GASF close' })).toHaveAttribute('aria-pressed', 'true');

  // The heatmap over the cells: the most attended cell on the scale's warm end, the least on its cool end.
  const answer: ModelView = await page.evaluate((id) => window.candleLens!.invoke('signals.modelView', { id }), gafSignal.id);
  const image = answer.image;
  if (image === null) throw new Error('no picture');
  const canvasBox = await page.getByTestId('model-picture').boundingBox();
  const cell = (canvasBox?.width ?? 0) / 32;
  expect(cell).toBeGreaterThan(6);
  const centre = (p: number) => [((p % 32) + 0.5) * cell, (Math.floor(p / 32) + 0.5) * cell] as const;
  const hottest = image.cam.indexOf(Math.max(...image.cam));
  const coolest = image.cam.indexOf(Math.min(...image.cam));
  const hot = await canvasPixel(page, ...centre(hottest));
  const cool = await canvasPixel(page, ...centre(coolest));
  expect(hot[0], `hottest cell ${hot.join()}`).toBeGreaterThan(hot[2] + 60); // amber to red
  expect(cool[2], `coolest cell ${cool.join()}`).toBeGreaterThan(cool[0]); // the scale's blue over the grey
  // Without the heatmap the picture is the field in grey.
  await view.getByTestId('model-view-heat').uncheck();
  const grey = await canvasPixel(page, ...centre(hottest));
  expect(Math.max(...grey) - Math.min(...grey)).toBeLessThanOrEqual(1);
  await view.getByTestId('model-view-heat').check();

  // The axes name candle times: the signal's own candle at the end of each.
  const timeOf = (ms: number) =>
    page.evaluate((t) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t), ms);
  const last = await timeOf(gafSignal.candleStart);
  await expect(view.getByTestId('model-view-columns')).toContainText(last);
  await expect(view.getByTestId('model-view-rows')).toContainText(last);
  expect(await view.getByTestId('model-view-columns').locator('.tick').count()).toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: join(ROOT, 'test-results', 'model-view-gaf.png') });
  await panel.screenshot({ path: join(ROOT, 'test-results', 'model-view-gaf-panel.png') });

  // Hovering cell (row 10, column 25) outlines candles 10 and 25 on the chart, and not candle 18. (The
  // panel's screenshot scrolled the side panel: the picture is measured again.)
  const shown = await page.getByTestId('model-picture').boundingBox();
  await page.mouse.move((shown?.x ?? 0) + 25.5 * cell, (shown?.y ?? 0) + 10.5 * cell);
  const starts = gafSignal.windowStarts;
  await expect(view.getByTestId('model-view-readout')).toContainText(/^candles .+ and .+ · attention \d\.\d\d$/);
  await expect(view.getByTestId('model-view-readout')).toContainText(await timeOf(starts[25] ?? 0));
  const outlined = await chartOutlines(
    page,
    [starts[10] ?? 0, starts[25] ?? 0, starts[18] ?? 0],
    join(ROOT, 'test-results', 'model-view-gaf-hover.png'),
  );
  expect(outlined).toEqual([true, true, false]);

  // A row from its axis: one candle.
  const rowsBox = await view.getByTestId('model-view-rows').boundingBox();
  await page.mouse.move((rowsBox?.x ?? 0) + 10, (rowsBox?.y ?? 0) + 4.5 * cell);
  await expect(view.getByTestId('model-view-readout')).toContainText(/^row of candle .+ · mean attention \d\.\d\d$/);
  expect(await chartOutlines(page, [starts[4] ?? 0, starts[10] ?? 0], join(ROOT, 'test-results', 'model-view-gaf-row.png'))).toEqual([
    true,
    false,
  ]);

  // Back the other way: the crosshair on candle 7 outlines row 7 and column 7 of the picture.
  await page.mouse.move(1, 1);
  await expect.poll(() => magentaPixels(page)).toBe(0);
  const chartBox = await page.getByTestId('chart').boundingBox();
  const x7 = await page.evaluate((t) => window.candleLensChart?.timeToX(t) ?? -1, starts[7] ?? 0);
  await page.mouse.move((chartBox?.x ?? 0) + x7, (chartBox?.y ?? 0) + 150);
  await expect.poll(() => magentaPixels(page)).toBeGreaterThan(0);
  expect(isMagenta(await canvasPixel(page, 7 * cell + 1, 20 * cell))).toBe(true); // column 7's left edge
  expect(isMagenta(await canvasPixel(page, 20 * cell, 7 * cell + 1))).toBe(true); // row 7's top edge
  expect(isMagenta(await canvasPixel(page, 20 * cell + 1, 12 * cell))).toBe(false);
  expect(near(await canvasPixel(page, 7 * cell + 1, 20 * cell), MAGENTA)).toBe(true);
  await page.screenshot({ path: join(ROOT, 'test-results', 'model-view-gaf-chart-hover.png') });
  expect(errors).toEqual([]);
});

test('an image-cnn signal shows the chart it read, each block of three columns one candle', async ({ page }) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1100, height: 800 });
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('signal-row').nth(1).click();
  await expect(page.getByTestId('explanation')).toHaveAttribute('data-signal-id', String(chartSignal.id));
  const view = page.getByTestId('model-view');
  await expect(view).toHaveAttribute('data-kind', 'image-cnn');
  await expect(view).toContainText('The chart the model read (64 × 60 pixels)');
  // Its rows are no candle: the axis marks the window's highest and lowest price, and the volume band.
  await expect(view.getByTestId('model-view-rows')).toHaveText(/^\s*\d{2,3},\d{3}(\.\d+)?\s*\d{2,3},\d{3}(\.\d+)?\s*volume\s*$/);
  const canvasBox = await page.getByTestId('model-picture').boundingBox();
  const column = (canvasBox?.width ?? 0) / 60;
  const starts = chartSignal.windowStarts;
  await expect(view.getByTestId('model-view-columns')).toContainText(
    await page.evaluate(
      (t) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t),
      chartSignal.candleStart,
    ),
  );
  // Column 3·12 + 2 (candle 12's close tick) outlines candle 12 alone.
  await page.mouse.move((canvasBox?.x ?? 0) + 38.5 * column, (canvasBox?.y ?? 0) + 10);
  await expect(view.getByTestId('model-view-readout')).toContainText(/^candle .+ · attention \d\.\d\d$/);
  const outlined = await chartOutlines(page, [starts[12] ?? 0, starts[10] ?? 0], join(ROOT, 'test-results', 'model-view-chart-hover.png'));
  expect(outlined).toEqual([true, false]);
  await page.getByTestId('explanation').screenshot({ path: join(ROOT, 'test-results', 'model-view-chart-panel.png') });
  // In the light theme the outline stays as clear (a candle hovered on the chart, its block in the picture).
  await page.getByTestId('theme-toggle').click();
  const chartBox = await page.getByTestId('chart').boundingBox();
  const x12 = await page.evaluate((t) => window.candleLensChart?.timeToX(t) ?? -1, starts[12] ?? 0);
  await page.mouse.move((chartBox?.x ?? 0) + x12, (chartBox?.y ?? 0) + 150);
  await expect.poll(() => magentaPixels(page)).toBeGreaterThan(0);
  await page.screenshot({ path: join(ROOT, 'test-results', 'model-view-chart-light.png') });
  await page.getByTestId('theme-toggle').click();
  expect(errors).toEqual([]);
});
