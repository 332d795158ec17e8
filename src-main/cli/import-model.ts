/**
 * `import-model`: a PyTorch-trained model (state dict in the golden format, any kind) with its
 * encoding spec, checked against each other and with one window run through it, saved as a model
 * folder and registered in the store (../signals/model-import); on any error nothing is written or registered.
 */
import { readFileSync } from 'node:fs';
import { MODEL_NAME_PATTERN } from '../../src-shared/domain/model';
import { join, resolve } from 'node:path';
import { checkOneWindow } from '../explain/explainer';
import { createNetwork } from '../model/kinds';
import { loadModel } from '../model/model-file';
import { ModelFormatError } from '../model/spec';
import { defaultStorePath, userDataDir } from '../paths';
import { openDatabase } from '../store/database';
import { ModelRegistry } from '../store/models';
import { importModelFiles } from '../signals/model-import';
import { parse, UsageError } from './args';
import { startBackend } from './model-args';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelFormatError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
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
  if (!MODEL_NAME_PATTERN.test(name)) throw new UsageError(`--name takes letters, digits, '.', '_' and '-' (at most 60), got "${name}"`);
  const files = {
    model: { text: readText(values.pytorch, 'PyTorch model'), source: resolve(values.pytorch) },
    encoding: readText(values.spec, 'encoding spec'),
    name,
  };
  await startBackend(values.backend);
  const db = openDatabase(values.db ?? defaultStorePath());
  try {
    const imported = await importModelFiles(files, {
      modelsDir: values.out ?? join(userDataDir(), 'models'),
      registry: new ModelRegistry(db),
      check: async (dir) => {
        const { metadata, weights } = loadModel(dir);
        const model = createNetwork(metadata.spec, weights);
        try {
          checkOneWindow(model);
        } finally {
          model.dispose();
        }
      },
      now: Date.now(),
    });
    console.log(
      JSON.stringify({ version: imported.version, dir: imported.dir, kind: imported.architecture, interval: imported.interval }, null, 1),
    );
  } finally {
    db.close();
  }
}
