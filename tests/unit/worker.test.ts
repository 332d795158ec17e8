import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { ModelWorker } from '../../src-main/worker/client';
import { SHARED_GOLDEN, sharedCsvHead } from '../helpers';

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
});
