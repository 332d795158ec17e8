/**
 * The cost of the full trust report (src-main/explain/trust) on 512 windows, per method: the maps,
 * the perturbation test (20 scored copies of each window: ROAD's MoRF and LeRF at 10-90 %, the
 * window itself, fully imputed) and the cascading randomization (one more set of maps per stage),
 * on the bundled model (direction head; 60 steps, 9 channels, 32/64/128 filters), wasm backend.
 * Measured 2026-12-03 on 2 cores shared with several other jobs (load about 20, so read them as upper
 * bounds): Grad-CAM 16.5 s, Grad-CAM++ 18.8 s, Score-CAM 651 s (128 masked passes per window, for
 * the maps and again at each of the 4 randomization stages), LayerCAM 29.8 s, gradient × input 23.6 s.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TRUST_METHODS } from '../../src-shared/domain/trust-report';
import { trustReport } from '../../src-main/explain/trust';
import { useBackend } from '../../src-main/model/backend';
import { loadModel } from '../../src-main/model/model-file';
import { seededRandom } from '../../src-main/model/random';

const WINDOWS = 512;
const modelsDir = join(import.meta.dirname, '../../resources/models');
const folder = readdirSync(modelsDir)[0];
if (folder === undefined) throw new Error(`no bundled model in ${modelsDir}`);
const { metadata, weights } = loadModel(join(modelsDir, folder));
const { spec } = metadata;
const size = spec.sequence_length * spec.input_channels;
const random = seededRandom(1);
// Normalized inputs have unit spread; uniform noise of that spread is enough to time the passes.
const inputs = Float32Array.from({ length: WINDOWS * size }, () => (random() * 2 - 1) * 1.7);

const backend = await useBackend(['wasm', 'cpu']);
console.log(`backend ${backend}; ${WINDOWS} windows; model ${metadata.version}`);
for (const method of TRUST_METHODS) {
  const started = performance.now();
  const report = trustReport({ spec, weights }, inputs, WINDOWS, { methods: [method], heads: ['direction'] });
  const seconds = (performance.now() - started) / 1000;
  const row = report.rows[0];
  console.log(
    `${method.padEnd(10)} ${seconds.toFixed(1).padStart(7)} s  (ROAD combined ${row?.roadCombined.toFixed(4)}, randomized-all ρ ${row?.randomization.at(-1)?.spearman.toFixed(3)})`,
  );
}
