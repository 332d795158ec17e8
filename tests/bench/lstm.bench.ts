/**
 * The LSTM (src-main/model/lstm) per tfjs backend present (wasm on one thread, as live scores): forward
 * and forward + gradient × input per step (its explanation) at batch 1, and both at batch 256; on the
 * golden model (T=30, 2 features, H=16) and on seeded weights of a cnn-lstm's closes branch (T=60, 1
 * feature, H=32).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableBackends, useBackend, type BackendName } from '../../src-main/model/backend';
import { expectedLstmWeights, Lstm, parsePytorchLstm, type LstmSpec } from '../../src-main/model/lstm';
import { seededRandom } from '../../src-main/model/random';
import type { StateDict } from '../../src-main/model/spec';
import { SHARED_GOLDEN } from '../helpers';
import { latency, meanTime } from './timing';

const golden = parsePytorchLstm(JSON.parse(readFileSync(join(resolve(SHARED_GOLDEN, '..', 'lstm'), 'model.json'), 'utf8')));

function seeded(spec: LstmSpec): { spec: LstmSpec; weights: StateDict } {
  const random = seededRandom(1);
  const bound = 1 / Math.sqrt(spec.hidden);
  const weights: StateDict = new Map(
    expectedLstmWeights(spec).map(({ name, shape }) => [
      name,
      { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() * 2 - 1) * bound) },
    ]),
  );
  return { spec, weights };
}

const models = [golden, seeded({ sequence_length: 60, input_features: 1, hidden: 32, num_classes: 3 })];
// BENCH_BACKENDS=wasm limits the run.
const backends = process.env.BENCH_BACKENDS?.split(',') ?? (await availableBackends());
for (const backend of backends) {
  await useBackend([backend as BackendName], { threads: 1 });
  const slow = backend === 'cpu';
  console.log(`-- ${backend}${backend === 'wasm' ? ' (1 thread)' : ''}`);
  for (const { spec, weights } of models) {
    const model = new Lstm(spec, weights);
    const size = spec.sequence_length * spec.input_features;
    const random = seededRandom(2);
    const one = Float32Array.from({ length: size }, () => random() * 2 - 1);
    const batch = Float32Array.from({ length: 256 * size }, () => random() * 2 - 1);
    const name = `LSTM T=${spec.sequence_length} F=${spec.input_features} H=${spec.hidden}`;
    console.log(`${name}, forward, batch 1: ${latency(slow ? 50 : 300, () => model.predictLogits(one, 1)).text}`);
    console.log(
      `${name}, forward + gradient × input, batch 1: ${latency(slow ? 50 : 300, () => model.gradientTimesInput(one, 1, 0)).text}`,
    );
    for (const [what, f] of [
      ['forward', () => model.predictLogits(batch, 256)],
      ['forward + gradient × input', () => model.gradientTimesInput(batch, 256, 0)],
    ] as const) {
      const t = meanTime(slow ? 3 : 10, f);
      console.log(
        `${name}, ${what}, batch 256: ${t.wall.toFixed(2)} ms, ${((256 / t.wall) * 1000).toFixed(0)} windows/s (CPU ${t.cpu.toFixed(2)} ms)`,
      );
    }
    model.dispose();
  }
}
