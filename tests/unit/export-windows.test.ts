/**
 * Training elsewhere and serving here: `export-windows` writes every labelled window as a kind encodes
 * it, in NumPy files PyTorch reads; models PyTorch trained on such exports (the committed fixtures,
 * made by scripts/pytorch/train_windows.py) import and score candles and explain them as PyTorch does.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { explainBatch } from '../../src-main/explain/explainer';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { createNetwork, modelKind } from '../../src-main/model/kinds';
import { importedModel } from '../../src-main/model/kinds/import';
import { EncodingSpecSchema } from '../../src-main/model/kinds/kind';
import { ROOT, runCli, sharedCsvHead, tempDir } from '../helpers';

/** A .npy file's shape and values (the little-endian float32 and int64 arrays export-windows writes). */
function readNpy(path: string): { shape: number[]; values: number[] } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  expect((10 + headerLength) % 64).toBe(0);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number);
  const data = bytes.subarray(10 + headerLength);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  if (header.includes("'<f4'")) return { shape, values: Array.from(new Float32Array(buffer)) };
  expect(header).toContain("'<i8'");
  return { shape, values: Array.from(new BigInt64Array(buffer), Number) };
}

const ROWS = 1200;
const csv = () => {
  const path = join(tempDir(), 'btc.csv');
  writeFileSync(path, sharedCsvHead('bybit_BTCUSDT_1m.csv', ROWS));
  return path;
};

describe('export-windows', () => {
  it('writes an image-cnn export: channels-first inputs equal to the live encoding, labels, window ends and the walk-forward split', () => {
    const out = join(tempDir(), 'windows');
    const result = runCli(['export-windows', '--csv', csv(), '--kind', 'image-cnn', '--stride', '7', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const encoding = EncodingSpecSchema.parse(JSON.parse(readFileSync(join(out, 'encoding.json'), 'utf8')));
    expect(encoding).toEqual({ kind: 'image-cnn', interval: '1', windowLength: 20, labels: { horizon: 15, thresholdK: 0.43 } });
    const inputs = readNpy(join(out, 'inputs.npy'));
    const labels = readNpy(join(out, 'labels.npy'));
    const ends = readNpy(join(out, 'window_ends.npy'));
    const split = readNpy(join(out, 'split.npy'));
    const N = inputs.shape[0] ?? 0;
    expect(inputs.shape).toEqual([N, 1, 64 * 3 * 20]);
    expect(N).toBeGreaterThan(100);
    for (const a of [labels, ends, split]) expect(a.shape).toEqual([N]);
    expect(labels.values.every((l) => l === 0 || l === 1 || l === 2)).toBe(true);
    // The parts follow each other in time; windows the embargo drops are −1.
    const parts = split.values.filter((p) => p >= 0);
    expect(parts).toEqual([...parts].sort((a, b) => a - b));
    expect(new Set(parts)).toEqual(new Set([0, 1, 2]));

    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', ROWS), '1');
    const kind = modelKind({ kind: 'image-cnn' });
    const spec = { kind: 'image-cnn' as const, input_channels: 1, sequence_length: 20, num_classes: 3, convs: [], batchnorm_eps: 1e-5 };
    for (const n of [0, Math.floor(N / 2), N - 1]) {
      const end = candles.findIndex((c) => c.time === ends.values[n]);
      const live = kind.encode({ spec, features: null, normalization: null }, candles.slice(end - 20, end + 1), 60_000);
      expect(inputs.values.slice(n * live.length, (n + 1) * live.length)).toEqual(Array.from(live));
    }
  });

  it('normalizes a FinancialCNN export with statistics of its training part only, and its spec carries them', () => {
    const out = join(tempDir(), 'windows');
    const result = runCli(['export-windows', '--csv', csv(), '--stride', '3', '--out', out]);
    expect(result.status).toBe(0);
    const encoding = EncodingSpecSchema.parse(JSON.parse(readFileSync(join(out, 'encoding.json'), 'utf8')));
    const C = encoding.features?.channels.length ?? 0;
    expect(encoding.normalization?.mean).toHaveLength(C);
    const inputs = readNpy(join(out, 'inputs.npy'));
    const split = readNpy(join(out, 'split.npy'));
    const [N = 0, channels, T = 0] = inputs.shape;
    expect([channels, T]).toEqual([C, 60]);
    // Over the training windows, each channel's normalized values have mean 0 (the test period's need not).
    for (let c = 0; c < C; c++) {
      let sum = 0;
      let count = 0;
      for (let n = 0; n < N; n++) {
        if (split.values[n] !== 0) continue;
        for (let t = 0; t < T; t++) sum += inputs.values[(n * C + c) * T + t] ?? NaN;
        count += T;
      }
      expect(Math.abs(sum / count)).toBeLessThan(1e-3);
    }
  });

  it('refuses a kind it does not know and an export without --out', () => {
    expect(runCli(['export-windows', '--csv', csv(), '--kind', 'rnn', '--out', tempDir()]).stderr).toMatch(/--kind must be one of/);
    expect(runCli(['export-windows', '--csv', csv()]).stderr).toMatch(/needs --out DIR/);
  });
});

/** What PyTorch computed for the first test windows of the fixture (tests/fixtures/pytorch/README.md). */
const Checks = z.object({
  window_ends: z.array(z.number()),
  logits: z.array(z.array(z.number())),
  gradcam: z.array(z.array(z.number())),
  lstm_grad_x_input: z.array(z.array(z.number())),
});

const largest = (values: readonly number[]) => Math.max(...values.map(Math.abs));

describe.each(await availableBackends())('PyTorch-trained models on %s', (backend) => {
  it.each(['image-cnn', 'cnn-lstm'])(
    'a %s imports with its export’s encoding spec and scores the candles as PyTorch did: logits within 1e-4, Grad-CAM and the LSTM’s gradient × input within 1e-3',
    async (kindName) => {
      await useBackend([backend]);
      const dir = join(ROOT, 'tests', 'fixtures', 'pytorch', kindName);
      const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const { metadata, weights } = importedModel(read('model.json'), read('encoding.json'), { name: 'torch', source: dir, now: 0 });
      expect(metadata.spec.kind).toBe(kindName);
      const expected = Checks.parse(read('checks.json'));
      const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 3000), '1');
      const model = createNetwork(metadata.spec, weights);
      const kind = modelKind(metadata.spec);
      const T = metadata.spec.sequence_length;
      expected.window_ends.forEach((time, n) => {
        const end = candles.findIndex((c) => c.time === time);
        const input = kind.encode(metadata, candles.slice(end - T, end + 1), 60_000);
        const [e] = explainBatch(model, input, 1, { method: 'gradcam', attribution: true });
        if (e === undefined) throw new Error('no explanation');
        e.logits.forEach((v, k) => expect(Math.abs(v - (expected.logits[n]?.[k] ?? NaN))).toBeLessThan(1e-4));
        const cam = expected.gradcam[n] ?? [];
        expect(Math.max(...cam.map((v, i) => Math.abs(v - (e.inputCam[i] ?? NaN))))).toBeLessThan(1e-3);
        if (kindName !== 'cnn-lstm') return;
        const steps = expected.lstm_grad_x_input[n] ?? [];
        const ours = e.attributionByStep.map(([, step]) => step ?? NaN);
        expect(Math.max(...steps.map((v, t) => Math.abs(v - (ours[t] ?? NaN))))).toBeLessThan(1e-3 * largest(steps));
      });
      model.dispose();
    },
  );
});
