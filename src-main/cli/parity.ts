/** `parity GOLDEN_DIR`: our port against PyTorch's reference outputs, on every backend present. */
import { availableBackends, useBackend } from '../model/backend';
import { isLstmGolden, lstmGoldenParity } from '../parity/lstm-parity';
import { CAM_TOLERANCE, checkParity, LOGIT_TOLERANCE, loadGolden } from '../parity/parity';
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
    if (isLstmGolden(dir)) {
      const { line, pass } = lstmGoldenParity(dir);
      console.log(`${backend}: ${line}`);
      if (!pass) failed.push(backend);
      continue;
    }
    const { model, cases, spec } = loadGolden(dir);
    const report = checkParity(model, cases);
    model.dispose();
    console.log(
      `${backend}: ${report.cases} cases, C=${spec.input_channels} T=${spec.sequence_length} convs=${spec.convs.map((c) => `${c.filters}:${c.kernel_size}`).join(',')}; ` +
        `max |Δ| logits ${report.logits.toExponential(2)} (tol ${LOGIT_TOLERANCE}), gradcam ${report.gradcam.toExponential(2)}, gradcam++ ${report.gradcampp.toExponential(2)} (tol ${CAM_TOLERANCE}); ` +
        `predicted-class mismatches ${report.predictedMismatches}, zero-CAM mismatches ${report.zeroCamMismatches}: ${report.pass ? 'PASS' : 'FAIL'}`,
    );
    if (!report.pass) failed.push(backend);
  }
  if (failed.length > 0) throw new Error(`parity fails on ${failed.join(', ')}`);
}
