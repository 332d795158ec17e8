/** `parity GOLDEN_DIR`: our port against PyTorch's reference outputs, on every backend present. */
import { availableBackends, useBackend } from '../model/backend';
import { isLstmGolden, lstmGoldenParity } from '../parity/lstm-parity';
import { goldenParity } from '../parity/parity';
import { parseWithOperands, UsageError } from './args';
import { parseBackend } from './model-args';

export async function commandParity(args: string[]): Promise<void> {
  const { values, positionals } = parseWithOperands(args, { backend: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('parity takes exactly one GOLDEN_DIR (holding model.json and cases.json)');
  const dir = positionals[0] ?? '';
  const backends = values.backend === undefined ? await availableBackends() : parseBackend(values.backend);
  const failed: string[] = [];
  for (const backend of backends) {
    await useBackend([backend]);
    const { line, pass } = isLstmGolden(dir) ? lstmGoldenParity(dir) : goldenParity(dir);
    console.log(`${backend}: ${line}`);
    if (!pass) failed.push(backend);
  }
  if (failed.length > 0) throw new Error(`parity fails on ${failed.join(', ')}`);
}
