import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { LstmNetwork, parsePytorchLstm } from '../../src-main/model/lstm';
import { CAM_TOLERANCE, checkLstmParity, LOGIT_TOLERANCE, loadLstmGolden } from '../../src-main/parity/parity';
import { SHARED_LSTM_GOLDEN } from '../helpers';

const backends = await availableBackends();

describe.each(backends)('LSTM golden parity on %s', (backend) => {
  it("matches PyTorch's logits within 1e-4 and gradient × input within 1e-3 of each case's largest value", async () => {
    await useBackend([backend]);
    const { model, cases } = loadLstmGolden(SHARED_LSTM_GOLDEN);
    const report = checkLstmParity(model, cases);
    model.dispose();
    expect(report.cases).toBe(6);
    expect(report.logits).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(report.gradXInput).toBeLessThanOrEqual(CAM_TOLERANCE);
    expect(report.predictedMismatches).toBe(0);
    expect(report.pass).toBe(true);
  });
});

describe('the LSTM golden check', () => {
  it('fails when the gates are read in another order (input and forget swapped)', async () => {
    await useBackend(['cpu']);
    const json = JSON.parse(readFileSync(join(SHARED_LSTM_GOLDEN, 'model.json'), 'utf8')) as Record<string, unknown>;
    const { spec, weights } = parsePytorchLstm(json);
    const H = spec.hidden;
    for (const name of ['lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0']) {
      const w = weights.get(name);
      if (w === undefined) throw new Error(name);
      const row = w.data.length / (4 * H);
      const input = w.data.slice(0, H * row);
      w.data.copyWithin(0, H * row, 2 * H * row);
      w.data.set(input, H * row);
    }
    const swapped = new LstmNetwork(spec, weights);
    const golden = loadLstmGolden(SHARED_LSTM_GOLDEN);
    golden.model.dispose();
    const report = checkLstmParity(swapped, golden.cases);
    swapped.dispose();
    expect(report.pass).toBe(false);
    expect(report.logits).toBeGreaterThan(LOGIT_TOLERANCE);
  });
});
