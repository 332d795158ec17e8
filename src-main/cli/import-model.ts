/**
 * `import-model`: a PyTorch-trained model (state dict in the golden format, any kind) with its
 * encoding spec, checked against each other and with one window run through it, saved as a model
 * folder and registered in the store; on any error nothing is written or registered.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { predictOutputs } from '../explain/explainer';
import { createNetwork } from '../model/kinds';
import { importedModel } from '../model/kinds/import';
import { saveModel } from '../model/model-file';
import { ModelFormatError } from '../model/spec';
import { defaultStorePath, userDataDir } from '../paths';
import { openDatabase } from '../store/database';
import { ModelRegistry } from '../store/models';
import { parse, UsageError } from './args';
import { startBackend } from './model-args';

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelFormatError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // Python's json writes non-finite floats as these bare words, which JSON does not have.
    const nonFinite = /(?<![\w"])(-?Infinity|NaN)(?![\w"])/.exec(text);
    if (nonFinite !== null)
      throw new ModelFormatError(`the ${what} ${path} holds ${nonFinite[1]}: a model with non-finite weights cannot be used`);
    throw new ModelFormatError(`the ${what} ${path} is not JSON: ${(err as Error).message}`);
  }
}

export async function commandImportModel(args: string[]): Promise<void> {
  const { values } = parse(args, {
    pytorch: { type: 'string' },
    spec: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.pytorch === undefined || values.spec === undefined)
    throw new UsageError('import-model needs --pytorch MODEL.json (a state dict in the golden format) and --spec ENCODING.json');
  const name = values.name ?? 'pytorch';
  if (!/^[\w.-]{1,60}$/.test(name)) throw new UsageError(`--name takes letters, digits, '.', '_' and '-' (at most 60), got "${name}"`);
  const { metadata, weights } = importedModel(readJson(values.pytorch, 'PyTorch model'), readJson(values.spec, 'encoding spec'), {
    name,
    source: resolve(values.pytorch),
    now: Date.now(),
  });
  // One window of zeros through the network: weights that overflow float32 are refused now, not live.
  await startBackend(values.backend);
  const model = createNetwork(metadata.spec, weights);
  try {
    predictOutputs(model, new Float32Array(model.positions * metadata.spec.input_channels), 1);
  } finally {
    model.dispose();
  }
  const dir = join(values.out ?? join(userDataDir(), 'models'), metadata.version);
  const db = openDatabase(values.db ?? defaultStorePath());
  try {
    saveModel(dir, metadata, weights);
    new ModelRegistry(db).register(dir, metadata);
  } finally {
    db.close();
  }
  console.log(
    JSON.stringify({ version: metadata.version, dir, kind: metadata.architecture, interval: metadata.dataRange?.interval }, null, 1),
  );
}
