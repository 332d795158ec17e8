/**
 * The audit of a store holding more signals than the old list's 10,000: seeded straight into a real
 * SQLite file before the engine opens it, then paged, filtered and exported from the UI.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../src-main/engine/engine';
import type { RunningServer } from '../../src-main/server/serve';
import { openDatabase } from '../../src-main/store/database';
import { SignalStore } from '../../src-main/store/signals';
import type { Signal } from '../../src-shared/domain/signal';
import { ROOT, tempDir } from '../helpers';
import { storeFixtureSignals } from '../signal-fixtures';
import { servedEngine, watchConsole } from './checks';

const STORED = 10_450;
let engine: Engine;
let server: RunningServer;
let seeded: Signal[];
test.beforeAll(async () => {
  const storePath = join(tempDir(), 'store.db');
  const db = openDatabase(storePath);
  seeded = storeFixtureSignals(new SignalStore(db), STORED);
  db.close();
  ({ engine, server } = await servedEngine({ storePath, market: false, modelPath: false }));
});
test.afterAll(async () => {
  await server.close();
  engine.close();
});

async function openAudit(page: Page) {
  await page.goto(server.url);
  await expect(page.getByTestId('chart')).toHaveAttribute('data-bars', '4320');
  await page.getByTestId('audit-toggle').click();
  return page.getByTestId('audit');
}

test('the audit pages past 10,000 stored signals to the oldest, filters and sorts them, and exports every row', async ({ page }) => {
  const errors = watchConsole(page);
  const audit = await openAudit(page);
  const position = audit.getByTestId('audit-position');
  await expect(position).toHaveText('1–200 of 10,450');
  await expect(audit.getByTestId('audit-row')).toHaveCount(200);
  const newest = seeded.reduce((a, b) => (b.candleStart > a.candleStart || (b.candleStart === a.candleStart && b.id > a.id) ? b : a));
  await expect(audit.getByTestId('audit-row').first()).toHaveAttribute('data-signal-id', String(newest.id));

  // The last page: past the 10,000 newest, down to the oldest stored signal.
  await audit.getByTestId('audit-last').click();
  await expect(position).toHaveText('10,401–10,450 of 10,450');
  await expect(audit.getByTestId('audit-row')).toHaveCount(50);
  await expect(audit.getByTestId('audit-row').last()).toHaveAttribute('data-signal-id', String(seeded[0]?.id));
  await page.screenshot({ path: join(ROOT, 'test-results', 'audit-last-page.png') });

  // A filter by class and model, oldest first: the count and the first row are the store's.
  await audit.getByTestId('audit-class').selectOption('sell');
  await audit.getByTestId('audit-model').selectOption('model-b');
  await audit.getByTestId('audit-order').selectOption('oldest');
  const kept = seeded
    .filter((s) => s.predicted === 'sell' && s.modelVersion === 'model-b')
    .sort((a, b) => a.candleStart - b.candleStart || a.id - b.id);
  await expect(position).toHaveText(`1–200 of ${kept.length.toLocaleString('en-US')}`);
  await expect(audit.getByTestId('audit-row').first()).toHaveAttribute('data-signal-id', String(kept[0]?.id));
  await expect(audit.getByTestId('audit-row').first()).toContainText('sell');
  await page.screenshot({ path: join(ROOT, 'test-results', 'audit-filtered.png') });

  // The export has every row the filter keeps (all of them once the filter is cleared), not one page.
  await audit.getByTestId('audit-class').selectOption('');
  await audit.getByTestId('audit-model').selectOption('');
  await expect(position).toHaveText('1–200 of 10,450');
  const [download] = await Promise.all([page.waitForEvent('download'), audit.getByTestId('audit-export').click()]);
  const lines = readFileSync(await download.path())
    .toString()
    .trim()
    .split('\n');
  expect(lines[0]).toContain('model_version,input_hash');
  expect(lines).toHaveLength(STORED + 1);
  expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(STORED);
  expect(lines[1]?.startsWith(`${seeded[0]?.id},`)).toBe(true);
  expect(errors).toEqual([]);
});
