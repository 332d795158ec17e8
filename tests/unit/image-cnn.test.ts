import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { CHART_HEIGHT as IMAGE_HEIGHT, chartMapToCandles } from '../../src-main/features/chart-image';
import { blankColumnBlocks } from '../../src-main/model/kinds/image-cnn';
import { createNetwork } from '../../src-main/model/kinds';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { trainedTwiceAlike } from '../reproducible-training';
import { SHARED_DATA } from '../helpers';

describe('the image-cnn geometry (the chart image itself: chart-image.test.ts)', () => {
  it('decodes a map onto each candle by its block of three columns, and blanks a candle as its block', () => {
    const T = 2;
    const cells = new Float32Array(IMAGE_HEIGHT * 6);
    cells[10 * 6 + 4] = 6 * IMAGE_HEIGHT; // one cell in candle 1's block
    cells[0] = 3 * IMAGE_HEIGHT; // one in candle 0's
    expect(chartMapToCandles(cells, IMAGE_HEIGHT, T)).toEqual([1, 2]);
    const blanked = blankColumnBlocks(Float32Array.from(cells), 1, T, [1]);
    expect(Array.from(blanked.subarray(10 * 6 + 3, 10 * 6 + 6))).toEqual([0, 0, 0]);
    expect(blanked[0]).toBe(3 * IMAGE_HEIGHT);
    expect(() => chartMapToCandles(cells, IMAGE_HEIGHT, 3)).toThrow(/cells/);
  });
});

describe('training an image-cnn', () => {
  it('trains on wasm reproducibly, and the saved model explains a window with a CAM decoded onto its candles', async () => {
    await useBackend(['wasm']);
    const text = readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8');
    const candles = parseCandleCsv(text.split('\n').slice(0, 701).join('\n'), '1');
    const loaded = await trainedTwiceAlike(
      {
        source: 'bybit_ETHUSDT_1m.csv (first 700)',
        interval: '1',
        kind: 'image-cnn',
        features: { ...DEFAULT_FEATURE_SPEC, windowLength: 8 },
        labels: DEFAULT_LABEL_SPEC,
        convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
        settings: { epochs: 1, batchSize: 64, stride: 4, patience: 1 },
        name: 'imagecnn',
      },
      candles,
    );
    expect(loaded.metadata.architecture).toBe('ImageCNN');
    expect(loaded.weights.get('convs.0.weight')?.shape).toEqual([4, 1, 3, 3]);
    const model = createNetwork(loaded.metadata.spec, loaded.weights);
    const result = explainWindow({ model, ...loaded.metadata }, { history: candles.slice(100, 109), stepMs: 60_000, method: 'gradcam' });
    model.dispose();
    expect(result.windowStarts).toEqual(candles.slice(101, 109).map((c) => c.time));
    expect(result.cam).toHaveLength(8);
    expect(result.attributionByCandle).toHaveLength(8);
    expect(result.attribution).toHaveLength(1);
  }, 180_000);
});
