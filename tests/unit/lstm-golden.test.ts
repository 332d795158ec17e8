import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableBackends, useBackend } from '../../src-main/model/backend';
import { Lstm, parsePytorchLstm } from '../../src-main/model/lstm';
import { ModelFormatError, type StateDict } from '../../src-main/model/spec';
import { LOGIT_TOLERANCE } from '../../src-main/parity/parity';
import { batchFirstInputs, checkLstmParity, GRADIENT_TOLERANCE, loadLstmGolden } from '../../src-main/parity/lstm-parity';
import { runCli, SHARED_GOLDEN, tempDir } from '../helpers';

const LSTM_GOLDEN = resolve(SHARED_GOLDEN, '..', 'lstm');
const modelJson = () => JSON.parse(readFileSync(join(LSTM_GOLDEN, 'model.json'), 'utf8')) as Record<string, unknown>;
const backends = await availableBackends();

/** The weights with the gate blocks of the stacked LSTM tensors taken in `order` (indices into i, f, g, o). */
function regated(weights: StateDict, hidden: number, order: number[]): StateDict {
  return new Map(
    [...weights].map(([name, w]) => {
      if (!name.startsWith('lstm.')) return [name, w];
      const row = w.data.length / (4 * hidden);
      const blocks = order.map((k) => w.data.subarray(k * hidden * row, (k + 1) * hidden * row));
      const data = new Float32Array(w.data.length);
      blocks.forEach((block, k) => data.set(block, k * hidden * row));
      return [name, { shape: w.shape, data }];
    }),
  );
}

/** Largest logit difference from the golden of `model` on `inputs`. */
function logitError(model: Lstm, inputs: Float32Array, expected: number[][]): number {
  const logits = model.predictLogits(inputs, expected.length);
  return Math.max(...expected.flat().map((v, i) => Math.abs((logits[i] ?? NaN) - v)));
}

describe.each(backends)('LSTM golden parity on %s', (backend) => {
  it('matches the PyTorch logits within 1e-4 and gradient × input per step within 1e-3 of its case', async () => {
    await useBackend([backend]);
    const { model, cases } = loadLstmGolden(LSTM_GOLDEN);
    const report = checkLstmParity(model, cases);
    model.dispose();
    expect(report.cases).toBe(6);
    expect(report.logits).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(report.gradientTimesInput).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
    expect(report.predictedMismatches).toBe(0);
    expect(report.pass).toBe(true);
  });

  it('misses the golden by far with another gate order or a time-major reading of the inputs', async () => {
    await useBackend([backend]);
    const { spec, weights } = parsePytorchLstm(modelJson());
    const { cases } = loadLstmGolden(LSTM_GOLDEN);
    const inputs = batchFirstInputs(cases.inputs, spec);
    // ONNX's order (input, output, forget, cell), and cell and output swapped.
    for (const order of [
      [0, 3, 1, 2],
      [0, 1, 3, 2],
    ]) {
      const wrong = new Lstm(spec, regated(weights, spec.hidden, order));
      expect(logitError(wrong, inputs, cases.logits), `gates ${order.join(',')}`).toBeGreaterThan(100 * LOGIT_TOLERANCE);
      wrong.dispose();
    }
    const model = new Lstm(spec, weights);
    // The same cases laid out time-major [T][N][F], read as batch-first.
    const N = cases.inputs.length;
    const timeMajor = new Float32Array(inputs.length);
    for (let n = 0; n < N; n++)
      for (let t = 0; t < spec.sequence_length; t++)
        for (let f = 0; f < spec.input_features; f++)
          timeMajor[(t * N + n) * spec.input_features + f] = inputs[(n * spec.sequence_length + t) * spec.input_features + f] ?? NaN;
    expect(logitError(model, timeMajor, cases.logits)).toBeGreaterThan(100 * LOGIT_TOLERANCE);
    expect(logitError(model, inputs, cases.logits)).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    model.dispose();
  });
});

describe('LSTM model file', () => {
  it('refuses a wrong layout, a missing or misshapen weight and a non-finite value with the reason', () => {
    const json = modelJson();
    expect(() => parsePytorchLstm({ ...json, layout: 'time_major [T, B, F]' })).toThrow(/unsupported layout "time_major/);
    const stateDict = json.state_dict as Record<string, { shape: number[]; data: number[] }>;
    const without = Object.fromEntries(Object.entries(stateDict).filter(([name]) => name !== 'lstm.bias_hh_l0'));
    expect(() => parsePytorchLstm({ ...json, state_dict: without })).toThrow(/missing weight lstm\.bias_hh_l0/);
    expect(() => parsePytorchLstm({ ...json, hidden: 8 })).toThrow(
      /weight lstm\.weight_ih_l0 has shape \[64, 2\], the spec needs \[32, 2\]/,
    );
    const ih = stateDict['lstm.weight_ih_l0'] as { shape: number[]; data: number[] };
    const poisoned = { ...stateDict, 'lstm.weight_ih_l0': { shape: ih.shape, data: ih.data.map((v, i) => (i === 5 ? 1e39 : v)) } };
    expect(() => parsePytorchLstm({ ...json, state_dict: poisoned })).toThrow(ModelFormatError);
    expect(() => parsePytorchLstm({ ...json, state_dict: poisoned })).toThrow(/lstm\.weight_ih_l0 holds a non-finite value/);
    expect(() => parsePytorchLstm({ ...json, architecture: 'FinancialCNN' })).toThrow(/not an LSTM model file/);
  });

  it('refuses a batch of the wrong size and a target that is not a class, with the reason', () => {
    const { model, cases, spec } = loadLstmGolden(LSTM_GOLDEN);
    const inputs = batchFirstInputs(cases.inputs, spec);
    expect(() => model.predictLogits(inputs, 5)).toThrow(/5 windows of \[30, 2\] take 300 values, got 360/);
    expect(() => model.gradientTimesInput(inputs, 6, 3)).toThrow(/target 3 is not a class of this LSTM \(0…2\)/);
    expect(model.gradientTimesInput(inputs, 6, 2)).toHaveLength(360);
    model.dispose();
  });

  it('parity DIR checks an LSTM golden on every backend and fails past the tolerances', () => {
    const ok = runCli(['parity', LSTM_GOLDEN]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^wasm: lstm, 6 cases.*PASS$/m);
    expect(ok.stdout).toMatch(/^cpu: lstm, 6 cases.*PASS$/m);
    const bad = tempDir();
    copyFileSync(join(LSTM_GOLDEN, 'model.json'), join(bad, 'model.json'));
    const cases = JSON.parse(readFileSync(join(LSTM_GOLDEN, 'cases.json'), 'utf8')) as { grad_x_input: number[][][][] };
    const step = cases.grad_x_input[0]?.[1]?.[29] as number[];
    const largest = Math.max(...(cases.grad_x_input[0] ?? []).flat(2).map(Math.abs));
    step[0] = (step[0] ?? 0) + 0.01 * largest;
    writeFileSync(join(bad, 'cases.json'), JSON.stringify(cases));
    const failed = runCli(['parity', bad, '--backend', 'cpu']);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toMatch(/gradient × input 1\.00e-2 .*FAIL$/m);
  }, 120_000);
});
