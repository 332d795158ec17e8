/**
 * `train-kinds --csv FILE --out DIR [train's options] [--with MODEL,…]`: trains one model of every
 * kind in the kind table (../model/kinds), seeded and with the same options, then compares them
 * (./compare), with the models of `--with` (the bundled 1-D model) first, on the overlap of their
 * test periods. Writes DIR/comparison.json and prints the table: `npm run train:kinds`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intervalMs } from '../../src-shared/domain/intervals';
import { MODEL_KIND_TABLE } from '../model/kinds';
import { comparisonTable } from '../evaluation/kind-comparison';
import { loadModel } from '../model/model-file';
import { UsageError } from './args';
import { compareOnCandles } from './compare';
import { readCandles, requireModel } from './model-args';
import { trainFromArgs } from './train';

/** Options train-kinds reads itself; every other option goes to `train` for each kind. */
function ownOption(args: string[], name: string): { value: string | undefined; rest: string[] } {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return { value: undefined, rest: args };
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return { value, rest: [...args.slice(0, at), ...args.slice(at + 2)] };
}

export async function commandTrainKinds(args: string[]): Promise<void> {
  const { value: withModels, rest } = ownOption(args, 'with');
  if (rest.includes('--kind') || rest.includes('--name'))
    throw new UsageError('train-kinds trains every kind under its own name: no --kind or --name');
  const csv = ownOption(rest, 'csv').value;
  const out = ownOption(rest, 'out').value;
  if (csv === undefined || out === undefined) throw new UsageError('--csv FILE and --out DIR are required');
  const given = withModels?.split(',').map((p) => requireModel(p.trim())) ?? [];
  const trained = [];
  for (const kind of Object.keys(MODEL_KIND_TABLE)) {
    console.error(`=== training a ${kind}`);
    const outcome = await trainFromArgs([...rest, '--kind', kind]);
    trained.push(loadModel(outcome.dir));
  }
  const models = [...given, ...trained];
  const { candles, interval } = readCandles({ csv, interval: models[0]?.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const comparison = compareOnCandles(models, candles, intervalMs(interval), { stride: 1, trustWindows: 64 });
  writeFileSync(join(out, 'comparison.json'), `${JSON.stringify({ csv, ...comparison }, null, 1)}\n`);
  console.log(comparisonTable(comparison));
}
