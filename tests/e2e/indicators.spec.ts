/**
 * Indicators in panes with the model's eye on them: an RSI pane whose attribution strip lies under
 * exactly the explained window's candles (checked on the screenshot's pixels), the channel × candle
 * matrix jumping to a candle and its channel's pane, and a 15m chart resampled from the stored 1m
 * candles. The engine and server are real and in this process, so the test can push a signal of
 * known attribution.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { SAMPLE_FILE, SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import type { RunningServer } from '../../src-main/server/serve';
import { FEATURE_CHANNELS } from '../../src-shared/domain/feature-spec';
import type { Signal } from '../../src-shared/domain/signal';
import { ROOT, startServe, tempDir } from '../helpers';
import { prepareLiveStore, REPLAY_FEED, servedEngine, showLiveStream, watchConsole } from './checks';

let engine: Engine;
let server: RunningServer;
test.beforeAll(async () => {
  ({ engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

const BACKGROUND = [0x13, 0x17, 0x22];
const RSI = FEATURE_CHANNELS.indexOf('rsi14');
/** The window's candles where RSI(14) drove the call: 40 to 44, most at 42. */
const rsiWeight = (i: number) => (i >= 40 && i <= 44 ? 1 - Math.abs(i - 42) * 0.2 : 0);

function attributedSignal(starts: number[]): Signal {
  return {
    id: 77,
    ...SAMPLE_STREAM,
    candleStart: starts.at(-1) ?? 0,
    confirmed: true,
    modelVersion: 'test-model',
    predicted: 'buy',
    probabilities: [0.7, 0.2, 0.1],
    method: 'gradcam',
    windowStarts: starts,
    cam: starts.map((_, i) => rsiWeight(i)),
    features: FEATURE_CHANNELS.map((name, c) => ({ name, attribution: c === RSI ? 0.5 : -0.01 })),
    candleFeatures: starts.map((_, i) => FEATURE_CHANNELS.map((_, c) => (c === RSI ? 0.02 * rsiWeight(i) : -0.001))),
    inputHash: 'def456',
    createdAt: Date.now(),
  };
}

/** The pixels (x−1..x+1, two rows 3 px apart) of the RSI pane's strip under each candle start. */
async function rsiStripPixels(page: Page, times: number[], screenshot: string): Promise<number[][][]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const box = await page.getByTestId('chart').boundingBox();
  const heights = await page.evaluate(() => window.candleLensChart!.paneHeights());
  // Panes: price, volume, RSI (added last); each after a 1 px separator.
  const rsiBottom = (heights[0] ?? 0) + (heights[1] ?? 0) + (heights[2] ?? 0) + 2;
  const xs = await page.evaluate((ts) => ts.map((t) => window.candleLensChart!.timeToX(t) ?? -1), times);
  expect(
    xs.every((x) => x > 0),
    `candles on screen at ${xs.join(', ')}`,
  ).toBe(true);
  const shot = PNG.sync.read(await page.screenshot({ path: screenshot }));
  return xs.map((x) =>
    [rsiBottom - 6, rsiBottom - 3].flatMap((y) =>
      [-1, 0, 1].map((dx) => {
        const i = (Math.round((box?.y ?? 0) + y) * shot.width + Math.round((box?.x ?? 0) + x + dx)) * 4;
        return [shot.data[i] ?? 0, shot.data[i + 1] ?? 0, shot.data[i + 2] ?? 0];
      }),
    ),
  );
}

const isBackground = (pixel: number[]) => pixel.every((v, i) => v === BACKGROUND[i]);

test('an RSI pane shows its attribution strip under exactly the explained window, and the matrix jumps to a candle and its pane', async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');

  await page.getByTestId('indicators-button').click();
  await page.getByTestId('indicator-add').selectOption('rsi');
  await page.getByTestId('indicator-add').selectOption('sma');
  await expect(page.getByTestId('indicator-row')).toHaveCount(3);
  await page.getByTestId('indicator-menu').screenshot({ path: join(ROOT, 'test-results', 'indicator-menu.png') });
  await page.getByTestId('indicators-button').click();
  await expect(page.getByTestId('indicator-legend-rsi')).toContainText('RSI 14');

  const starts = engine.store
    .range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 120)
    .slice(0, 60)
    .map((c) => c.time);
  engine.bus.emit('signal.stored', attributedSignal(starts));
  await page.getByTestId('signal-row').click();
  await expect(page.getByTestId('summary')).toContainText('BUY with 70% confidence');

  const step = (starts[1] ?? 0) - (starts[0] ?? 0);
  const [peak = [], unattributed = [], beforeWindow = [], afterWindow = []] = await rsiStripPixels(
    page,
    [starts[42] ?? 0, starts[10] ?? 0, (starts[0] ?? 0) - 3 * step, (starts[59] ?? 0) + 3 * step],
    join(ROOT, 'test-results', 'rsi-attribution.png'),
  );
  expect(peak.some((p) => (p[0] ?? 0) > 200 && (p[2] ?? 0) < 120)).toBe(true); // warm: RSI drove the call here
  expect(unattributed.some(isBackground)).toBe(false); // faint, but the strip covers the whole window
  expect(beforeWindow.some(isBackground)).toBe(true);
  expect(afterWindow.some(isBackground)).toBe(true);

  // The hover readout names the channel and its contribution at that candle.
  const box = await page.getByTestId('chart').boundingBox();
  const heights = await page.evaluate(() => window.candleLensChart!.paneHeights());
  const peakX = await page.evaluate((t) => window.candleLensChart!.timeToX(t), starts[42] ?? 0);
  await page.mouse.move((box?.x ?? 0) + (peakX ?? 0), (box?.y ?? 0) + (heights[0] ?? 0) + (heights[1] ?? 0) + 40);
  await expect(page.getByTestId('indicator-legend-rsi')).toContainText('RSI(14): +0.0200 toward the call');

  // The matrix: channels down, candles across; a cell shows its candle and its channel's pane.
  await page.getByTestId('open-matrix').click();
  await expect(page.getByTestId('matrix-cell')).toHaveCount(60 * FEATURE_CHANNELS.length);
  await page.getByTestId('attribution-matrix').screenshot({ path: join(ROOT, 'test-results', 'attribution-matrix.png') });
  const cell = page.locator(`[data-testid="matrix-cell"][data-channel="macd_hist"][data-time="${starts[20]}"]`);
  await cell.hover();
  await expect(page.getByTestId('matrix-readout')).toContainText('MACD histogram: −0.0010 against it');
  await cell.click();
  await page.getByRole('button', { name: 'Close attribution by channel and candle' }).click();
  await expect(page.getByTestId('indicator-legend-channel-macd-hist')).toContainText('MACD histogram (model input)');
  const span = await page.evaluate(() => window.candleLensChart!.shownSpan());
  expect(span.first).toBeLessThanOrEqual(starts[20] ?? 0);
  expect(span.last).toBeGreaterThanOrEqual(starts[20] ?? 0);
  await page.screenshot({ path: join(ROOT, 'test-results', 'indicator-panes.png') });

  // The indicators are kept in the preferences: a reload draws the same panes.
  await page.reload();
  await expect(page.getByTestId('indicator-legend-rsi')).toContainText('RSI 14');
  await expect(page.getByTestId('indicator-legend-sma')).toContainText('SMA 20');
  await expect(page.getByTestId('indicator-legend-channel-macd-hist')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a 15m chart resampled from the stored 1m candles equals their 15-minute buckets, and says where it comes from', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('resampled-select').selectOption('15');

  // Bybit's 15m klines of the same minutes: buckets from :00, :15, :30, :45 UTC, grouped here by hand.
  const minutes = parseCandleCsv(readFileSync(SAMPLE_FILE, 'utf8'), '1');
  const buckets = new Map<number, { open: number; high: number; low: number; close: number; volume: number }>();
  for (const m of minutes) {
    const start = m.time - (m.time % 900_000);
    const b = buckets.get(start);
    buckets.set(
      start,
      b === undefined
        ? { open: m.open, high: m.high, low: m.low, close: m.close, volume: m.volume }
        : { open: b.open, high: Math.max(b.high, m.high), low: Math.min(b.low, m.low), close: m.close, volume: b.volume + m.volume },
    );
  }
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', String(buckets.size));
  await expect(chart).toHaveAttribute('data-last-close', String([...buckets.values()].at(-1)?.close));
  const shown = await page.evaluate(
    async (key) => (await window.candleLens!.invoke('candles.resampled', { symbol: key.symbol, interval: '15', limit: 1000 })).candles,
    SAMPLE_STREAM,
  );
  expect(shown.time).toEqual([...buckets.keys()]);
  expect(shown.open).toEqual([...buckets.values()].map((b) => b.open));
  expect(shown.high).toEqual([...buckets.values()].map((b) => b.high));
  expect(shown.low).toEqual([...buckets.values()].map((b) => b.low));
  expect(shown.close).toEqual([...buckets.values()].map((b) => b.close));
  expect(shown.volume).toEqual([...buckets.values()].map((b) => b.volume));
  await expect(page.getByTestId('legend-title')).toContainText('BTCUSDT · 15m (from 1m; no model signals here)');
  await page.screenshot({ path: join(ROOT, 'test-results', 'resampled-15m.png') });
  // Every header control stays in the window, wide (the resampled timeframes beside the stored ones' buttons) and narrow.
  for (const width of [1280, 1100]) {
    await page.setViewportSize({ width, height: 720 });
    const help = await page.getByRole('button', { name: '?' }).boundingBox();
    expect((help?.x ?? Infinity) + (help?.width ?? 0)).toBeLessThanOrEqual(width);
    await expect(page.getByTestId(width === 1280 ? 'resampled-select' : 'interval-select')).toHaveValue('15');
  }
  await page.screenshot({ path: join(ROOT, 'test-results', 'resampled-15m-1100.png') });

  // The choice is kept: a reload shows the 15m chart again.
  await page.reload();
  await expect(chart).toHaveAttribute('data-bars', String(buckets.size));
  await expect(page.getByTestId('interval-select')).toHaveValue('15');
  expect(errors).toEqual([]);
});

test.describe('live', () => {
  let live: Awaited<ReturnType<typeof startServe>>;
  test.beforeAll(async () => {
    const db = join(tempDir(), 'store.db');
    prepareLiveStore(db);
    live = await startServe(['--db', db, ...REPLAY_FEED]);
  });
  test.afterAll(async () => live.stop());

  test("a resampled 15m chart's forming candle follows the 1-minute pushes", async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto(live.url);
    await showLiveStream(page);
    await page.getByTestId('resampled-select').selectOption('15');
    const chart = page.getByTestId('chart');
    await expect(chart).toHaveAttribute('data-bars', /^[1-9]\d*$/, { timeout: 30_000 });
    // The newest bucket's close is the newest minute's, as the minutes arrive: seen for several minutes.
    const matched = new Set<string>();
    await expect
      .poll(
        async () => {
          const [shown, newest] = await page.evaluate(async () => [
            document.querySelector<HTMLElement>('[data-testid="chart"]')?.dataset['lastClose'],
            (await window.candleLens!.invoke('candles.range', { category: 'linear', symbol: 'ETHUSDT', interval: '1', limit: 1 })).close[0],
          ]);
          if (shown !== undefined && shown === String(newest)) matched.add(shown);
          return matched.size;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThanOrEqual(3);
    await expect(page.getByTestId('legend-title')).toContainText('ETHUSDT · 15m (from 1m; no model signals here)');
    // The chart's state is its 1-minute source's: live.
    await expect(page.getByTestId('stream-health')).toHaveAttribute('data-state', 'live');
    await page.screenshot({ path: join(ROOT, 'test-results', 'resampled-15m-live.png') });
    expect(errors).toEqual([]);
  });
});
