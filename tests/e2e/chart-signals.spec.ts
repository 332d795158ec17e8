/**
 * Signals on the chart with the real engine and server in this process (signals pushed on the engine
 * bus as the live scorer stores them): markers only for models that earned them (a line says why, once),
 * laid out by zoom, the confidence filter, the selected
 * signal, the heatmap's contrast with the candles in both themes, and "fit all".
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { Candle } from '../../src-shared/domain/market';
import type { Signal } from '../../src-shared/domain/signal';
import type { RunningServer } from '../../src-main/server/serve';
import { ROOT, tempDir } from '../helpers';
import { commonColour, contrastRatio, hueDistance, servedEngine, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
let candles: Candle[];
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false, modelPath: false }));
  candles = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 10_000);
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

/** A stored signal on the candle at `index`, explaining the 60 candles up to it with the given attention. */
function signalAt(id: number, index: number, predicted: Signal['predicted'], p: number, cam: (i: number) => number = () => 0): Signal {
  const window = candles.slice(index - 59, index + 1);
  const rest = (1 - p) / 2;
  return {
    id,
    ...SAMPLE_STREAM,
    candleStart: candles[index]?.time ?? 0,
    confirmed: true,
    modelVersion: 'test-model',
    predicted,
    probabilities: predicted === 'buy' ? [p, rest, rest] : predicted === 'sell' ? [rest, rest, p] : [rest, p, rest],
    method: 'gradcam',
    windowStarts: window.map((c) => c.time),
    cam: window.map((_, i) => cam(i)),
    features: [
      { name: 'rsi14', attribution: 0.5 },
      { name: 'macd_hist', attribution: -0.2 },
    ],
    inputHash: 'abc123',
    createdAt: Date.now(),
  };
}

/** Markers drawn on one side closer than an arrow (12 px), or labels on either side closer than a label (84 px), less a pixel of rounding. */
async function overlappingMarkers(page: Page): Promise<string[]> {
  const drawn = await page.evaluate(() => window.candleLensChart!.markers());
  const found: string[] = [];
  for (const side of ['atPriceTop', 'atPriceBottom']) {
    const onSide = drawn.filter((m) => m.position === side && m.x !== null).sort((a, b) => (a.x ?? 0) - (b.x ?? 0));
    onSide.forEach((m, i) => {
      const next = onSide[i + 1];
      if (next !== undefined && (next.x ?? 0) - (m.x ?? 0) < 11) found.push(`${m.id}@${m.x} and ${next.id}@${next.x}`);
    });
  }
  const labelled = drawn.filter((m) => m.text !== '' && m.x !== null).sort((a, b) => (a.x ?? 0) - (b.x ?? 0));
  labelled.forEach((m, i) => {
    const next = labelled[i + 1];
    if (next !== undefined && (next.x ?? 0) - (m.x ?? 0) < 83) found.push(`"${m.text}"@${m.x} and "${next.text}"@${next.x}`);
  });
  return found;
}

/** The confidence of the k-th call of the marker check: spread over 40% to 94%. */
const callConfidence = (k: number) => 0.4 + ((k * 37) % 55) / 100;

test('markers never overlap, zoomed in or out, at 1100 × 700; a confidence filter saved with the layout; the selected one stands out', async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  // Runs of calls on consecutive candles near the live edge, as the model gives them: 240 in all.
  const newest = candles.length - 1;
  for (let k = 0; k < 240; k++) {
    const predicted = Math.floor(k / 7) % 2 === 0 ? 'buy' : 'sell';
    engine.bus.emit('signal.stored', signalAt(1000 + k, newest - 239 + k, predicted, callConfidence(k)));
  }
  await expect(page.getByTestId('signal-row')).toHaveCount(200); // the list shows the newest 200
  // By default a model whose direction does not beat its baselines (this one has no report) gets no
  // markers, and one line says so: once, closed for good.
  const notice = page.getByTestId('direction-notice');
  await expect(notice).toContainText('Direction signals of test-model are informational');
  expect(await page.evaluate(() => window.candleLensChart!.markers())).toEqual([]);
  await page.screenshot({ path: join(ROOT, 'test-results', 'markers-informational.png') });
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  expect((await page.evaluate(() => window.candleLens!.invoke('preferences.get', {}))).markers).toMatchObject({
    noticeDismissed: true,
    showUnproven: false,
  });
  // Shown on request, every call (the layout is checked on all of them).
  await page.getByTestId('marker-unproven').check();
  await page.getByTestId('marker-confidence').selectOption('0');
  await expect.poll(async () => (await page.evaluate(() => window.candleLensChart!.markers())).length).toBeGreaterThan(0);
  expect(await overlappingMarkers(page)).toEqual([]);
  await page.screenshot({ path: join(ROOT, 'test-results', 'markers-default.png') });

  // Zoomed out to every candle: still apart, each standing for the calls it covers.
  await page.getByTestId('chart').click({ position: { x: 200, y: 300 } });
  await page.keyboard.press('f');
  await expect.poll(async () => (await page.evaluate(() => window.candleLensChart!.shownSpan())).count).toBe(4320);
  await expect.poll(() => overlappingMarkers(page)).toEqual([]);
  const zoomedOut = await page.evaluate(() => window.candleLensChart!.markers());
  expect(zoomedOut.length).toBeLessThan(40);
  expect(zoomedOut.some((m) => / \+\d+$/.test(m.text))).toBe(true);
  await page.screenshot({ path: join(ROOT, 'test-results', 'markers-zoomed-out.png') });

  // The filter: only calls of 80% or more, kept after a reload.
  await page.getByTestId('marker-confidence').selectOption('0.8');
  const drawnConfidences = async () =>
    (await page.evaluate(() => window.candleLensChart!.markers())).map((m) => callConfidence(Number(m.id) - 1000));
  await expect.poll(async () => Math.min(...(await drawnConfidences()))).toBeGreaterThanOrEqual(0.8);
  expect((await drawnConfidences()).length).toBeGreaterThan(0);
  expect((await page.evaluate(() => window.candleLens!.invoke('preferences.get', {}))).markers.minConfidence).toBe(0.8);
  await page.reload();
  await expect(page.getByTestId('marker-confidence')).toHaveValue('0.8');
  await expect(page.getByTestId('marker-unproven')).toBeChecked();
  await expect(notice).toHaveCount(0);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320'); // the stream's (stored) signals are loaded too

  // The selected signal's marker is drawn, labelled and larger, even below the filter and beside more confident calls.
  const weak = signalAt(2000, newest - 300, 'buy', 0.41);
  engine.bus.emit('signal.stored', weak);
  await page.getByTestId('signal-row').filter({ hasText: '41%' }).click();
  await expect
    .poll(async () => (await page.evaluate(() => window.candleLensChart!.markers())).find((m) => m.id === '2000')?.text)
    .toMatch(/^BUY 41%/);
  await page.screenshot({ path: join(ROOT, 'test-results', 'markers-selected.png') });
  expect(errors).toEqual([]);
});

test('"fit all" shows every candle loaded, not only the newest thousand', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', '4320');
  await chart.click({ position: { x: 200, y: 300 } });
  await page.keyboard.press('f');
  await expect
    .poll(() => page.evaluate(() => window.candleLensChart!.shownSpan()))
    .toEqual({
      first: candles[0]?.time,
      last: candles.at(-1)?.time,
      count: 4320,
    });
  await page.screenshot({ path: join(ROOT, 'test-results', 'fit-all.png') });
  expect(errors).toEqual([]);
});

/**
 * Each candle's body colour and the background just above it, in the screenshot: the body at its
 * middle, the background 12 px above its high (inside the heatmap's band when the candle is in the window).
 */
async function candleColours(page: Page, shot: PNG, picked: readonly Candle[]) {
  const box = await page.getByTestId('chart').boundingBox();
  return Promise.all(
    picked.map(async (c) => {
      const [x, body, high] = await page.evaluate(
        ({ time, middle, top }) => [
          window.candleLensChart!.timeToX(time),
          window.candleLensChart!.priceToY(middle),
          window.candleLensChart!.priceToY(top),
        ],
        { time: c.time, middle: (c.open + c.close) / 2, top: c.high },
      );
      const left = (box?.x ?? 0) + (x ?? 0);
      const top = box?.y ?? 0;
      return {
        candle: commonColour(shot, left, top + (body ?? 0) - 3),
        background: commonColour(shot, left, top + (high ?? 0) - 18),
      };
    }),
  );
}

for (const theme of ['dark', 'light'] as const) {
  test(`inside the heatmap's band red and green candles keep their colour and contrast (${theme} theme)`, async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto(server.url);
    await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
    if ((await page.evaluate(() => window.candleLens!.invoke('preferences.get', {}))).theme !== theme)
      await page.getByTestId('theme-toggle').click();
    // Full attention on every candle of the window: the strongest the band gets.
    const signal = signalAt(3000 + (theme === 'dark' ? 0 : 1), 400, 'sell', 0.75, () => 1);
    engine.bus.emit('signal.stored', signal);
    await page.getByTestId('signal-row').first().click();
    await page.mouse.move(1, 1);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // The tallest-bodied red and green candle inside the window, and before it.
    const tallest = (from: number, to: number, rising: boolean) =>
      candles
        .slice(from, to)
        .filter((c) => c.close > c.open === rising)
        .sort((a, b) => Math.abs(b.close - b.open) - Math.abs(a.close - a.open))[0] as Candle;
    const picked = [tallest(345, 400, false), tallest(345, 400, true), tallest(305, 338, false), tallest(305, 338, true)];
    const shot = PNG.sync.read(await page.screenshot({ path: join(ROOT, 'test-results', `heatmap-contrast-${theme}.png`) }));
    const [redIn, greenIn, redOut, greenOut] = await candleColours(page, shot, picked);
    for (const [inside, outside, name] of [
      [redIn, redOut, 'red'],
      [greenIn, greenOut, 'green'],
    ] as const) {
      if (inside === undefined || outside === undefined) throw new Error('no colours sampled');
      const report = `${name} candle ${inside.candle} on ${inside.background} inside, ${outside.candle} on ${outside.background} outside`;
      // The band is drawn (the background differs) behind the candle, never over it.
      expect(inside.background.join(), report).not.toBe(outside.background.join());
      expect(hueDistance(inside.candle, outside.candle), report).toBeLessThan(3);
      // The candle stands out from the band almost as well as from the plain background, and in another hue.
      expect(contrastRatio(inside.candle, inside.background), report).toBeGreaterThan(
        0.7 * contrastRatio(outside.candle, outside.background),
      );
      expect(hueDistance(inside.candle, inside.background), report).toBeGreaterThan(40);
    }
    expect(errors).toEqual([]);
  });
}
