import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAM_WEIGHTINGS, gradientCams, normalizeCam, scoreCamMasks, weightedCam, type GradientWeights } from '../../src-main/explain/cam';
import { explainBatch } from '../../src-main/explain/explainer';
import { topIndices } from '../../src-shared/domain/attention';
import { blankSteps, deletionFaithfulness, randomIndices } from '../../src-main/explain/faithfulness';
import { CAM_METHODS } from '../../src-shared/domain/signal';
import { useBackend } from '../../src-main/model/backend';
import type { FinancialCnn } from '../../src-main/model/network';
import { seededRandom } from '../../src-main/model/random';
import { channelsFirstToBatch, loadGolden } from '../../src-main/parity/parity';
import { SHARED_GOLDEN } from '../helpers';

describe('CAM arithmetic', () => {
  // T = 2 steps, K = 2 maps, time-major.
  const maps = { T: 2, K: 2, A: [1, 2, 3, 4], g: [1, -1, 3, 1] };
  const camOf = ({ weights }: { weights: GradientWeights }, g = maps.g) =>
    tf
      .tidy(() => {
        const A = tf.tensor3d(maps.A, [1, 2, 2]);
        return gradientCams(A, weights(A, tf.tensor3d(g, [1, 2, 2])));
      })
      .arraySync()[0] ?? [];

  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
  });

  it('Grad-CAM weighs each map by its mean gradient, then ReLU', () => {
    // α = [2, 0]: cam = ReLU(2·A[:,0]) = [2, 6]
    expect(camOf(CAM_WEIGHTINGS.gradcam)).toEqual([2, 6]);
    expect(camOf(CAM_WEIGHTINGS.gradcam, [-1, 0, -1, 0])).toEqual([0, 0]);
  });

  it('LayerCAM weighs each position by its positive gradient', () => {
    expect(camOf(CAM_WEIGHTINGS.layercam)).toEqual([1, 13]);
  });

  it('Grad-CAM++ follows the golden definition', () => {
    const sumA = [4, 6];
    const a = (g: number, s: number) => (g === 0 ? 0 : g ** 2 / (2 * g ** 2 + s * g ** 3 + 1e-7));
    const w0 = a(1, sumA[0] as number) * 1 + a(3, sumA[0] as number) * 3;
    const w1 = a(-1, sumA[1] as number) * 0 + a(1, sumA[1] as number) * 1;
    const cam = camOf(CAM_WEIGHTINGS.gradcampp);
    expect(cam[0]).toBeCloseTo(w0 * 1 + w1 * 2, 5);
    expect(cam[1]).toBeCloseTo(w0 * 3 + w1 * 4, 5);
    // A zero gradient gives a zero weight, not 0/0.
    expect(camOf(CAM_WEIGHTINGS.gradcampp, [0, 0, 0, 0])).toEqual([0, 0]);
  });

  it('Score-CAM weighs each map by its masked score, then ReLU', () => {
    // w = [0.5, 0.25]: cam_t = ReLU(0.5·A[t,0] + 0.25·A[t,1]) = [1, 2.5]
    const scores = Float32Array.from([0.5, 0.25]);
    expect(Array.from(weightedCam(maps, CAM_WEIGHTINGS.scorecam.weights(scores)))).toEqual([1, 2.5]);
    expect(Array.from(weightedCam(maps, CAM_WEIGHTINGS.scorecam.weights(Float32Array.from([-1, 0]))))).toEqual([0, 0]);
  });

  it('normalizes to 0..1 and keeps an all-zero map all zero', () => {
    expect(normalizeCam([0, 0, 0])).toEqual([0, 0, 0]);
    const n = normalizeCam([1, 3, 2]);
    expect(n[0]).toBe(0);
    expect(n[1]).toBeCloseTo(1, 6);
    expect(scoreCamMasks(maps).map((m) => Array.from(m))).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('picks top and random candles for the deletion test', () => {
    expect(topIndices([0.1, 0.9, 0.5, 0.9], 2)).toEqual([1, 3]);
    const drawn = randomIndices(10, 4, seededRandom(3));
    expect(new Set(drawn).size).toBe(4);
    expect(drawn).toEqual(randomIndices(10, 4, seededRandom(3)));
    expect(Array.from(blankSteps(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, [1]))).toEqual([1, 2, 0, 0, 5, 6]);
  });
});

describe('explanations of the golden model', () => {
  let model: FinancialCnn;
  let inputs: Float32Array;
  beforeAll(async () => {
    await useBackend(['wasm', 'cpu']);
    const golden = loadGolden(SHARED_GOLDEN);
    model = golden.model;
    inputs = channelsFirstToBatch(golden.cases.inputs, golden.spec);
  });

  it.each(CAM_METHODS)('%s gives one 0..1 value per candle for any layer and class', (method) => {
    for (const layer of [0, 1, 2]) {
      const [e] = explainBatch(model, inputs.subarray(0, 300), 1, { method, layer, target: 2 });
      expect(e?.target).toBe(2);
      expect(e?.cam.length).toBe(60);
      expect(e?.cam.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Math.max(...(e?.cam ?? []))).toBeGreaterThan(0.99);
    }
  });

  it('explains the predicted class by default and attributes the call to input channels', () => {
    const explained = explainBatch(model, inputs, 8, { method: 'gradcam', attribution: true });
    for (const e of explained) {
      expect(e.target).toBe(e.predicted);
      expect(e.attribution.length).toBe(5);
      expect(e.attribution.every(Number.isFinite)).toBe(true);
      // Per candle it is the same gradient × input, before the sum over time.
      expect(e.attributionByStep.length).toBe(model.spec.sequence_length);
      e.attribution.forEach((total, channel) =>
        expect(e.attributionByStep.reduce((sum, step) => sum + (step[channel] ?? NaN), 0)).toBeCloseTo(total, 4),
      );
      expect(e.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    expect(() => explainBatch(model, inputs, 8, { method: 'gradcam', layer: 3 })).toThrow(/layer must be 0..2/);
    expect(() => explainBatch(model, inputs, 8, { method: 'gradcam', target: 5 })).toThrow(/target class/);
  });

  it.each(CAM_METHODS)('%s explains a window the same, bit for bit, alone (live) and inside a batch (backtest)', (method) => {
    const batched = explainBatch(model, inputs, 8, { method, attribution: true });
    for (const i of [0, 5, 7]) {
      const [alone] = explainBatch(model, inputs.subarray(i * 300, (i + 1) * 300), 1, { method, attribution: true });
      expect(alone).toEqual(batched[i]);
    }
  });

  it('reports the deletion-test figures, reproducibly', () => {
    const cams = explainBatch(model, inputs, 8, { method: 'gradcam' }).map((e) => e.cam);
    const first = deletionFaithfulness(model, inputs, cams);
    expect(first.windows).toBe(8);
    expect(Number.isFinite(first.topDrop) && Number.isFinite(first.randomDrop)).toBe(true);
    expect(deletionFaithfulness(model, inputs, cams)).toEqual(first);
  });
});
