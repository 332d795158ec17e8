/**
 * The checks every end-to-end run makes, whatever hosts the renderer: Chromium against `serve`, or
 * the Electron app. Each takes a page already showing the app.
 */
import { expect, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { createEngine, SAMPLE_FILE, SAMPLE_STREAM, type Engine, type EngineOptions } from '../../src-main/engine/engine';
import { appRoot } from '../../src-main/paths';
import { serve, type RunningServer } from '../../src-main/server/serve';
import type { Candle } from '../../src-shared/domain/market';
import type { Signal } from '../../src-shared/domain/signal';
import { CSV_HEADER, formatCandleCsvRow, parseCandleCsv } from '../../src-main/market/candle-csv';
import { candleStartAt } from '../../src-shared/domain/intervals';
import { importCandleCsv } from '../../src-main/market/import-csv';
import { CandleStore } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { runCli, SHARED_DATA, sharedCsvHead, tempDir } from '../helpers';

const REPLAY_HISTORY = 600;
/** The live feed's options for an offline run: a fake Bybit replaying real ETHUSDT 1m candles. */
export const REPLAY_FEED = [
  '--feed',
  'replay',
  '--csv',
  join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'),
  '--replay-history',
  String(REPLAY_HISTORY),
  '--replay-step-ms',
  '100',
];
/** Dark theme background: what the chart shows where nothing is drawn. */
const BACKGROUND = [0x13, 0x17, 0x22];

/** Collects console errors and uncaught page errors from the moment it is called. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** The chart shows exactly the candles the store holds, as the bridge reports them. */
export async function expectChartShowsStoredCandles(page: Page, screenshot: string): Promise<number> {
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', /^[1-9]\d*$/, { timeout: 30_000 });
  const stored = await page.evaluate(async (key) => (await window.candleLens!.invoke('candles.count', key)).count, SAMPLE_STREAM);
  expect(stored).toBe(4320);
  await expect(chart).toHaveAttribute('data-bars', String(stored));
  await expect(page.locator('canvas').first()).toBeVisible();
  await page.screenshot({ path: screenshot });
  return stored;
}

/**
 * A store for the live checks, beside what the replay feeds in (ETHUSDT 1m): BTCUSDT 1m (the bundled
 * sample) and ETHUSDT 5m built from the replay's history, so there are symbols and intervals to switch.
 * Returns the 5m candle count.
 */
export function prepareLiveStore(path: string): number {
  const fiveMinutes = new Map<number, Candle>();
  for (const c of parseCandleCsv(sharedCsvHead('bybit_ETHUSDT_1m.csv', REPLAY_HISTORY), '1')) {
    const start = candleStartAt('5', c.time);
    const bar = fiveMinutes.get(start);
    fiveMinutes.set(
      start,
      bar === undefined
        ? { ...c, time: start }
        : { ...bar, high: Math.max(bar.high, c.high), low: Math.min(bar.low, c.low), close: c.close, volume: bar.volume + c.volume },
    );
  }
  const csv = join(tempDir(), 'ETHUSDT_5m.csv');
  writeFileSync(csv, `${CSV_HEADER}\n${[...fiveMinutes.values()].map(formatCandleCsvRow).join('\n')}\n`);
  for (const [symbol, interval, file] of [
    ['BTCUSDT', '1', SAMPLE_FILE],
    ['ETHUSDT', '5', csv],
  ] as const) {
    const imported = runCli(['import', '--db', path, '--symbol', symbol, '--interval', interval, file]);
    expect(imported.status, imported.stderr).toBe(0);
  }
  return fiveMinutes.size;
}

/** Opens the replayed live stream (ETHUSDT 1m) from the watchlist. */
export const showLiveStream = (page: Page) => page.getByTestId('watchlist').getByRole('button', { name: 'ETHUSDT 1', exact: true }).click();

/** Live candles from the (fake) exchange reach the chart, the last bar moves, and the stream is healthy. */
export async function expectLiveBarsMove(page: Page, screenshot: string): Promise<void> {
  await showLiveStream(page);
  const chart = page.getByTestId('chart');
  await expect(chart).toHaveAttribute('data-bars', /^[1-9]\d*$/, { timeout: 30_000 });
  const loads = await chart.getAttribute('data-series-loads');
  const closes = new Set<string>();
  await expect
    .poll(
      async () => {
        closes.add((await chart.getAttribute('data-last-close')) ?? '');
        return closes.size;
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(3);
  const bars = Number(await chart.getAttribute('data-bars'));
  await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 30_000 }).toBeGreaterThan(bars);
  // Ticks and new bars go through series.update: at most one full load meanwhile (scrolling back, or
  // older candles merged), where reloading on each update would have made one per tick.
  expect(Number(await chart.getAttribute('data-series-loads')) - Number(loads)).toBeLessThanOrEqual(1);
  const health = page.getByTestId('stream-health');
  await expect(health).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
  await expect(health).toContainText('ETHUSDT 1');
  await expect(page.getByTestId('feed-latency')).toContainText(/^latency p50 \d+\.\d ms · p99 \d+\.\d ms$/);
  await expect(page.getByTestId('feed-rejected')).toHaveText('0 frames rejected');
  await expect(page.getByTestId('watch-row').first()).toContainText(/\d,?\d+\.\d+/);
  await page.screenshot({ path: screenshot });
}

/**
 * Pixels of a screenshot above the candles, at the signal's most attended candle, at an unattended
 * one and at a candle before its window, and the same in the attention strip at the bottom of the
 * price pane. A 1-pixel grid line may cross a sample, so each is the pixels x-1..x+1 on two rows 3
 * pixels apart (grid lines are tens of pixels apart).
 */
async function heatmapPixels(page: Page, signal: Pick<Signal, 'windowStarts' | 'cam'>, screenshot?: string) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const box = await page.getByTestId('chart').boundingBox();
  const first = signal.windowStarts[0] ?? 0;
  const step = (signal.windowStarts[1] ?? first + 60_000) - first;
  const at = (weight: number) => signal.windowStarts[signal.cam.indexOf(weight)] ?? 0;
  const times = [at(Math.max(...signal.cam)), at(Math.min(...signal.cam)), first - 3 * step];
  const positions = () => page.evaluate((ts) => ts.map((t) => window.candleLensChart!.timeToX(t) ?? -1), times);
  // A live candle may scroll the chart by a bar meanwhile: keep a screenshot taken while nothing moved.
  for (let attempt = 0; attempt < 5; attempt++) {
    const xs = await positions();
    const taken = await page.screenshot(screenshot === undefined ? {} : { path: screenshot });
    if ((await positions()).join() !== xs.join()) continue;
    expect(
      xs.every((x) => x > 0),
      `candles on screen at ${xs.join(', ')}`,
    ).toBe(true);
    const shot = PNG.sync.read(taken);
    const sample = (rows: number[]) =>
      xs.map((x) =>
        rows.flatMap((dy) =>
          [-1, 0, 1].map((dx) => {
            const i = (Math.round((box?.y ?? 0) + dy) * shot.width + Math.round((box?.x ?? 0) + x + dx)) * 4;
            return [shot.data[i] ?? 0, shot.data[i + 1] ?? 0, shot.data[i + 2] ?? 0];
          }),
        ),
      );
    const [peak = [], unattended = [], beforeWindow = []] = sample([40, 43]);
    const paneHeight = await page.evaluate(() => window.candleLensChart!.paneHeight());
    const [peakStrip = [], , beforeWindowStrip = []] = sample([paneHeight - 6, paneHeight - 3]);
    return { peak, unattended, beforeWindow, peakStrip, beforeWindowStrip };
  }
  throw new Error('the chart kept scrolling while its pixels were sampled');
}

const isBackground = (pixel: number[]) => pixel.every((v, i) => v === BACKGROUND[i]);

/**
 * The heatmap is drawn behind exactly the signal's window: tinted behind the candles where the model
 * attended most, nothing where it did not or before the window, and warm in the attention strip.
 */
export async function expectHeatmapBehindWindow(page: Page, signal: Pick<Signal, 'windowStarts' | 'cam'>, screenshot: string) {
  const { peak, unattended, beforeWindow, peakStrip, beforeWindowStrip } = await heatmapPixels(page, signal, screenshot);
  expect(peak.some((p) => (p[2] ?? 0) > (BACKGROUND[2] ?? 0) + 30)).toBe(true); // tinted: blue well above the background
  expect(unattended.some(isBackground)).toBe(true);
  expect(beforeWindow.some(isBackground)).toBe(true);
  expect(peakStrip.some((p) => (p[0] ?? 0) > 200)).toBe(true); // warm: the strip's top of the scale
  expect(beforeWindowStrip.some(isBackground)).toBe(true);
}

/** Nothing is drawn behind the signal's window, not even where the model attended most. */
export async function expectHeatmapHidden(page: Page, signal: Pick<Signal, 'windowStarts' | 'cam'>) {
  expect((await heatmapPixels(page, signal)).peak.some(isBackground)).toBe(true);
}

/**
 * A confirmed candle gives an explained signal from the bundled model; selecting it opens its
 * explanation and draws its heatmap; another method re-explains it.
 */
export async function expectExplainedSignal(page: Page, screenshot: string): Promise<void> {
  await showLiveStream(page);
  await expect(page.getByTestId('model-status')).toContainText(/model \S+ · (wasm|cpu|tensorflow)/, { timeout: 30_000 });
  const row = page.getByTestId('signal-row').first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.click();
  await expect(page.getByTestId('summary')).toContainText(/(BUY|HOLD|SELL) with \d+% confidence \(Grad-CAM, model /);
  const id = Number(await page.getByTestId('explanation').getAttribute('data-signal-id'));
  const signal = await page.evaluate((signalId) => window.candleLens!.invoke('signals.explain', { id: signalId, method: 'gradcam' }), id);
  await expectHeatmapBehindWindow(page, signal, screenshot);
  // Hovering the most attended candle names its weight and the channels that drove that candle.
  const peak = signal.windowStarts[signal.cam.indexOf(Math.max(...signal.cam))] ?? 0;
  const box = await page.getByTestId('chart').boundingBox();
  let nudge = 0;
  await expect(async () => {
    // Asked again on each try: a live candle may have scrolled the chart by a bar.
    const x = await page.evaluate((t) => window.candleLensChart!.timeToX(t), peak);
    await page.mouse.move((box?.x ?? 0) + (x ?? 0), (box?.y ?? 0) + 200 + (nudge++ % 2));
    await expect(page.getByTestId('legend-attention')).toContainText(/^attention 1\.00 · this candle: .+ [+−]\d\.\d{3}/, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await page.getByTestId('method-select').selectOption('gradcampp');
  await expect(page.getByTestId('summary')).toContainText('(Grad-CAM++, model ');
}

/** The symbol and interval switchers load each stream from the store, then follow it live. */
export async function expectStreamSwitching(page: Page, fiveMinuteBars: number): Promise<void> {
  await showLiveStream(page);
  const chart = page.getByTestId('chart');
  await page.getByTestId('symbol-select').selectOption('BTCUSDT');
  await expect(chart).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('symbol-select').selectOption('ETHUSDT');
  await page.getByTestId('interval-5').click();
  await expect(page.getByTestId('interval-5')).toHaveClass(/active/);
  await expect(chart).toHaveAttribute('data-bars', String(fiveMinuteBars));
  await page.getByTestId('interval-1').click();
  await expect.poll(async () => Number(await chart.getAttribute('data-bars')), { timeout: 30_000 }).toBeGreaterThan(REPLAY_HISTORY);
}

type Rgb = readonly [number, number, number];

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: Rgb): number {
  const linear = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** Hue angle of a colour in degrees (HSL), 0 for a grey. */
export function hue([r, g, b]: Rgb): number {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return 0;
  const d = max - min;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

export const hueDistance = (a: Rgb, b: Rgb): number => {
  const d = Math.abs(hue(a) - hue(b)) % 360;
  return Math.min(d, 360 - d);
};

/** The colour most pixels of a small patch have (a grid line or anti-aliased edge is outvoted). */
export function commonColour(shot: PNG, x: number, y: number): Rgb {
  const counts = new Map<string, number>();
  for (const dy of [0, 3, 6])
    for (const dx of [-1, 0, 1]) {
      const i = ((Math.round(y) + dy) * shot.width + Math.round(x) + dx) * 4;
      const key = [shot.data[i] ?? 0, shot.data[i + 1] ?? 0, shot.data[i + 2] ?? 0].join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  const [best = '0,0,0'] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  return best.split(',').map(Number) as unknown as Rgb;
}

/** A real engine on its store, with the built renderer served for the page (each spec stops both). */
export async function servedEngine(options: EngineOptions): Promise<{ engine: Engine; server: RunningServer }> {
  const engine = createEngine(options);
  return { engine, server: await serve({ engine, rendererDir: join(appRoot(), 'out', 'renderer') }) };
}

/** A store at DIR/store.db holding the bundled sample (as a first run imports it), and the sample's candles. */
export function storeWithSample(dir: string): { storePath: string; candles: Candle[] } {
  const storePath = join(dir, 'store.db');
  const db = openDatabase(storePath);
  try {
    const store = new CandleStore(db);
    importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
    return { storePath, candles: store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 100_000) };
  } finally {
    db.close();
  }
}
