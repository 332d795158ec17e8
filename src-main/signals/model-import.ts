/**
 * A PyTorch-trained model made usable here: its state dict and encoding spec (the texts of their
 * files) checked against each other (../model/kinds/import), saved as a model folder, run once on a
 * window of zeros by whoever owns a tfjs backend (the model worker in the engine, the CLI's own),
 * then registered. On any error the folder is removed and nothing is registered. `import-model` and
 * the bridge's `models.import` both go through here.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_NAME_PATTERN } from '../../src-shared/domain/model';
import { importedModel, parseModelJson } from '../model/kinds/import';
import { saveModel } from '../model/model-file';
import type { ModelRegistry } from '../store/models';

export interface ModelImportFiles {
  /** The text of the PyTorch model file (golden format) and where it came from (a path or a file name). */
  model: { text: string; source: string };
  /** The text of the encoding spec file. */
  encoding: string;
  name: string;
}

export interface ModelImportDeps {
  modelsDir: string;
  registry: ModelRegistry;
  /** Builds the saved folder's network and runs one window through it; throws when that fails or is not finite. */
  check: (dir: string) => Promise<void>;
  now: number;
}

/** Imports and registers a model; its version, folder and architecture. Nothing is registered when anything fails. */
export async function importModelFiles(
  files: ModelImportFiles,
  { modelsDir, registry, check, now }: ModelImportDeps,
): Promise<{ version: string; dir: string; architecture: string; interval: string | undefined }> {
  if (!MODEL_NAME_PATTERN.test(files.name))
    throw new Error(`a model name takes letters, digits, '.', '_' and '-' (at most 60), got "${files.name}"`);
  const { metadata, weights } = importedModel(
    parseModelJson(files.model.text, 'PyTorch model'),
    parseModelJson(files.encoding, 'encoding spec'),
    {
      name: files.name,
      source: files.model.source,
      now,
    },
  );
  const dir = join(modelsDir, metadata.version);
  const registered = registry.get(metadata.version);
  if (registered !== undefined)
    throw new Error(`model ${metadata.version} (these very weights) is registered already, at ${registered.path}`);
  saveModel(dir, metadata, weights);
  try {
    await check(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  registry.register(dir, metadata);
  return { version: metadata.version, dir, architecture: metadata.architecture, interval: metadata.dataRange?.interval };
}
