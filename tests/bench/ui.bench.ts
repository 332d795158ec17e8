/**
 * UI figures in real Chromium against the real engine and `serve` transport, with 100k stored
 * candles: first chart paint, main-thread time per frame during 10 live updates/s with the heatmap
 * on, and the time to draw a heatmap after selecting a signal; then, on an empty store offline, the
 * time from the engine's start to the first explained heatmap on screen (the bundled sample scored
 * in the background).
 */
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { createEngine } from '../../src-main/engine/engine';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { Signal } from '../../src-shared/domain/signal';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { appRoot } from '../../src-main/paths';
import { serve } from '../../src-main/server/serve';
import { SHARED_DATA, tempDir } from '../helpers';
import { frameWork } from './frame-work';

const STORED = 100_000;
const key: StreamKeyValue = { exchange: 'bybit', category: 'spot', symbol: 'BTCUSDT', interval: '1' };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const lines = readFileSync(join(SHARED_DATA, 'binance_BTCUSDT_1m.csv'), 'utf8').split('\n');
const candles = parseCandleCsv([lines[0], ...lines.slice(-STORED - 1)].join('\n'), '1');
const engine = createEngine({ storePath: join(tempDir(), 'bench.db'), seedSample: false, market: false, modelPath: false });
engine.store.write(key, candles);
await engine.dispatch('preferences.set', { stream: { category: key.category, symbol: key.symbol, interval: key.interval } });
const server = await serve({ engine, rendererDir: join(appRoot(), 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });

try {
  // The page times its own first chart paint from navigation start: the engine shares this process's
  // event loop with Playwright, so a wait polled from here would also count the engine's work that
  // runs after the paint (the rest of the 100k candles).
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!(Number(document.querySelector('[data-testid=chart]')?.getAttribute('data-bars')) > 0)) return;
      observer.disconnect();
      requestAnimationFrame(() =>
        requestAnimationFrame(() => ((window as { firstChartPaint?: number }).firstChartPaint = performance.now())),
      );
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  const opened = performance.now();
  await page.goto(server.url);
  const firstPaint = await page.waitForFunction(() => (window as { firstChartPaint?: number }).firstChartPaint, undefined, {
    timeout: 60_000,
  });
  console.log(
    `first chart paint with ${candles.length.toLocaleString()} stored candles: ${Number(await firstPaint.jsonValue()).toFixed(0)} ms from navigation start (target < 1500 ms)`,
  );
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=chart]')?.getAttribute('data-bars') === String(n),
    candles.length,
    {
      timeout: 60_000,
    },
  );
  console.log(`all ${candles.length.toLocaleString()} candles in the chart's memory: ${(performance.now() - opened).toFixed(0)} ms`);

  // A signal on the newest window, so the overlay is on while live updates arrive.
  const window = candles.slice(-60);
  const last = window.at(-1) as Candle;
  const signal: Signal = {
    id: 1,
    ...key,
    candleStart: last.time,
    confirmed: true,
    modelVersion: 'bench',
    predicted: 'buy',
    probabilities: [0.7, 0.2, 0.1],
    method: 'gradcam',
    windowStarts: window.map((c) => c.time),
    cam: window.map((_, i) => (i % 7) / 6),
    features: [{ name: 'rsi14', attribution: 0.5 }],
    inputHash: 'bench',
    createdAt: Date.now(),
  };
  engine.events.emit('signal.created', signal);
  await page.getByTestId('signal-row').first().waitFor();
  const heatmapMs = await page.evaluate(async () => {
    const started = performance.now();
    (document.querySelector('[data-testid=signal-row]') as HTMLButtonElement).click();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - started;
  });
  console.log(`heatmap drawn after selecting a signal: ${heatmapMs.toFixed(1)} ms (target < 50 ms)`);

  // 10 live updates/s of the last bar meanwhile, through the real transport.
  const { frames, updates: tick } = await frameWork(
    page,
    10_000,
    (candle) => engine.events.emit('candle.updated', { ...key, candle }),
    last,
  );
  console.log(
    `frame work with 10 live updates/s and the overlay on: p50 ${percentile(frames, 50).toFixed(1)} ms, p99 ${percentile(frames, 99).toFixed(1)} ms over ${frames.length} frames, ${tick} updates (target p99 < 16 ms)`,
  );
} finally {
  await browser.close();
  await server.close();
  engine.close();
}

/** An empty offline first run: the engine imports the sample and scores it newest first; the page explains the first one. */
async function firstRunToHeatmap(): Promise<void> {
  const started = performance.now();
  const fresh = createEngine({ storePath: join(tempDir(), 'first-run.db'), market: false, scoreSample: true });
  const freshServer = await serve({ engine: fresh, rendererDir: join(appRoot(), 'out', 'renderer') });
  const freshBrowser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const freshPage = await freshBrowser.newPage({ viewport: { width: 1600, height: 900 } });
    // Marked by the page two frames after the explanation opens: the heatmap is painted by then.
    await freshPage.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid=explanation]') === null) return;
        observer.disconnect();
        requestAnimationFrame(() => requestAnimationFrame(() => ((globalThis as { heatmapShown?: boolean }).heatmapShown = true)));
      }).observe(document, { subtree: true, childList: true });
    });
    await freshPage.goto(freshServer.url);
    await freshPage.waitForFunction(() => (globalThis as { heatmapShown?: boolean }).heatmapShown, undefined, {
      timeout: 120_000,
      polling: 'raf',
    });
    console.log(`empty offline first run, engine start → first heatmap on screen: ${(performance.now() - started).toFixed(0)} ms`);
  } finally {
    await freshBrowser.close();
    await freshServer.close();
    fresh.close();
  }
}
await firstRunToHeatmap();
