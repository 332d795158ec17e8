import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { ModelWorker } from '../../src-main/worker/client';
import { ROOT, SHARED_GOLDEN, sharedCsvHead, tempDir } from '../helpers';

const worker = new ModelWorker();
afterAll(() => worker.close());

describe('model worker thread', () => {
  it('starts a backend, loads a model and refuses to score without a feature pipeline', async () => {
    expect(['wasm', 'cpu']).toContain(await worker.init(['wasm', 'cpu']));
    const loaded = await worker.load(join(SHARED_GOLDEN, 'model.json'));
    expect(loaded.metadata.spec.input_channels).toBe(5);
    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');
    await expect(worker.score(candles.slice(0, 160), 60_000, 'gradcam')).rejects.toThrow(/no feature pipeline/);
    await expect(worker.load('/nonexistent/model')).rejects.toThrow(/model not found/);
  });

  it('refuses a window whose outputs overflow with the same error as the CLIs', async () => {
    const models = join(ROOT, 'resources', 'models');
    const huge = join(tempDir(), 'huge');
    cpSync(join(models, readdirSync(models)[0] ?? ''), huge, { recursive: true });
    const bytes = readFileSync(join(huge, 'weights.bin')).byteLength;
    writeFileSync(join(huge, 'weights.bin'), new Uint8Array(new Float32Array(bytes / 4).fill(3e38).buffer));
    const cpuWorker = new ModelWorker();
    try {
      await cpuWorker.init(['cpu']);
      await cpuWorker.load(huge);
      const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');
      await expect(cpuWorker.score(candles.slice(0, 160), 60_000, 'gradcam')).rejects.toThrow(/the model's output is not finite/);
    } finally {
      await cpuWorker.close();
    }
  });
});
