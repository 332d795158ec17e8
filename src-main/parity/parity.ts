/**
 * Golden parity: runs a PyTorch-format model and its reference cases (../shared/golden layout:
 * model.json + cases.json) through our port and reports the largest differences.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { explainBatch } from '../explain/explainer';
import { FinancialCnn } from '../model/network';
import { parsePytorchModel, type ModelSpec } from '../model/spec';

export const LOGIT_TOLERANCE = 1e-4;
export const CAM_TOLERANCE = 1e-3;

const Matrix = z.array(z.array(z.number()));
export const GoldenCases = z.object({
  inputs: z.array(Matrix),
  logits: Matrix,
  predicted_class: z.array(z.number().int()),
  gradcam: z.array(Matrix),
  gradcampp: z.array(Matrix),
});
export type GoldenCasesValue = z.output<typeof GoldenCases>;

export interface ParityReport {
  cases: number;
  logits: number;
  gradcam: number;
  gradcampp: number;
  predictedMismatches: number;
  /** Reference CAMs that are all zero where ours is not. */
  zeroCamMismatches: number;
  pass: boolean;
}

/** Channels-first [C][T] cases → one flat time-major [N, T, C] batch. */
export function channelsFirstToBatch(inputs: number[][][], spec: ModelSpec): Float32Array {
  const { input_channels: C, sequence_length: T } = spec;
  const flat = new Float32Array(inputs.length * T * C);
  inputs.forEach((input, n) => {
    if (input.length !== C || input.some((row) => row.length !== T)) throw new Error(`case ${n} is not [${C}][${T}]`);
    for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) flat[(n * T + t) * C + c] = input[c]?.[t] ?? 0;
  });
  return flat;
}

export function loadGolden(dir: string): { spec: ModelSpec; model: FinancialCnn; cases: GoldenCasesValue } {
  const { spec, weights } = parsePytorchModel(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  const cases = GoldenCases.parse(JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')));
  return { spec, model: new FinancialCnn(spec, weights), cases };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)) || (Number.isNaN((a[i] ?? NaN) - (b[i] ?? NaN)) ? Infinity : 0));
  return worst;
}

/** Compares logits and every class's Grad-CAM and Grad-CAM++ on the active tfjs backend. */
export function checkParity(model: FinancialCnn, cases: GoldenCasesValue): ParityReport {
  const { spec } = model;
  const batch = cases.inputs.length;
  const inputs = channelsFirstToBatch(cases.inputs, spec);
  const report: ParityReport = {
    cases: batch,
    logits: 0,
    gradcam: 0,
    gradcampp: 0,
    predictedMismatches: 0,
    zeroCamMismatches: 0,
    pass: false,
  };
  for (const method of ['gradcam', 'gradcampp'] as const) {
    for (let target = 0; target < spec.num_classes; target++) {
      const explained = explainBatch(model, inputs, batch, { method, target });
      explained.forEach((e, n) => {
        const expected = cases[method][n]?.[target] ?? [];
        report[method] = Math.max(report[method], maxDiff(e.cam, expected));
        if (expected.every((v) => v === 0) && e.cam.some((v) => v !== 0)) report.zeroCamMismatches++;
        if (method === 'gradcam' && target === 0) {
          report.logits = Math.max(report.logits, maxDiff(e.logits, cases.logits[n] ?? []));
          if (e.predicted !== cases.predicted_class[n]) report.predictedMismatches++;
        }
      });
    }
  }
  report.pass =
    report.logits <= LOGIT_TOLERANCE &&
    report.gradcam <= CAM_TOLERANCE &&
    report.gradcampp <= CAM_TOLERANCE &&
    report.predictedMismatches === 0 &&
    report.zeroCamMismatches === 0;
  return report;
}
