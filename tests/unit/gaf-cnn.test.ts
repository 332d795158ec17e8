import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { explainBatch } from '../../src-main/explain/explainer';
import { normalizeCam } from '../../src-main/explain/cam';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { blankStepCells, cellsToSteps, gafImage, gramianAngularFields } from '../../src-main/model/kinds/gaf-encoding';
import { GAF_GEOMETRY } from '../../src-main/model/kinds/gaf-cnn';
import { conv2d } from '../../src-main/model/network';
import { CAM_TOLERANCE, checkGafParity, ENCODING_TOLERANCE, LOGIT_TOLERANCE, loadGafGolden } from '../../src-main/parity/parity';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { createNetwork } from '../../src-main/model/kinds';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { trainedTwiceAlike } from '../reproducible-training';
import { ROOT, SHARED_DATA, SHARED_GAF_GOLDEN } from '../helpers';

const backends = await availableBackends();

describe.each(backends)('gaf-cnn golden parity on %s', (backend) => {
  it('matches PyTorch: the GASF/GADF encoding within 1e-4, the logits within 1e-4, the 2-D Grad-CAM and its decoding onto time within 1e-3', async () => {
    await useBackend([backend]);
    const { model, cases } = loadGafGolden(SHARED_GAF_GOLDEN);
    const report = checkGafParity(model, cases);
    model.dispose();
    expect(report.cases).toBe(6);
    expect(report.encoding).toBeLessThanOrEqual(ENCODING_TOLERANCE);
    expect(report.logits).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(report.gradcam).toBeLessThanOrEqual(CAM_TOLERANCE);
    expect(report.gradcamTime).toBeLessThanOrEqual(CAM_TOLERANCE);
    expect(report.predictedMismatches).toBe(0);
    expect(report.zeroCamMismatches).toBe(0);
    expect(report.pass).toBe(true);
  });

  // Made with PyTorch by scripts/golden/gaf_cnn.py (README there): other lengths, depths, kernels and classes than ../shared's.
  it.each([
    ['gaf-cnn-t20', { T: 20, convs: [8, 16, 16], kernels: [5, 3, 3], classes: 2, cases: 3 }],
    ['gaf-cnn-t28', { T: 28, convs: [4], kernels: [7], classes: 4, cases: 2 }],
  ])('matches PyTorch goldens of other sizes: %s', async (name, size) => {
    await useBackend([backend]);
    const { model, cases } = loadGafGolden(join(ROOT, 'tests', 'fixtures', 'golden', name));
    expect([model.spec.sequence_length, model.spec.num_classes]).toEqual([size.T, size.classes]);
    expect(model.spec.convs.map((c) => [c.filters, c.kernel_size])).toEqual(size.convs.map((f, i) => [f, size.kernels[i]]));
    const report = checkGafParity(model, cases);
    model.dispose();
    expect(report.cases).toBe(size.cases);
    expect(report).toMatchObject({ predictedMismatches: 0, zeroCamMismatches: 0, pass: true });
    expect(Math.max(report.encoding, report.logits)).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(Math.max(report.gradcam, report.gradcamTime)).toBeLessThanOrEqual(CAM_TOLERANCE);
  });

  it('differentiates conv2d (its own gradient rule) as tfjs autodiff does on the cpu backend', async () => {
    const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 22) as tf.Tensor4D;
    const bias = tf.randomNormal([4], 0, 1, 'float32', 23) as tf.Tensor1D;
    const probe = tf.randomNormal([2, 7, 7, 4], 0, 1, 'float32', 24);
    const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor1D), probe));
    await useBackend([backend]);
    const ours = tf
      .grads(loss((a, b, c) => conv2d(a, b, c, true)))([x, filter, bias])
      .map((g) => Array.from(g.dataSync()));
    await useBackend(['cpu']);
    const stock = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => tf.relu(tf.add(tf.conv2d(a, b, 1, 'same'), c));
    const reference = tf
      .grads(loss(stock))([x, filter, bias])
      .map((g) => Array.from(g.dataSync()));
    const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));
    expect(reference.map((r) => r.length)).toEqual(ours.map((o) => o.length));
    reference.forEach((r, i) => expect(worst(ours[i] ?? [], r), `gradient ${i}`).toBeLessThan(1e-3));
  });
});

describe('Gramian angular fields', () => {
  it('encode a rising series by the golden definition: rescaled to [−1, 1], φ = arccos, GASF = cos(φi + φj), GADF = sin(φi − φj)', () => {
    // 1, 2, 3 → x = −1, 0, 1 → φ = π, π/2, 0.
    const { gasf, gadf } = gramianAngularFields([1, 2, 3]);
    const expectedGasf = [1, 0, -1, 0, -1, 0, -1, 0, 1];
    const expectedGadf = [0, 1, 0, -1, 0, 1, 0, -1, 0];
    expectedGasf.forEach((v, p) => expect(gasf[p]).toBeCloseTo(v, 12));
    expectedGadf.forEach((v, p) => expect(gadf[p]).toBeCloseTo(v, 12));
  });

  it('make a flat series all zeros before the angles (GASF −1, GADF 0), and lay channels out position-major', () => {
    const image = gafImage(
      [
        [5, 5, 5],
        [1, 2, 3],
      ],
      3,
    );
    const cell = (p: number) => Array.from(image.subarray(p * 4, (p + 1) * 4)).map((v) => Math.round(v * 1e6) / 1e6 || 0);
    // Cell (i, j) at position i·T + j holds [GASF(series 0), GADF(series 0), GASF(series 1), GADF(series 1)].
    expect(cell(1)).toEqual([-1, 0, 0, 1]);
    expect(cell(3)).toEqual([-1, 0, 0, -1]);
    expect(() => gafImage([[1, 2, 3]], 2)).toThrow(/needs 2 values/);
  });
});

describe('decoding a 2-D map onto candles', () => {
  it('gives candle t the sum of its row and its column, halved: a cell (i, j) counts for candles i and j', () => {
    const T = 4;
    const cells = new Array<number>(T * T).fill(0);
    cells[1 * T + 3] = 2; // relates candles 1 and 3
    cells[2 * T + 2] = 4; // the diagonal: candle 2 with itself
    expect(cellsToSteps(cells, T)).toEqual([0, 1, 4, 1]);
    expect(normalizeCam(cellsToSteps(cells, T)).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0.25, 1, 0.25]);
    expect(() => cellsToSteps([1, 2, 3], 2)).toThrow(/4 cells/);
  });

  it('blanks a candle as its row and its column of every channel', () => {
    const T = 3;
    const window = new Float32Array(T * T * 2).fill(1);
    const blanked = blankStepCells(window, 2, T, [1]);
    const zeroCells = Array.from({ length: T * T }, (_, p) => p).filter((p) => blanked[p * 2] === 0 && blanked[p * 2 + 1] === 0);
    expect(zeroCells).toEqual([1, 3, 4, 5, 7]);
    expect(window.every((v) => v === 1)).toBe(true);
  });

  it('explanations carry the 2-D map and its decoding onto the candles of the golden model', async () => {
    await useBackend(['cpu']);
    const { model, cases } = loadGafGolden(SHARED_GAF_GOLDEN);
    const T = model.spec.sequence_length;
    const inputs = gafImage([cases.series[0] ?? []], T);
    const [e] = explainBatch(model, inputs, 1, { method: 'gradcam', attribution: true });
    model.dispose();
    expect(e?.inputCam).toHaveLength(T * T);
    expect(e?.cam).toHaveLength(T);
    const decoded = normalizeCam(GAF_GEOMETRY.toCandles(e?.inputCam ?? [], T));
    decoded.forEach((v, t) => expect(Math.abs(v - (e?.cam[t] ?? NaN))).toBeLessThan(1e-4));
    // Gradient × input per candle and channel (GASF, GADF), decoded from the cells as the CAM is.
    expect(e?.attributionByStep).toHaveLength(T);
    expect(e?.attributionByStep[0]).toHaveLength(2);
    expect(e?.attribution).toHaveLength(2);
  });
});

describe('training a gaf-cnn', () => {
  it('trains on wasm (its conv2d carries its own filter gradient) reproducibly, and the saved model scores a window of candles', async () => {
    await useBackend(['wasm']);
    const text = readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8');
    const candles = parseCandleCsv(text.split('\n').slice(0, 901).join('\n'), '1');
    const loaded = await trainedTwiceAlike(
      {
        source: 'bybit_ETHUSDT_1m.csv (first 900)',
        interval: '1',
        kind: 'gaf-cnn',
        features: { ...DEFAULT_FEATURE_SPEC, windowLength: 12 },
        labels: DEFAULT_LABEL_SPEC,
        convs: [{ filters: 4, kernel_size: 3, padding: 1 }],
        settings: { epochs: 2, batchSize: 64, stride: 3, patience: 2 },
        name: 'gafcnn',
      },
      candles,
    );
    expect(loaded.metadata.architecture).toBe('GafCNN');
    expect(loaded.metadata.spec).toMatchObject({ kind: 'gaf-cnn', series: ['close'], input_channels: 2, sequence_length: 12 });
    expect(loaded.metadata.features).toBeNull();
    expect(loaded.weights.get('convs.0.weight')?.shape).toEqual([4, 2, 3, 3]);
    expect((loaded.metadata.training?.history as unknown[]).length).toBeGreaterThan(0);
    const model = createNetwork(loaded.metadata.spec, loaded.weights);
    const result = explainWindow({ model, ...loaded.metadata }, { history: candles.slice(100, 113), stepMs: 60_000, method: 'gradcampp' });
    model.dispose();
    expect(result.windowStarts).toEqual(candles.slice(101, 113).map((c) => c.time));
    expect(result.cam).toHaveLength(12);
    expect(result.attribution).toHaveLength(2);
  }, 180_000);
});
