/**
 * Multi-chart figures in real Chromium against the real engine and `serve` transport: four charts of
 * four streams of 100k stored 1-minute candles each, crosshairs synced. First paint of all four (from
 * navigation start to two frames after the last one has bars), the time until every chart holds its
 * 100k, and main-thread time per frame with 10 live updates/s on each of the four and a trend line on each.
 */
import { chromium } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { createEngine } from '../../src-main/engine/engine';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { appRoot } from '../../src-main/paths';
import { serve } from '../../src-main/server/serve';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import { SHARED_DATA, tempDir } from '../helpers';
import { frameWork } from './frame-work';

const STORED = 100_000;
/** LAYOUT_CHARTS=1 measures the same with one chart, for comparison on the same machine. */
const CHARTS = Number(process.env.LAYOUT_CHARTS ?? 4) as 1 | 2 | 4;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
const keys: StreamKeyValue[] = SYMBOLS.map((symbol) => ({ exchange: 'bybit', category: 'spot', symbol, interval: '1' }));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const lines = readFileSync(join(SHARED_DATA, 'binance_BTCUSDT_1m.csv'), 'utf8').split('\n');
const candles = parseCandleCsv([lines[0], ...lines.slice(-STORED - 1)].join('\n'), '1');
const engine = createEngine({ storePath: join(tempDir(), 'bench.db'), seedSample: false, market: false, modelPath: false });
for (const key of keys) engine.store.write(key, candles);
const choice = ({ category, symbol, interval }: StreamKeyValue) => ({ category, symbol, interval });
await engine.dispatch('preferences.set', { stream: choice(keys[0]!) });
await engine.dispatch('layouts.save', {
  name: 'current',
  layout: { charts: CHARTS, others: keys.slice(1).map(choice), syncCrosshair: true },
});
const first = candles.at(-300) as Candle;
const last = candles.at(-1) as Candle;
for (const key of keys) {
  await engine.dispatch('drawings.save', {
    ...key,
    shape: { kind: 'trend', from: { time: first.time, price: first.low }, to: { time: last.time, price: last.high } },
  });
}
const server = await serve({ engine, rendererDir: join(appRoot(), 'out', 'renderer') });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });

try {
  // Timed by the page itself (the engine shares this process's event loop with Playwright).
  await page.addInitScript((count: number) => {
    new MutationObserver((_, observer) => {
      const charts = [...document.querySelectorAll('[data-testid=chart]')];
      if (charts.length < count || !charts.every((c) => Number(c.getAttribute('data-bars')) > 0)) return;
      observer.disconnect();
      requestAnimationFrame(() => requestAnimationFrame(() => ((window as { fourPainted?: number }).fourPainted = performance.now())));
    }).observe(document, { subtree: true, childList: true, attributes: true });
  }, CHARTS);
  const opened = performance.now();
  await page.goto(server.url);
  const painted = await page.waitForFunction(() => (window as { fourPainted?: number }).fourPainted, undefined, { timeout: 120_000 });
  console.log(
    `first paint of ${CHARTS} charts × ${candles.length.toLocaleString()} stored candles: ${Number(await painted.jsonValue()).toFixed(0)} ms from navigation start (target < 2000 ms)`,
  );
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid=chart]')].every((c) => c.getAttribute('data-bars') === String(n)),
    candles.length,
    { timeout: 120_000 },
  );
  console.log(
    `all ${CHARTS} × ${candles.length.toLocaleString()} candles in the charts' memory: ${(performance.now() - opened).toFixed(0)} ms`,
  );

  // The pointer over the first chart, so its crosshair is synced to the other three on every frame's update.
  const box = await page.getByTestId('chart').first().boundingBox();
  if (box !== null) await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4);
  const { frames, updates: tick } = await frameWork(
    page,
    10_000,
    (candle) => {
      for (const key of keys) engine.events.emit('candle.updated', { ...key, candle });
    },
    last,
  );
  console.log(
    `frame work, ${CHARTS} charts with 10 live updates/s each, a trend line each, crosshair synced: p50 ${percentile(frames, 50).toFixed(1)} ms, p99 ${percentile(frames, 99).toFixed(1)} ms over ${frames.length} frames, ${tick} updates per chart (target p99 < 16 ms)`,
  );
} finally {
  await browser.close();
  await server.close();
  engine.close();
}
