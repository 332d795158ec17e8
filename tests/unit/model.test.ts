import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainBatch } from '../../src-main/explain/explainer';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { loadModel, saveModel, MODEL_FORMAT } from '../../src-main/model/model-file';
import { batchNormRelu, conv1d, FinancialCnn } from '../../src-main/model/network';
import { channelsFirstToBatch, checkParity, CAM_TOLERANCE, LOGIT_TOLERANCE, loadGolden } from '../../src-main/parity/parity';
import { ModelFormatError } from '../../src-main/model/spec';
import { wasmThreads } from '../../src-main/model/wasm-threads';
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

  it('differentiates conv1d (its own gradient rule) as tfjs autodiff does on the cpu backend', async () => {
    const x = tf.randomNormal([3, 1, 20, 4], 0, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.randomNormal([1, 5, 4, 6], 0, 1, 'float32', 8) as tf.Tensor4D;
    const bias = tf.randomNormal([6], 0, 1, 'float32', 9) as tf.Tensor1D;
    const probe = tf.randomNormal([3, 1, 20, 6], 0, 1, 'float32', 10);
    const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor1D), probe));
    await useBackend([backend]);
    const ours = tf
      .grads(loss((a, b, c) => conv1d(a, b, c, true)))([x, filter, bias])
      .map((g) => Array.from(g.dataSync()));
    const oursValue = Array.from(conv1d(x, filter, bias, true).dataSync());
    await useBackend(['cpu']);
    const stock = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => tf.relu(tf.add(tf.conv2d(a, b, 1, 'same'), c));
    const reference = tf
      .grads(loss(stock))([x, filter, bias])
      .map((g) => Array.from(g.dataSync()));
    const referenceValue = Array.from(stock(x, filter, bias).dataSync());
    const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));
    expect(worst(oursValue, referenceValue)).toBeLessThan(1e-4);
    reference.forEach((r, i) => expect(worst(ours[i] ?? [], r), `gradient ${i}`).toBeLessThan(1e-3));
  });
  it('differentiates training batch-norm + ReLU (its own gradient rule) as tfjs autodiff does on the cpu backend', async () => {
    const y = tf.randomNormal([4, 10, 6], 0.5, 2, 'float32', 11) as tf.Tensor3D;
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 12) as tf.Tensor1D;
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 13) as tf.Tensor1D;
    const probe = tf.randomNormal([4, 10, 6], 0, 1, 'float32', 14);
    const loss = (norm: (a: tf.Tensor3D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(norm(a as tf.Tensor3D, g as tf.Tensor1D, b as tf.Tensor1D), probe));
    await useBackend([backend]);
    const stats: { mean: number[]; variance: number[] }[] = [];
    const ours = tf
      .grads(
        loss((a, g, b) =>
          batchNormRelu(a, g, b, 1e-5, (s) =>
            stats.push({ mean: Array.from(s.mean.dataSync()), variance: Array.from(s.variance.dataSync()) }),
          ),
        ),
      )([y, gamma, beta])
      .map((g) => Array.from(g.dataSync()));
    await useBackend(['cpu']);
    const stock = (a: tf.Tensor3D, g: tf.Tensor1D, b: tf.Tensor1D) => {
      const { mean, variance } = tf.moments(a, [0, 1]);
      return tf.relu(tf.batchNorm(a, mean, variance, b, g, 1e-5));
    };
    const reference = tf
      .grads(loss(stock))([y, gamma, beta])
      .map((g) => Array.from(g.dataSync()));
    const moments = tf.moments(y, [0, 1]);
    const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));
    expect(worst(stats[0]?.mean ?? [], Array.from(moments.mean.dataSync()))).toBeLessThan(1e-5);
    expect(worst(stats[0]?.variance ?? [], Array.from(moments.variance.dataSync()))).toBeLessThan(1e-4);
    reference.forEach((r, i) => expect(worst(ours[i] ?? [], r), `gradient ${i}`).toBeLessThan(1e-3));
  });
});

describe('wasm on several threads', () => {
  it("starts tfjs-wasm's threaded build with 2 XNNPACK threads, passes golden parity and matches one thread bit for bit", async () => {
    const { model: golden, cases } = loadGolden(SHARED_GOLDEN);
    const inputs = channelsFirstToBatch(cases.inputs, golden.spec);
    golden.dispose();
    const outputs: number[][] = [];
    for (const threads of [2, 1]) {
      expect(await useBackend(['wasm'], { threads })).toBe('wasm');
      expect(wasmThreads()).toBe(threads);
      const { model } = loadGolden(SHARED_GOLDEN);
      if (threads === 2) expect(checkParity(model, cases).pass).toBe(true);
      const explained = explainBatch(model, inputs, cases.inputs.length, { method: 'gradcam', attribution: true });
      outputs.push(explained.flatMap((e) => [...e.logits, ...e.camRaw, ...e.attribution]));
      model.dispose();
    }
    expect(outputs[0]?.length).toBeGreaterThan(0);
    expect(outputs[0]).toEqual(outputs[1]);
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

  it('reads only regular files inside the model folder: a manifest path out of it, an absolute path, a symlink out and a directory are refused', () => {
    const loaded = loadModel(join(SHARED_GOLDEN, 'model.json'));
    const dir = join(tempDir(), 'model');
    saveModel(dir, loaded.metadata, loaded.weights);
    // A file of exactly the right size outside the folder: the old loader took it as the weights.
    const outside = join(dirname(dir), 'outside.bin');
    copyFileSync(join(dir, 'weights.bin'), outside);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const withWeightsAt = (path: string) => {
      (json.weightsManifest[0] as { paths: string[] }).paths = [path];
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    };

    withWeightsAt('../outside.bin');
    expect(() => loadModel(dir)).toThrow(/names "\.\.\/outside\.bin", which is outside its folder/);
    withWeightsAt('../../../../../../../../etc/hostname');
    expect(() => loadModel(dir)).toThrow(/which is outside its folder/);
    withWeightsAt(outside);
    expect(() => loadModel(dir)).toThrow(/absolute path .*a model reads only files inside its folder/);

    symlinkSync(outside, join(dir, 'linked-out.bin'));
    withWeightsAt('linked-out.bin');
    expect(() => loadModel(dir)).toThrow(/linked-out\.bin is a symbolic link out of the model folder/);
    symlinkSync(join(dir, 'gone.bin'), join(dir, 'dangling.bin'));
    withWeightsAt('dangling.bin');
    expect(() => loadModel(dir)).toThrow(/file missing: .*dangling\.bin/);
    mkdirSync(join(dir, 'folder.bin'));
    withWeightsAt('folder.bin');
    expect(() => loadModel(dir)).toThrow(/folder\.bin is a directory, not a regular file/);

    // A symlink that stays inside the folder, and a subfolder, are fine.
    symlinkSync(join(dir, 'weights.bin'), join(dir, 'linked-in.bin'));
    withWeightsAt('linked-in.bin');
    expect(loadModel(dir).weightsHash).toBe(loaded.weightsHash);
    mkdirSync(join(dir, 'sub'));
    copyFileSync(join(dir, 'weights.bin'), join(dir, 'sub', 'weights.bin'));
    withWeightsAt('sub/weights.bin');
    expect(loadModel(dir).weightsHash).toBe(loaded.weightsHash);
  });
});
