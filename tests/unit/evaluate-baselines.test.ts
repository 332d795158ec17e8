/**
 * The direction report's last-return-sign baseline on windows shorter than the label horizon: near
 * the series' start (or after a gap) no close lies H candles back, which made `evaluate` throw for
 * any such model (an image kind at 8 candles, H 15).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src-main/evaluation/evaluate';
import { buildEncodedDataset } from '../../src-main/features/dataset';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { createNetwork, windowEncoder } from '../../src-main/model/kinds';
import { importedModel } from '../../src-main/model/kinds/import';
import { SHARED_GAF_GOLDEN, sharedCsvHead } from '../helpers';

describe('the last-return-sign baseline', () => {
  it('reads the return over the window itself where no close lies H candles back (a window shorter than the horizon)', async () => {
    await useBackend(['wasm', 'cpu']);
    const golden: unknown = JSON.parse(readFileSync(join(SHARED_GAF_GOLDEN, 'model.json'), 'utf8'));
    // The golden reads 32 candles; a horizon of 40 reaches further back than the first windows have.
    const labels = { horizon: 40, thresholdK: 0.43 };
    const { metadata, weights } = importedModel(
      golden,
      { kind: 'gaf-cnn', interval: '1', windowLength: 32, labels },
      { name: 'g', source: 'test', now: 0 },
    );
    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 400), '1');
    const { inputs, samples } = buildEncodedDataset(candles, 60_000, windowEncoder(metadata, 60_000), labels);
    const closes = new Map(candles.map((c) => [c.time, c.close]));
    const model = createNetwork(metadata.spec, weights);
    try {
      const report = evaluateModel(model, inputs, samples, (t) => closes.get(t), labels.horizon, 60_000);
      expect(report.windows).toBe(samples.length);
      // The first window: no close 40 candles back, so its baseline call is the sign of its own move.
      const first = samples[0];
      if (first === undefined) throw new Error('no window');
      expect(closes.get(first.windowTo - 40 * 60_000)).toBeUndefined();
      const signs = report.baselines.lastReturnSign.confusion.flat().reduce((a, b) => a + b, 0);
      expect(signs).toBe(samples.length);
    } finally {
      model.dispose();
    }
  });
});
