import { beforeAll, describe, expect, it } from 'vitest';
import { windowDeletion, targetScores } from '../../src-main/explain/trust';
import { useBackend } from '../../src-main/model/backend';
import { FinancialCnn, initialWeights } from '../../src-main/model/network';
import { seededRandom } from '../../src-main/model/random';
import type { ModelSpec } from '../../src-main/model/spec';
import { deletionLine } from '../../src-renderer/src/lib/signal-deletion';

describe("one signal's deletion test", () => {
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('gives the same figures every time, measured on the target the signal explains', () => {
    const spec: ModelSpec = {
      input_channels: 2,
      sequence_length: 10,
      num_classes: 3,
      convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
      batchnorm_eps: 1e-5,
    };
    const model = new FinancialCnn(spec, initialWeights(spec, 4));
    const random = seededRandom(9);
    const window = Float32Array.from({ length: 20 }, () => random() * 4 - 2);
    const map = [0, 0.1, 0.9, 1, 0.2, 0, 0, 0.3, 0, 0];
    const first = windowDeletion(model, window, map, 1);
    expect(windowDeletion(model, window, map, 1)).toEqual(first);
    expect(first.fraction).toBe(0.2);
    // Imputing nothing changes nothing: the drops are measured from the window's own score.
    const original = targetScores(model, window, 1, [1])[0] ?? NaN;
    expect(original).toBeGreaterThan(0);
    expect(original - first.topDrop).toBeGreaterThanOrEqual(0);
    expect(original - first.topDrop).toBeLessThanOrEqual(1);
    expect(windowDeletion(model, window, map, 2).topDrop).not.toBe(first.topDrop);
    model.dispose();
  });

  it('says in the panel what the figures mean', () => {
    const telling = deletionLine({ fraction: 0.2, topDrop: 0.12, randomDrop: 0.03 });
    expect(telling.measured).toBe(
      'Filling in its 20% most attended candles from their neighbours lowers the probability of the call by 12.0 points; 20% at random, by 3.0 points.',
    );
    expect(telling.meaning).toMatch(/depends on the candles the heatmap marks \(4\.0× chance\)/);
    expect(deletionLine({ fraction: 0.2, topDrop: 0.01, randomDrop: 0.02 }).meaning).toMatch(/no better than chance/);
    expect(deletionLine({ fraction: 0.2, topDrop: -0.01, randomDrop: -0.02 }).meaning).toMatch(/no better than chance/);
  });
});
