/**
 * The live recipe's batching: every forecast head explained in the same pass as the direction call
 * gives each head the explanation it gets alone, bit for bit, for every model kind and CAM method;
 * an explanation's outputs are those of the plain forward pass at any explained layer; nothing is
 * left on the tfjs backend.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../src-main/engine/engine';
import { explainBatch, explainTargets, predictOutputs } from '../../src-main/explain/explainer';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { createNetwork, MODEL_KIND_TABLE, modelKind } from '../../src-main/model/kinds';
import { SMALL_IMAGE_CONVS } from '../../src-main/model/kinds/image-geometry';
import type { ModelPipeline } from '../../src-main/model/kinds/kind';
import { loadModel } from '../../src-main/model/model-file';
import { initialWeights, type FinancialCnn } from '../../src-main/model/network';
import type { StateDict } from '../../src-main/model/spec';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { DEFAULT_FEATURE_SPEC } from '../../src-shared/domain/feature-spec';
import type { Candle } from '../../src-shared/domain/market';
import { CAM_METHODS } from '../../src-shared/domain/signal';
import { SHARED_DATA } from '../helpers';

const STEP_MS = 60_000;
let candles: Candle[];
const models: { name: string; pipeline: ModelPipeline; weights: StateDict }[] = [];

beforeAll(async () => {
  await useBackend(['wasm', 'cpu']);
  candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_BTCUSDT_1m.csv'), 'utf8').split('\n').slice(0, 400).join('\n'), '1');
  // The bundled model has every head (the volatility one anchored on the window's returns); the
  // image kinds get the same heads on seeded weights.
  const path = bundledModelPath();
  if (path === undefined) throw new Error('no bundled model in resources/models');
  const { metadata, weights } = loadModel(path);
  models.push({ name: 'financial-cnn', pipeline: { ...metadata }, weights });
  const volatility = { loss_weight: 1, loss: 'qlike' as const };
  const heads = { ...metadata.spec.heads, volatility };
  for (const [name, T] of [
    ['gaf-cnn', 32],
    ['image-cnn', 20],
    ['cnn-lstm', 20],
  ] as const) {
    const { spec } = MODEL_KIND_TABLE[name].trainingPipeline(
      { sequence_length: T, num_classes: 3, convs: SMALL_IMAGE_CONVS, batchnorm_eps: 1e-5, heads },
      { features: DEFAULT_FEATURE_SPEC },
    );
    models.push({ name, pipeline: { spec, features: null, normalization: null }, weights: initialWeights(spec, 7) });
  }
});

function historyOf(pipeline: ModelPipeline, end: number): Candle[] {
  return candles.slice(end - modelKind(pipeline.spec).window(pipeline).historyLength, end);
}

function withNetwork<T>({ pipeline, weights }: (typeof models)[number], use: (model: FinancialCnn) => T): T {
  const model = createNetwork(pipeline.spec, weights);
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

describe('the live recipe explains every head in one pass', () => {
  it.each(['financial-cnn', 'gaf-cnn', 'image-cnn', 'cnn-lstm'])(
    '%s: each forecast head explained beside the direction call is that head explained alone, bit for bit',
    (name) => {
      const entry = models.find((m) => m.name === name) as (typeof models)[number];
      withNetwork(entry, (model) => {
        for (const method of CAM_METHODS)
          for (const end of [250, 333]) {
            const request = { history: historyOf(entry.pipeline, end), stepMs: STEP_MS, method };
            const live = explainWindow({ model, ...entry.pipeline }, { ...request, explainForecasts: true });
            expect(live.forecastExplanations?.map((f) => f.head)).toEqual(['volatility', 'var', 'sharp']);
            for (const f of live.forecastExplanations ?? []) {
              const alone = explainWindow({ model, ...entry.pipeline }, { ...request, head: f.head, target: 0 });
              expect({ head: f.head, target: f.target, cam: f.cam, attribution: f.attribution }).toEqual({
                head: alone.head,
                target: alone.target,
                cam: alone.cam,
                attribution: alone.attribution,
              });
              expect(alone.forecasts).toEqual(live.forecasts);
            }
            // The direction call itself is the one made without the forecast heads.
            expect({ ...live, forecastExplanations: undefined }).toEqual(explainWindow({ model, ...entry.pipeline }, request));
          }
      });
    },
  );

  it('gives each row of a batch of targets its own head and output, as explainBatch gives it', () => {
    const entry = models.find((m) => m.name === 'financial-cnn') as (typeof models)[number];
    withNetwork(entry, (model) => {
      const window = modelKind(entry.pipeline.spec).encode(entry.pipeline, historyOf(entry.pipeline, 300), STEP_MS);
      const targets = [{ target: 2 }, { head: 'var' as const, target: 1 }, {}, { head: 'sharp' as const }];
      for (const method of CAM_METHODS) {
        const rows = explainTargets(model, window, targets, { method, layer: 1, attribution: true });
        expect(rows.map((e) => [e.head, e.target])).toEqual([
          ['direction', 2],
          ['var', 1],
          ['direction', rows[2]?.predicted],
          ['sharp', 0],
        ]);
        targets.forEach((target, i) =>
          expect(rows[i]).toEqual(explainBatch(model, window, 1, { method, layer: 1, attribution: true, ...target })[0]),
        );
      }
    });
  });

  it('reads the outputs of the plain forward pass at every explained layer, with or without the attribution', () => {
    for (const entry of models)
      withNetwork(entry, (model) => {
        const window = modelKind(entry.pipeline.spec).encode(entry.pipeline, historyOf(entry.pipeline, 300), STEP_MS);
        const outputs = Array.from(predictOutputs(model, window, 1));
        for (let layer = 0; layer < model.layerCount; layer++)
          for (const attribution of [false, true]) {
            const [e] = explainBatch(model, window, 1, { method: 'gradcam', layer, attribution });
            expect(e?.outputs).toEqual(outputs);
          }
      });
  });

  it('leaves no tensor behind', () => {
    for (const entry of models)
      withNetwork(entry, (model) => {
        const request = { history: historyOf(entry.pipeline, 300), stepMs: STEP_MS, explainForecasts: true };
        explainWindow({ model, ...entry.pipeline }, { ...request, method: 'gradcam' });
        const before = tf.memory().numTensors;
        for (const method of CAM_METHODS) explainWindow({ model, ...entry.pipeline }, { ...request, method });
        expect(tf.memory().numTensors).toBe(before);
      });
  });
});
