/** Training a small model twice, for the tests of each model kind: the same job must give the same version. */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { z } from 'zod';
import type { Candle } from '../src-shared/domain/market';
import { loadModel, type LoadedModel } from '../src-main/model/model-file';
import { TrainJobSchema } from '../src-main/training/job';
import { trainAndSave } from '../src-main/training/pipeline';
import { tempDir } from './helpers';

/** Trains `job` into two fresh folders, checks both saved the same version, and gives the first, loaded. */
export async function trainedTwiceAlike(
  job: Omit<z.input<typeof TrainJobSchema>, 'modelsDir'>,
  candles: readonly Candle[],
): Promise<LoadedModel & { dir: string }> {
  const dir = tempDir();
  const first = await trainAndSave(TrainJobSchema.parse({ ...job, modelsDir: join(dir, 'a') }), candles);
  const second = await trainAndSave(TrainJobSchema.parse({ ...job, modelsDir: join(dir, 'b') }), candles);
  expect(second.metadata.version).toBe(first.metadata.version);
  return { ...loadModel(first.dir), dir: first.dir };
}
