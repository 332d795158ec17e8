import { test, _electron as electron } from '@playwright/test';
import { join } from 'node:path';
import { electronBinary, electronUnavailable } from '../../scripts/electron-binary';
import { ROOT, tempDir } from '../helpers';
import { expectChartShowsStoredCandles, watchConsole } from './checks';

const reason = electronUnavailable();

test('the desktop app shows the stored candles with no console error', async () => {
  if (reason !== undefined) {
    console.log(`Electron end-to-end test did not run: ${reason}.`);
    test.skip(true, reason);
  }
  const app = await electron.launch({
    executablePath: electronBinary(),
    args: [join(ROOT, 'out', 'main', 'index.js'), `--db=${join(tempDir(), 'store.db')}`],
    cwd: ROOT,
  });
  try {
    const page = await app.firstWindow();
    const errors = watchConsole(page);
    await expectChartShowsStoredCandles(page, join(ROOT, 'test-results', 'electron-chart.png'));
    test.expect(errors).toEqual([]);
  } finally {
    await app.close();
  }
});
