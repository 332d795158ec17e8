/**
 * Model figures per tfjs backend present, on the seed's FinancialCNN (the golden model: 5 channels,
 * 60 steps, 32/64/128 filters): forward and forward+Grad-CAM latency at batch 1, forward+Grad-CAM
 * throughput at batch 256, one training step at batch 256; and the bundled model with every forecast
 * head (9 channels, the volatility anchor, VaR per volatility): forward alone and forward+Grad-CAM of
 * the volatility head with the channel attribution (what live scoring computes) at batch 1, against the
 * 1 ms live budget, and its throughput at batch 256.
 * PyTorch 1.13 on this machine (2 threads): Grad-CAM 0.67 ms at batch 1, 17 ms at batch 256,
 * training step 27 ms.
 */
import * as tf from '@tensorflow/tfjs';
import { bundledModelPath } from '../../src-main/engine/engine';
import { explainBatch, predictLogits, predictOutputs } from '../../src-main/explain/explainer';
import { headLayout } from '../../src-main/model/heads';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { loadModel } from '../../src-main/model/model-file';
import { FinancialCnn, TrainableCnn } from '../../src-main/model/network';
import { wasmThreads } from '../../src-main/model/wasm-threads';
import { seededRandom } from '../../src-main/model/random';
import { trainStep } from '../../src-main/training/train';
import { SHARED_GOLDEN } from '../helpers';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { latency, meanTime } from './timing';

const { metadata, weights } = loadModel(join(SHARED_GOLDEN, 'model.json'));
const { spec } = metadata;
const size = spec.sequence_length * spec.input_channels;
const random = seededRandom(1);
const one = Float32Array.from({ length: size }, () => random() * 2 - 1);
const batch = Float32Array.from({ length: 256 * size }, () => random() * 2 - 1);
const labels = Int32Array.from({ length: 256 }, (_, i) => i % 3);
// The bundled model, trained with every head (npm run train:bundled).
const bundledPath = bundledModelPath();
if (bundledPath === undefined) throw new Error('no bundled model in resources/models');
const bundled = loadModel(bundledPath);
const bundledSize = bundled.metadata.spec.sequence_length * bundled.metadata.spec.input_channels;
const bundledOne = Float32Array.from({ length: bundledSize }, () => random() * 2 - 1);
const bundledBatch = Float32Array.from({ length: 256 * bundledSize }, () => random() * 2 - 1);
const bundledHeads = headLayout(bundled.metadata.spec).map((slot) => slot.name);
/** PyTorch's Grad-CAM on this machine, the anchor of the ratios. */
const PYTORCH_GRADCAM_MS = { one: 0.67, batch: 17 };
const LIVE_BUDGET_MS = 1;

/** Whether a batch-1 latency keeps live scoring within its budget. */
function budget(ms: number): string {
  return `${ms <= LIVE_BUDGET_MS ? 'within' : 'OVER'} the ${LIVE_BUDGET_MS} ms live budget`;
}

// wasm twice: on one thread (what live scoring uses) and on every core (training, batches).
const cores = availableParallelism();
const runs = (await availableBackends()).flatMap((backend) =>
  backend === 'wasm' && cores > 1
    ? [
        { backend, threads: 1 },
        { backend, threads: cores },
      ]
    : [{ backend, threads: 1 }],
);
for (const { backend, threads } of runs) {
  await useBackend([backend], { threads });
  const slow = backend === 'cpu';
  const model = new FinancialCnn(spec, weights);
  if (backend === 'wasm') {
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    console.log(`-- wasm (${simd ? 'SIMD' : 'plain'} build, ${wasmThreads()} XNNPACK thread${wasmThreads() === 1 ? '' : 's'})`);
  } else console.log(`-- ${backend}`);
  console.log(`forward, batch 1:            ${latency(slow ? 30 : 1000, () => predictLogits(model, one, 1)).text}`);
  console.log(`forward+Grad-CAM, batch 1:   ${latency(slow ? 30 : 1000, () => explainBatch(model, one, 1, { method: 'gradcam' })).text}`);
  const gradcam256 = meanTime(slow ? 1 : 10, () => explainBatch(model, batch, 256, { method: 'gradcam' }));
  console.log(
    `forward+Grad-CAM, batch 256: ${gradcam256.wall.toFixed(1)} ms, ${((256 / gradcam256.wall) * 1000).toFixed(0)} explained windows/s` +
      ` (CPU ${gradcam256.cpu.toFixed(1)} ms, ${((256 / gradcam256.cpu) * 1000).toFixed(0)} windows per CPU-second)`,
  );
  model.dispose();
  const multiHead = new FinancialCnn(bundled.metadata.spec, bundled.weights);
  const explained = { method: 'gradcam', head: 'volatility', attribution: true } as const;
  const heads = `bundled model (${bundledHeads.join(', ')})`;
  const forwardOne = latency(slow ? 30 : 1000, () => predictOutputs(multiHead, bundledOne, 1));
  console.log(`${heads}, forward, batch 1: ${forwardOne.text} (${budget(forwardOne.p50)})`);
  // Grad-CAM alone first: the attribution (gradient × input back through every block) is most of the recipe's time.
  const camOne = latency(slow ? 30 : 1000, () => explainBatch(multiHead, bundledOne, 1, { ...explained, attribution: false }));
  console.log(
    `${heads}, forward+volatility Grad-CAM, batch 1: ${camOne.text}` +
      ` (${(camOne.p50 / PYTORCH_GRADCAM_MS.one).toFixed(1)}x PyTorch's Grad-CAM ${PYTORCH_GRADCAM_MS.one} ms; ${budget(camOne.p50)})`,
  );
  const explainedOne = latency(slow ? 30 : 1000, () => explainBatch(multiHead, bundledOne, 1, explained));
  console.log(
    `${heads}, forward+volatility Grad-CAM+attribution, batch 1: ${explainedOne.text}` +
      ` (${(explainedOne.p50 / PYTORCH_GRADCAM_MS.one).toFixed(1)}x PyTorch's Grad-CAM ${PYTORCH_GRADCAM_MS.one} ms; ${budget(explainedOne.p50)})`,
  );
  const heads256 = meanTime(slow ? 1 : 10, () => explainBatch(multiHead, bundledBatch, 256, explained));
  console.log(
    `${heads}, forward+volatility Grad-CAM+attribution, batch 256: ${heads256.wall.toFixed(1)} ms, ${((256 / heads256.wall) * 1000).toFixed(0)} explained windows/s` +
      ` (${(heads256.wall / PYTORCH_GRADCAM_MS.batch).toFixed(1)}x PyTorch's Grad-CAM ${PYTORCH_GRADCAM_MS.batch} ms; CPU ${heads256.cpu.toFixed(1)} ms)`,
  );
  multiHead.dispose();
  const net = new TrainableCnn(spec, weights);
  const optimizer = tf.train.adam(1e-3);
  const classWeights = tf.tensor1d([1, 1, 1]);
  const scales = { classWeights, volatility: 1, forwardReturn: 1 };
  const step = meanTime(slow ? 1 : 5, () => trainStep(net, optimizer, { inputs: batch, labels }, scales));
  console.log(
    `training step, batch 256:    ${step.wall.toFixed(1)} ms (${(step.wall / 27).toFixed(1)}x PyTorch's 27 ms; CPU ${step.cpu.toFixed(1)} ms)`,
  );
  tf.dispose([classWeights]);
  optimizer.dispose();
  net.dispose();
}
