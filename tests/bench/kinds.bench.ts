/**
 * Figures per model kind (src-main/model/kinds), each on its golden model (the image-cnn and the
 * cnn-lstm, which have none, on seeded weights of their default shape: 20 candles, blocks 16:3,32:3,
 * the LSTM 32 hidden units), per tfjs backend present
 * (wasm on one thread, as live scores): the live recipe on a window of candles (encoding,
 * forward, Grad-CAM decoded onto the candles, attribution) at batch 1, which must stay under 5 ms for
 * the image kinds; forward+Grad-CAM of encoded inputs at batch 1 and 256; one training step at
 * batch 256. Then the whole recipe a confirmed candle runs live, every forecast head explained
 * besides the direction call and the deletion test (an image kind's in candle space), on a model of
 * each kind with every head: the bundled FinancialCNN, the image kinds on seeded weights.
 * Each batch-1 figure is also given against an anchor timed just before it on the same backend (one
 * 256 × 256 by 256 × 256 matMul, about the multiply-adds of the image-cnn's second block): the cores
 * are shared, so the ratio is steadier than the milliseconds.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_FEATURE_SPEC, FEATURE_CHANNELS } from '../../src-shared/domain/feature-spec';
import { bundledModelPath } from '../../src-main/engine/engine';
import { explainBatch } from '../../src-main/explain/explainer';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { availableBackends, useBackend, type BackendName } from '../../src-main/model/backend';
import { createNetwork, createTrainable, MODEL_KIND_TABLE, modelKind, positionsAreCandles } from '../../src-main/model/kinds';
import { SMALL_IMAGE_CONVS } from '../../src-main/model/kinds/image-geometry';
import { initialWeights } from '../../src-main/model/network';
import type { ModelPipeline } from '../../src-main/model/kinds/kind';
import { loadModel } from '../../src-main/model/model-file';
import { parsePytorchModel } from '../../src-main/model/spec';
import { seededRandom } from '../../src-main/model/random';
import { explainWindow } from '../../src-main/scoring/explained-window';
import { trainStep } from '../../src-main/training/train';
import { SHARED_DATA, SHARED_GAF_GOLDEN, SHARED_GOLDEN } from '../helpers';
import { latency, meanTime } from './timing';

const LIVE_TARGET_MS = 5;

const candles = parseCandleCsv(readFileSync(join(SHARED_DATA, 'bybit_BTCUSDT_1m.csv'), 'utf8').split('\n').slice(0, 400).join('\n'), '1');

function golden(dir: string): { pipeline: ModelPipeline; weights: ReturnType<typeof parsePytorchModel>['weights'] } {
  const { spec, weights } = parsePytorchModel(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  // The FinancialCNN golden reads 5 channels: the first five feature channels, unit normalization.
  const features = {
    ...DEFAULT_FEATURE_SPEC,
    channels: FEATURE_CHANNELS.slice(0, spec.input_channels),
    windowLength: spec.sequence_length,
  };
  const oneD = modelKind(spec).name === 'financial-cnn';
  const normalization = { mean: new Array<number>(spec.input_channels).fill(0), std: new Array<number>(spec.input_channels).fill(1) };
  return { pipeline: { spec, features: oneD ? features : null, normalization: oneD ? normalization : null }, weights };
}

/** Seeded weights of a kind's default shape (20 candles, blocks 16:3,32:3; the cnn-lstm's LSTM 32 hidden units). */
function seededModel(kind: 'image-cnn' | 'cnn-lstm'): ReturnType<typeof golden> {
  const { spec } = MODEL_KIND_TABLE[kind].trainingPipeline(
    { sequence_length: 20, num_classes: 3, convs: SMALL_IMAGE_CONVS, batchnorm_eps: 1e-5 },
    { features: DEFAULT_FEATURE_SPEC },
  );
  return { pipeline: { spec, features: null, normalization: null }, weights: initialWeights(spec, 1) };
}

/** The bundled model (every head), and each image kind at its default shape with the same heads on seeded weights. */
function everyHeadModels(): ReturnType<typeof golden>[] {
  const path = bundledModelPath();
  if (path === undefined) throw new Error('no bundled model in resources/models');
  const bundled = loadModel(path);
  // Most image kinds read no return channel, so their volatility head has no anchor (a cnn-lstm's kind gives its own).
  const heads = { ...bundled.metadata.spec.heads, volatility: { loss_weight: 1, loss: 'qlike' as const } };
  const images = (['gaf-cnn', 'image-cnn', 'cnn-lstm'] as const).map((name) => {
    const { trainingDefaults } = MODEL_KIND_TABLE[name];
    const { spec } = MODEL_KIND_TABLE[name].trainingPipeline(
      { sequence_length: trainingDefaults.windowLength, num_classes: 3, convs: trainingDefaults.convs, batchnorm_eps: 1e-5, heads },
      { features: DEFAULT_FEATURE_SPEC },
    );
    return { pipeline: { spec, features: null, normalization: null }, weights: initialWeights(spec, 1) };
  });
  return [{ pipeline: { ...bundled.metadata }, weights: bundled.weights }, ...images];
}

/** One 256 × 256 by 256 × 256 matMul on the backend: the anchor of the batch-1 ratios. */
function anchorLatency(runs: number): number {
  const a = tf.randomUniform([256, 256], -1, 1, 'float32', 1);
  const b = tf.randomUniform([256, 256], -1, 1, 'float32', 2);
  try {
    return latency(runs, () => tf.tidy(() => tf.matMul(a, b)).dispose()).p50;
  } finally {
    tf.dispose([a, b]);
  }
}

/** A batch-1 latency line with its ratio to an anchor timed just before it. */
function againstAnchor(runs: number, f: () => void): string {
  const anchor = anchorLatency(runs);
  const { text, p50 } = latency(runs, f);
  return `${text}, ${(p50 / anchor).toFixed(1)}× the anchor (${anchor.toFixed(3)} ms)`;
}

// BENCH_BACKENDS=wasm limits the run (the cpu backend takes minutes per kind).
const backends = process.env.BENCH_BACKENDS?.split(',') ?? (await availableBackends());
for (const backend of backends) {
  await useBackend([backend as BackendName], { threads: 1 });
  const slow = backend === 'cpu';
  console.log(`-- ${backend}${backend === 'wasm' ? ' (1 thread)' : ''}`);
  for (const { pipeline, weights } of [
    golden(SHARED_GOLDEN),
    golden(SHARED_GAF_GOLDEN),
    seededModel('image-cnn'),
    seededModel('cnn-lstm'),
  ]) {
    const { spec } = pipeline;
    const kind = modelKind(spec);
    const window = kind.window(pipeline);
    const history = candles.slice(300 - window.historyLength, 300);
    const model = createNetwork(spec, weights);
    const size = model.positions * spec.input_channels;
    const random = seededRandom(1);
    const one = kind.encode(pipeline, history, 60_000);
    const batch = Float32Array.from({ length: 256 * size }, (_, i) => (one[i % size] ?? 0) + (random() - 0.5) * 0.01);
    const name = `${kind.name} (T=${spec.sequence_length}, ${spec.convs.map((c) => `${c.filters}:${c.kernel_size}`).join(',')})`;
    console.log(
      `${name}, live recipe (encode + forward + Grad-CAM + attribution), batch 1: ${againstAnchor(slow ? 20 : 300, () =>
        explainWindow({ model, ...pipeline }, { history, stepMs: 60_000, method: 'gradcam' }),
      )}`,
    );
    console.log(
      `${name}, forward+Grad-CAM, batch 1: ${againstAnchor(slow ? 20 : 300, () => explainBatch(model, one, 1, { method: 'gradcam' }))} (target < ${LIVE_TARGET_MS} ms for the image kinds)`,
    );
    const { wall: wide } = meanTime(slow ? 1 : 5, () => explainBatch(model, batch, 256, { method: 'gradcam' }));
    console.log(`${name}, forward+Grad-CAM, batch 256: ${wide.toFixed(1)} ms, ${((256 / wide) * 1000).toFixed(0)} explained windows/s`);
    model.dispose();
    const net = createTrainable(spec, weights);
    const optimizer = tf.train.adam(1e-3);
    const classWeights = tf.tensor1d([1, 1, 1]);
    const labels = Int32Array.from({ length: 256 }, (_, i) => i % 3);
    const { wall: step } = meanTime(slow ? 1 : 3, () =>
      trainStep(net, optimizer, { inputs: batch, labels }, { classWeights, volatility: 1, forwardReturn: 1 }),
    );
    console.log(`${name}, training step, batch 256: ${step.toFixed(1)} ms`);
    tf.dispose([classWeights]);
    optimizer.dispose();
    net.dispose();
  }
  for (const { pipeline, weights } of everyHeadModels()) {
    const { spec } = pipeline;
    const kind = modelKind(spec);
    const history = candles.slice(300 - kind.window(pipeline).historyLength, 300);
    const model = createNetwork(spec, weights);
    const name = `${kind.name} (T=${spec.sequence_length}, ${spec.convs.map((c) => `${c.filters}:${c.kernel_size}`).join(',')}, every head)`;
    const request = { history, stepMs: 60_000, method: 'gradcam' as const, explainForecasts: true };
    const tensors = tf.memory().numTensors;
    console.log(
      `${name}, live recipe per confirmed candle (direction + every forecast head explained + deletion test${positionsAreCandles(spec) ? '' : ' in candle space'}), batch 1: ${againstAnchor(
        slow ? 20 : 300,
        () => explainWindow({ model, ...pipeline }, request),
      )}; tensors left: ${tf.memory().numTensors - tensors}`,
    );
    model.dispose();
  }
}
