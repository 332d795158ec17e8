import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainBatch } from '../../src-main/explain/explainer';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { loadModel, saveModel, MODEL_FORMAT } from '../../src-main/model/model-file';
import { FinancialCnn, unfold } from '../../src-main/model/network';
import { channelsFirstToBatch, checkParity, CAM_TOLERANCE, LOGIT_TOLERANCE, loadGolden } from '../../src-main/model/parity';
import { ModelFormatError } from '../../src-main/model/spec';
import { SHARED_GOLDEN, tempDir } from '../helpers';

const backends = await availableBackends();

describe('backends', () => {
  it('finds wasm and cpu here, in preference order', () => {
    expect(backends).toContain('cpu');
    expect(backends).toContain('wasm');
    expect(backends.indexOf('wasm')).toBeLessThan(backends.indexOf('cpu'));
  });
});

describe.each(backends)('golden parity on %s', (backend) => {
  it('matches the PyTorch logits within 1e-4 and Grad-CAM / Grad-CAM++ within 1e-3', async () => {
    await useBackend([backend]);
    const { model, cases } = loadGolden(SHARED_GOLDEN);
    const report = checkParity(model, cases);
    model.dispose();
    expect(report.cases).toBe(8);
    expect(report.logits).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(report.gradcam).toBeLessThanOrEqual(CAM_TOLERANCE);
    expect(report.gradcampp).toBeLessThanOrEqual(CAM_TOLERANCE);
    expect(report.predictedMismatches).toBe(0);
    expect(report.zeroCamMismatches).toBe(0);
    expect(report.pass).toBe(true);
  });

  it('computes conv1d by unfold + matMul exactly as tf.conv1d does', async () => {
    await useBackend([backend]);
    const [x, w] = [tf.randomNormal([3, 20, 4], 0, 1, 'float32', 7), tf.randomNormal([5, 4, 6], 0, 1, 'float32', 8)] as [
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    const viaUnfold = tf.reshape(tf.matMul(unfold(x, 5, 2), tf.reshape(w, [20, 6])), [3, 20, 6]);
    const viaConv = tf.conv1d(x, w, 1, 'same');
    expect(tf.max(tf.abs(tf.sub(viaUnfold, viaConv))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, w, viaUnfold, viaConv]);
  });
});

describe('saved models', () => {
  it('one saved model gives the same logits and CAMs on every backend within 1e-4', async () => {
    const loaded = loadModel(join(SHARED_GOLDEN, 'model.json'));
    const dir = join(tempDir(), 'golden-copy');
    saveModel(dir, loaded.metadata, loaded.weights);
    const reloaded = loadModel(dir);
    expect(reloaded.weightsHash).toBe(loaded.weightsHash);
    const { cases } = loadGolden(SHARED_GOLDEN);
    const inputs = channelsFirstToBatch(cases.inputs, reloaded.metadata.spec);
    const outputs: { backend: string; values: number[] }[] = [];
    for (const backend of backends) {
      await useBackend([backend]);
      const model = new FinancialCnn(reloaded.metadata.spec, reloaded.weights);
      const explained = explainBatch(model, inputs, cases.inputs.length, { method: 'gradcampp', attribution: true });
      outputs.push({ backend, values: explained.flatMap((e) => [...e.logits, ...e.cam, ...e.attribution]) });
      model.dispose();
    }
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = outputs;
    for (const other of rest) {
      const worst = Math.max(...other.values.map((v, i) => Math.abs(v - (first?.values[i] ?? NaN))));
      expect(worst, `${other.backend} vs ${first?.backend}`).toBeLessThan(1e-4);
    }
  });

  it('refuses a truncated weights file, a shape mismatch and a missing file with a clear error', () => {
    const loaded = loadModel(join(SHARED_GOLDEN, 'model.json'));
    const dir = join(tempDir(), 'model');
    saveModel(dir, loaded.metadata, loaded.weights);
    const bin = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 8));
    expect(() => loadModel(dir)).toThrow(/holds \d+ bytes, the manifest needs/);

    const bad = join(tempDir(), 'bad');
    mkdirSync(bad);
    copyFileSync(join(dir, 'model.json'), join(bad, 'model.json'));
    const json = JSON.parse(readFileSync(join(bad, 'model.json'), 'utf8')) as { format: string; spec: { convs: { filters: number }[] } };
    expect(json.format).toBe(MODEL_FORMAT);
    (json.spec.convs[0] as { filters: number }).filters = 16;
    writeFileSync(join(bad, 'model.json'), JSON.stringify(json));
    writeFileSync(join(bad, 'weights.bin'), bin);
    expect(() => loadModel(bad)).toThrow(ModelFormatError);

    writeFileSync(join(bad, 'model.json'), '{"format": "candle-lens-model", "spec": ');
    expect(() => loadModel(bad)).toThrow(/not readable JSON/);
    expect(() => loadModel(join(bad, 'nope'))).toThrow(/model not found/);
  });
});
