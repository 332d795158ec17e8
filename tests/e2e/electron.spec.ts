/**
 * The desktop app runs the same checks as the browser: the stored chart, live candles from a fake
 * Bybit, an explained signal with its heatmap, and the symbol and interval switchers.
 */
import { expect, test, _electron as electron } from '@playwright/test';
import { join } from 'node:path';
import { electronBinary, electronUnavailable } from '../../scripts/electron-binary';
import { ROOT, tempDir } from '../helpers';
import {
  expectChartShowsStoredCandles,
  expectExplainedSignal,
  expectLiveBarsMove,
  expectStreamSwitching,
  prepareLiveStore,
  REPLAY_FEED,
  watchConsole,
} from './checks';

const reason = electronUnavailable();

test('the desktop app shows stored and live candles, explained signals and stream switching, with no console error', async () => {
  test.setTimeout(240_000);
  if (reason !== undefined) {
    console.log(`Electron end-to-end test did not run: ${reason}.`);
    test.skip(true, reason);
  }
  const db = join(tempDir(), 'store.db');
  const fiveMinuteBars = prepareLiveStore(db);
  const app = await electron.launch({
    executablePath: electronBinary(),
    args: [join(ROOT, 'out', 'main', 'index.js'), `--db=${db}`, ...REPLAY_FEED],
    cwd: ROOT,
  });
  try {
    const page = await app.firstWindow();
    const errors = watchConsole(page);
    await expectChartShowsStoredCandles(page, join(ROOT, 'test-results', 'electron-chart.png'));
    await expectLiveBarsMove(page, join(ROOT, 'test-results', 'electron-live.png'));
    await expectExplainedSignal(page, join(ROOT, 'test-results', 'electron-signal.png'));
    await expectStreamSwitching(page, fiveMinuteBars);
    expect(errors).toEqual([]);
  } finally {
    await app.close();
  }
});
