/**
 * Drawing tools and multi-chart layouts in Chromium against a real engine: a trend line drawn with the
 * mouse snaps to the candles' highs and survives an engine restart on the same SQLite file; a locked
 * drawing cannot be deleted; four charts of different streams show one crosshair at the same moment.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Drawing } from '../../src-shared/domain/drawings';
import { candlesFromColumns, type Candle } from '../../src-shared/domain/market';
import { ROOT, tempDir } from '../helpers';
import { servedEngine, watchConsole } from './checks';
import { CSV_HEADER, formatCandleCsvRow, parseCandleCsv } from '../../src-main/market/candle-csv';
import { importCandleCsv } from '../../src-main/market/import-csv';
import { SAMPLE_FILE, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { candleStartAt, type Interval } from '../../src-shared/domain/intervals';
import { readFileSync, writeFileSync } from 'node:fs';

const BTC = { symbol: 'BTCUSDT', interval: '1' } as const;
const shot = (name: string) => join(ROOT, 'test-results', name);

async function candlesOf(page: Page, key: { symbol: string; interval: Interval }): Promise<Candle[]> {
  return candlesFromColumns(await page.evaluate(async (k) => window.candleLens!.invoke('candles.range', { ...k, limit: 5000 }), key));
}

/** Where a candle's time and a price are on the main chart, in page pixels. */
async function pagePoint(page: Page, time: number, price: number): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId('chart').first().boundingBox();
  const point = await page.evaluate(({ t, p }) => ({ x: window.candleLensChart!.timeToX(t), y: window.candleLensChart!.priceToY(p) }), {
    t: time,
    p: price,
  });
  if (box === null || point.x === null || point.y === null) throw new Error('the candle is not on screen');
  return { x: box.x + point.x, y: box.y + point.y };
}

/** The bluest pixel within a pixel of `at`: a line through a point between pixels is spread, anti-aliased, over its neighbours. */
async function bluestPixelNear(page: Page, at: { x: number; y: number }): Promise<number[]> {
  const picture = PNG.sync.read(await page.screenshot());
  const around = [-1, 0, 1].flatMap((dy) =>
    [-1, 0, 1].map((dx) => {
      const i = ((Math.round(at.y) + dy) * picture.width + Math.round(at.x) + dx) * 4;
      return Array.from(picture.data.subarray(i, i + 3));
    }),
  );
  return around.reduce((best, colour) => ((colour[2] ?? 0) > (best[2] ?? 0) ? colour : best));
}

const isDrawingBlue = ([r, g, b]: number[]) => b! > 180 && r! < 120 && g! < 160;

test('a trend line drawn with the mouse snaps to the highs, is exported in the PNG and survives an engine restart', async ({ page }) => {
  const storePath = join(tempDir(), 'store.db');
  let { engine, server } = await servedEngine({ storePath, market: false, modelPath: false });
  const errors = watchConsole(page);
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
    const candles = await candlesOf(page, BTC);
    const a = candles.at(-80)!;
    const b = candles.at(-15)!;
    // A little above each high: the magnet takes the pointer onto it.
    const from = await pagePoint(page, a.time, a.high);
    const to = await pagePoint(page, b.time, b.high);
    await page.keyboard.press('Shift+L');
    await expect(page.getByTestId('tool-trend')).toHaveClass(/active/);
    await page.mouse.move(from.x, from.y - 3);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
    await page.mouse.move(to.x, to.y - 3, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '1');
    const stored = await page.evaluate(async (k) => window.candleLens!.invoke('drawings.list', k), BTC);
    expect(stored.map((d: Drawing) => d.shape)).toEqual([
      { kind: 'trend', from: { time: a.time, price: a.high }, to: { time: b.time, price: b.high } },
    ]);

    // A note and a horizontal line, one click each with their tool; the line made a price alert.
    const noteAt = await pagePoint(page, candles.at(-60)!.time, a.high + 40);
    await page.getByTestId('tool-text').click();
    await page.mouse.click(noteAt.x, noteAt.y);
    await page.getByTestId('note-input').fill('support test');
    await page.getByTestId('note-input').press('Enter');
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '2');
    const lowest = Math.min(...candles.slice(-80).map((c) => c.low));
    const lineAt = await pagePoint(page, candles.at(-40)!.time, lowest - 20);
    await page.keyboard.press('Shift+H');
    await page.mouse.click(lineAt.x, lineAt.y);
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '3');
    await page.getByTestId('drawing-alert').click();
    await expect(page.getByTestId('drawing-alert')).toHaveText('Alert on');
    await page.mouse.click(10, 10); // off the chart: the screenshot shows the drawings, not the crosshair
    await page.screenshot({ path: shot('drawings-trend-drawn.png') });

    // The PNG export carries the drawings: the trend line's blue and the alert line's orange.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    await download.saveAs(shot('drawings-export.png'));
    const exported = PNG.sync.read(readFileSync(await download.path()));
    const count = (wanted: number[]) => {
      let n = 0;
      for (let i = 0; i < exported.data.length; i += 4) {
        if (wanted.every((v, k) => Math.abs((exported.data[i + k] ?? 0) - v) < 30)) n++;
      }
      return n;
    };
    expect(count([0x29, 0x62, 0xff])).toBeGreaterThan(200);
    expect(count([0xff, 0x98, 0x00])).toBeGreaterThan(200);

    await server.close();
    engine.close();
    ({ engine, server } = await servedEngine({ storePath, market: false, modelPath: false }));
    await page.goto(server.url);
    await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '3');
    const [fromAgain, toAgain] = [await pagePoint(page, a.time, a.high), await pagePoint(page, b.time, b.high)];
    const middle = { x: (fromAgain.x + toAgain.x) / 2, y: (fromAgain.y + toAgain.y) / 2 };
    await page.mouse.move(5, 5);
    const colour = await bluestPixelNear(page, middle);
    expect(isDrawingBlue(colour), `the line's middle is ${colour.join()}`).toBe(true);
    await page.screenshot({ path: shot('drawings-trend-after-restart.png') });

    // Selected, locked: Delete keeps it (and says why); unlocked, Delete removes it.
    await page.mouse.click(middle.x, middle.y);
    await expect(page.getByTestId('drawing-selected')).toHaveAttribute('data-locked', 'false');
    await page.keyboard.press('k');
    await expect(page.getByTestId('drawing-selected')).toHaveAttribute('data-locked', 'true');
    await page.screenshot({ path: shot('drawings-trend-selected-locked.png') });
    await page.keyboard.press('Delete');
    await expect(page.getByRole('alert')).toContainText('locked');
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '3');
    await page.keyboard.press('k');
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('drawing-count')).toHaveAttribute('data-count', '2');
    const left = await page.evaluate(async (k) => window.candleLens!.invoke('drawings.list', k), BTC);
    expect(left.map((d: Drawing) => d.shape)).toEqual([
      { kind: 'text', at: expect.objectContaining({ time: candles.at(-60)!.time }), text: 'support test' },
      { kind: 'hline', price: expect.any(Number), alert: true },
    ]);
    // Placed between the candles' prices, the line's price is rounded to the price scale's cent.
    const linePrice = (left[1] as Drawing).shape.kind === 'hline' ? ((left[1] as Drawing).shape as { price: number }).price : NaN;
    expect(Number(linePrice.toFixed(2))).toBe(linePrice);
    expect(errors).toEqual([]);
  } finally {
    await server.close();
    engine.close();
  }
});

/** The bundled sample's 1m candles in buckets of `interval`, as a CSV file to import. */
function sampleAs(interval: Exclude<Interval, 'M'>): string {
  const buckets = new Map<number, Candle>();
  for (const c of parseCandleCsv(readFileSync(SAMPLE_FILE, 'utf8'), '1')) {
    const start = candleStartAt(interval, c.time);
    const bar = buckets.get(start);
    buckets.set(
      start,
      bar === undefined
        ? { ...c, time: start }
        : { ...bar, high: Math.max(bar.high, c.high), low: Math.min(bar.low, c.low), close: c.close, volume: bar.volume + c.volume },
    );
  }
  const file = join(tempDir(), `BTCUSDT_${interval}.csv`);
  writeFileSync(file, `${CSV_HEADER}\n${[...buckets.values()].map(formatCandleCsvRow).join('\n')}\n`);
  return file;
}

test('four charts of their own streams show one crosshair, and the layout is restored after a reload', async ({ page }) => {
  const { engine, server } = await servedEngine({ storePath: join(tempDir(), 'store.db'), market: false, modelPath: false });
  for (const interval of ['5', '15', '60'] as const) importCandleCsv(engine.store, { ...SAMPLE_STREAM, interval }, sampleAs(interval));
  const errors = watchConsole(page);
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', /^[1-9]\d*$/);
    await page.keyboard.press('4');
    await expect(page.getByTestId('chart-grid')).toHaveAttribute('data-charts', '4');
    const charts = page.getByTestId('chart');
    await expect(charts).toHaveCount(4);
    for (let i = 0; i < 4; i++) await expect(charts.nth(i)).toHaveAttribute('data-bars', /^[1-9]\d*$/);
    const titles = await page.getByTestId('legend-title').allTextContents();

    // The pointer on the main chart (1m): every other chart's legend names its candle holding that moment.
    const main = await page.getByTestId('chart').first().boundingBox();
    await page.mouse.move(main!.x + main!.width * 0.6, main!.y + main!.height * 0.4);
    await expect.poll(async () => (await page.getByTestId('legend').allInnerTexts()).length).toBe(4);
    const hovered = Number(await page.getByTestId('legend').first().getAttribute('data-time'));
    for (let i = 1; i < 4; i++) {
      const shown = Number(await page.getByTestId('legend').nth(i).getAttribute('data-time'));
      const interval = /(\d+)m$/.exec(titles[i] ?? '')?.[1] as Exclude<Interval, 'M'>;
      expect(shown).toBe(candleStartAt(interval, hovered));
    }
    expect(new Set(titles)).toEqual(new Set(['BTCUSDT · 1m', 'BTCUSDT · 5m', 'BTCUSDT · 15m', 'BTCUSDT · 60m']));
    await page.screenshot({ path: shot('layout-four-synced-crosshair.png') });

    await page.reload();
    await expect(page.getByTestId('chart-grid')).toHaveAttribute('data-charts', '4');
    await expect(page.getByTestId('legend-title')).toHaveText(titles);
    await page.keyboard.press('1');
    await expect(page.getByTestId('chart')).toHaveCount(1);
    // `?` lists the new keys with the others.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const words of ['draw a trend line', 'lock or unlock the selected drawing', 'four charts', "sync the charts' crosshairs"]) {
      await expect(help).toContainText(words);
    }
    await page.screenshot({ path: shot('shortcuts-help.png') });
    expect(errors).toEqual([]);
  } finally {
    await server.close();
    engine.close();
  }
});
