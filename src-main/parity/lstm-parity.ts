/**
 * Golden parity of the LSTM (../shared/golden/lstm: model.json + cases.json): our port's logits and
 * gradient × input per step against PyTorch's, on the active tfjs backend.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Lstm, parsePytorchLstm, type LstmSpec } from '../model/lstm';
import { LOGIT_TOLERANCE } from './parity';

/** Gradient × input: the largest difference over a case, relative to that case's largest absolute reference value. */
export const GRADIENT_TOLERANCE = 1e-3;

const Matrix = z.array(z.array(z.number()));
export const LstmGoldenCases = z.object({
  inputs: z.array(Matrix),
  logits: Matrix,
  predicted_class: z.array(z.number().int()),
  grad_x_input: z.array(z.array(Matrix)),
});
export type LstmGoldenCasesValue = z.output<typeof LstmGoldenCases>;

export interface LstmParityReport {
  cases: number;
  logits: number;
  /** Over cases and classes: max |Δ| of gradient × input / the case's largest |reference|. */
  gradientTimesInput: number;
  predictedMismatches: number;
  pass: boolean;
}

/** Whether `dir`'s model.json declares the LSTM architecture. */
export function isLstmGolden(dir: string): boolean {
  const json: unknown = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  return z.object({ architecture: z.literal('LSTM') }).safeParse(json).success;
}

export function loadLstmGolden(dir: string): { spec: LstmSpec; model: Lstm; cases: LstmGoldenCasesValue } {
  const { spec, weights } = parsePytorchLstm(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  const cases = LstmGoldenCases.parse(JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')));
  return { spec, model: new Lstm(spec, weights), cases };
}

/** Batch-first cases [N][T][F] → one flat [N·T·F] batch. */
export function batchFirstInputs(inputs: number[][][], spec: LstmSpec): Float32Array {
  const { sequence_length: T, input_features: F } = spec;
  const flat = new Float32Array(inputs.length * T * F);
  inputs.forEach((input, n) => {
    if (input.length !== T || input.some((step) => step.length !== F)) throw new Error(`case ${n} is not [${T}][${F}]`);
    flat.set(input.flat(), n * T * F);
  });
  return flat;
}

function maxDiff(ours: ArrayLike<number>, reference: readonly number[]): number {
  if (ours.length !== reference.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs((ours[i] ?? NaN) - (reference[i] ?? NaN));
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}

export function checkLstmParity(model: Lstm, cases: LstmGoldenCasesValue): LstmParityReport {
  const { sequence_length: T, input_features: F, num_classes: classes } = model.spec;
  const batch = cases.inputs.length;
  const inputs = batchFirstInputs(cases.inputs, model.spec);
  const logits = model.predictLogits(inputs, batch);
  const report: LstmParityReport = { cases: batch, logits: 0, gradientTimesInput: 0, predictedMismatches: 0, pass: false };
  for (let n = 0; n < batch; n++) {
    const row = Array.from(logits.subarray(n * classes, (n + 1) * classes));
    report.logits = Math.max(report.logits, maxDiff(row, cases.logits[n] ?? []));
    if (row.indexOf(Math.max(...row)) !== cases.predicted_class[n]) report.predictedMismatches++;
  }
  const scale = cases.grad_x_input.map((perClass) => Math.max(...perClass.flat(2).map(Math.abs)));
  for (let target = 0; target < classes; target++) {
    const ours = model.gradientTimesInput(inputs, batch, target);
    for (let n = 0; n < batch; n++) {
      const expected = cases.grad_x_input[n]?.[target]?.flat() ?? [];
      const diff = maxDiff(ours.subarray(n * T * F, (n + 1) * T * F), expected);
      report.gradientTimesInput = Math.max(report.gradientTimesInput, diff === 0 ? 0 : diff / (scale[n] ?? 0));
    }
  }
  report.pass = report.logits <= LOGIT_TOLERANCE && report.gradientTimesInput <= GRADIENT_TOLERANCE && report.predictedMismatches === 0;
  return report;
}

/** The LSTM golden in `dir` on the active backend as one line of `parity`, and whether it passes. */
export function lstmGoldenParity(dir: string): { line: string; pass: boolean } {
  const { spec, model, cases } = loadLstmGolden(dir);
  try {
    const r = checkLstmParity(model, cases);
    const e = (v: number) => v.toExponential(2);
    return {
      pass: r.pass,
      line:
        `lstm, ${r.cases} cases, T=${spec.sequence_length} F=${spec.input_features} H=${spec.hidden} classes=${spec.num_classes}; ` +
        `max |Δ| logits ${e(r.logits)} (tol ${LOGIT_TOLERANCE}), gradient × input ${e(r.gradientTimesInput)} of its case's largest (tol ${GRADIENT_TOLERANCE}); ` +
        `predicted-class mismatches ${r.predictedMismatches}: ${r.pass ? 'PASS' : 'FAIL'}`,
    };
  } finally {
    model.dispose();
  }
}
