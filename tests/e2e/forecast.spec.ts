/**
 * The forecasts on the chart: a real engine with a small multi-head model scores the newest candles
 * of the bundled sample, and the page draws the expected range (±1σ, ±2σ) ahead of the last signal's
 * candle with the VaR levels as lines, lists the sharp-move probability beside the signal, and shows
 * the heatmap and feature bars of whichever forecast is picked, on the chart or in the panel.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import { useBackend } from '../../src-main/model/backend';
import type { RunningServer } from '../../src-main/server/serve';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { Signal } from '../../src-shared/domain/signal';
import type { ForecastDrawn as Drawn } from '../../src-renderer/src/lib/forecast/forecast-fan';
import { ROOT, tempDir } from '../helpers';
import { servedEngine, storeWithSample, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
const scored: Signal[] = [];

test.beforeAll(async () => {
  test.setTimeout(240_000);
  await useBackend(['wasm', 'cpu']);
  const dir = tempDir();
  const { storePath, candles } = storeWithSample(dir);
  // A small model with every head, trained on the sample's first 3000 candles: enough for sensible levels.
  const job = TrainJobSchema.parse({
    source: 'bundled sample, first 3000',
    interval: '1',
    features: { ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 },
    labels: DEFAULT_LABEL_SPEC,
    convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
    heads: { direction: {}, volatility: {}, var: { loss_weight: 10, quantiles: [0.01, 0.05] }, sharp: { k: 2 } },
    settings: { epochs: 10, batchSize: 64, stride: 2 },
    modelsDir: join(dir, 'models'),
  });
  const modelPath = (await trainAndSave(job, candles.slice(0, 3000))).dir;
  ({ engine, server } = await servedEngine({ storePath, market: false, modelPath, seedSample: false }));
  await engine.model?.ready;
  // The newest candles scored as live scores them: stored with their forecasts.
  for (const candle of candles.slice(-20)) {
    const signal = await engine.scorer?.scoreCandle(SAMPLE_STREAM, candle.time);
    if (signal !== undefined) scored.push(signal);
  }
});

test.afterAll(async () => {
  await server?.close();
  engine?.close();
});

const drawn = (page: Page) => page.evaluate(() => window.candleLensForecast?.drawn() ?? null);

const priceToY = (page: Page, price: number) => page.evaluate((p) => window.candleLensChart?.priceToY(p) ?? null, price);

test('the expected range is drawn ahead of the last signal, and each forecast explains itself', async ({ page }) => {
  const errors = watchConsole(page);
  const last = scored.at(-1);
  expect(last?.forecasts?.horizon).toBe(15);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await expect.poll(async () => (await drawn(page))?.signalId, { timeout: 30_000 }).toBe(last?.id);
  const shape = (await drawn(page)) as Drawn;
  // The cone spans the 15 candles after the signal's, ±2σ outside ±1σ.
  const spacing = await page.evaluate(({ a, b }) => (window.candleLensChart?.timeToX(b) ?? 0) - (window.candleLensChart?.timeToX(a) ?? 0), {
    a: scored.at(-2)?.candleStart ?? 0,
    b: last?.candleStart ?? 0,
  });
  expect(shape.toX - shape.fromX).toBeCloseTo(15 * spacing, 3);
  const { sigma1, sigma2 } = shape;
  expect(sigma2 !== null && sigma1 !== null && sigma2.top < sigma1.top && sigma1.top < sigma1.bottom && sigma1.bottom < sigma2.bottom).toBe(
    true,
  );
  // The ±1σ edge is the close moved by σ (in log terms), on the price axis.
  const close = Number(await page.getByTestId('chart').getAttribute('data-last-close'));
  const sigma = last?.forecasts?.volatility ?? NaN;
  expect(Math.abs((sigma1?.top ?? NaN) - ((await priceToY(page, close * Math.exp(sigma))) ?? NaN))).toBeLessThan(1);
  // Each VaR level is labelled with its loss; a level beyond the pane keeps its label, pinned at the edge.
  expect(shape.vars.map((v) => v.label)).toEqual([
    expect.stringMatching(/^VaR 1% −\d+\.\d\d%$/),
    expect.stringMatching(/^VaR 5% −\d+\.\d\d%$/),
  ]);

  // Beside the signal: its sharp-move probability in the list, and the forecasts listed under the explanation.
  const sharp = `⚡${((last?.forecasts?.sharpMove ?? NaN) * 100).toFixed(0)}%`;
  await expect(page.getByTestId('signal-row').first().getByTestId('signal-sharp')).toHaveText(sharp);
  const panel = page.getByTestId('forecasts');
  await expect(panel.getByTestId('forecast-volatility')).toContainText('Range, next 15 candles');
  await expect(panel.getByTestId('forecast-var')).toContainText(/VaR 1%, next 15 candles\s*−\d+\.\d\d%/);
  await expect(panel.getByTestId('forecast-sharp')).toContainText(sharp.slice(1));

  // A click on the cone explains the volatility forecast: its own heatmap and feature bars.
  const box = await page.getByTestId('chart').boundingBox();
  await page.mouse.click((box?.x ?? 0) + (shape.fromX + shape.toX) / 2, (box?.y ?? 0) + ((sigma1?.top ?? 0) + (sigma1?.bottom ?? 0)) / 2);
  const explanation = page.getByTestId('explanation');
  await expect(explanation.getByRole('heading', { level: 2 })).toHaveText('Volatility forecast');
  await expect(explanation.getByTestId('summary')).toContainText('The candles that made the model expect it most lie');
  await expect(explanation.getByTestId('attribution-key')).toContainText('raising the forecast');
  await expect(panel.getByTestId('forecast-volatility')).toHaveClass(/picked/);
  const volatilitySummary = await explanation.getByTestId('summary').textContent();
  await page.screenshot({ path: join(ROOT, 'test-results', 'forecast-volatility-explained.png') });

  await panel.getByTestId('forecast-sharp').click();
  await expect(explanation.getByRole('heading', { level: 2 })).toHaveText('Sharp-move forecast');
  await expect(explanation.getByTestId('summary')).not.toHaveText(volatilitySummary ?? '');
  await panel.getByTestId('forecast-var').click();
  await expect(explanation.getByRole('heading', { level: 2 })).toHaveText('VaR 1% forecast');
  expect(errors).toEqual([]);
});

test('the VaR levels are lines across the forecast horizon, below the close, on the price axis', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  const last = scored.at(-1) as Signal;
  await expect.poll(async () => (await drawn(page))?.signalId, { timeout: 30_000 }).toBe(last.id);
  // The small model's VaR levels lie far below the candles; a pushed signal with levels of a calibrated
  // size (BTC 1m over 15 minutes) shows the lines themselves, through the real push to the page.
  const var01 = -0.003;
  const var05 = -0.0021;
  engine.events.emit('signal.created', {
    ...last,
    id: last.id + 1000,
    forecasts: {
      volatility: 0.0016,
      var01,
      var05,
      var: [
        { quantile: 0.01, logReturn: var01 },
        { quantile: 0.05, logReturn: var05 },
      ],
      sharpMove: 0.31,
      horizon: 15,
    },
  });
  await expect.poll(async () => (await drawn(page))?.signalId).toBe(last.id + 1000);
  const shape = (await drawn(page)) as Drawn;
  const close = Number(await page.getByTestId('chart').getAttribute('data-last-close'));
  const [level01, level05] = shape.vars;
  expect(level01?.label).toBe('VaR 1% −0.30%');
  expect(level05?.label).toBe('VaR 5% −0.21%');
  expect(Math.abs((level01?.y ?? NaN) - ((await priceToY(page, close * Math.exp(var01))) ?? NaN))).toBeLessThan(1);
  expect(Math.abs((level05?.y ?? NaN) - ((await priceToY(page, close * Math.exp(var05))) ?? NaN))).toBeLessThan(1);
  // The 1% level lies below the 5% one, both below the close and, here, between the −1σ and −2σ edges.
  expect(level01?.y).toBeGreaterThan(level05?.y ?? Infinity);
  expect(level05?.y).toBeGreaterThan(shape.sigma1?.bottom ?? Infinity);
  expect(level01?.y).toBeLessThan(shape.sigma2?.bottom ?? -Infinity);
  await expect(page.getByTestId('forecast-sharp')).toContainText('31%');
  await page.screenshot({ path: join(ROOT, 'test-results', 'forecast-range.png') });
  expect(errors).toEqual([]);
});

test('a sharp-move alert fires with a thumbnail of the chart and its heatmap, and a notification carrying it', async ({ page }) => {
  const errors = watchConsole(page);
  await page.context().grantPermissions(['notifications']);
  // What the page asks the browser to notify, recorded (headless Chromium shows no notification itself).
  await page.addInitScript(() => {
    const shown: { title: string; body?: string; icon?: string }[] = [];
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body, icon: options?.icon });
      }
    }
    Object.defineProperty(window, 'Notification', { value: Recorded });
    Object.defineProperty(window, 'shownNotifications', { value: shown });
  });
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  const alerts = page.getByTestId('alerts');
  await alerts.getByLabel('alert class').selectOption('sharp');
  await alerts.getByLabel('minimum probability').fill('0');
  await alerts.getByRole('button', { name: 'Set' }).click();
  await expect(page.getByTestId('alert-rule')).toContainText('sharp p ≥ 0');
  // The live scorer scores the newest candle again: stored, pushed, and judged by the rule.
  const last = scored.at(-1) as Signal;
  await engine.scorer?.scoreCandle(SAMPLE_STREAM, last.candleStart);
  const fired = page.getByTestId('fired-alert');
  await expect(fired).toContainText(`SHARP BTCUSDT 1 · ${((last.forecasts?.sharpMove ?? NaN) * 100).toFixed(0)}%`);
  await expect(fired.locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);
  await expect
    .poll(() => page.evaluate(async () => (await window.candleLens!.invoke('alerts.fired', {}))[0]?.thumbnail?.length ?? 0))
    .toBeGreaterThan(1000);
  const shown = await page.evaluate(
    () => (window as unknown as { shownNotifications: { title: string; body?: string; icon?: string }[] }).shownNotifications,
  );
  expect(shown).toEqual([
    {
      title: 'SHARP MOVE BTCUSDT 1',
      body: expect.stringMatching(/^sharp-move probability \d+% · attention focus \d+% · candle 2025-06-29 16:38 UTC$/),
      icon: await fired.locator('img').getAttribute('src'),
    },
  ]);
  await fired.getByTestId('fired-thumbnail').click();
  await expect(page.getByTestId('alert-picture')).toContainText('SHARP BTCUSDT 1');
  await page.screenshot({ path: join(ROOT, 'test-results', 'forecast-sharp-alert.png') });
  expect(errors).toEqual([]);
});
