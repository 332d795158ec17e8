/**
 * Golden parity: runs a PyTorch-format model and its reference cases (../shared/golden layout:
 * model.json + cases.json) through our port and reports the largest differences. A golden of the
 * FinancialCNN gives its inputs; one of the `gaf-cnn` gives the closes, and our own encoding of
 * them is checked against its images before the network runs on it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { explainBatch } from '../explain/explainer';
import { gafImage } from '../model/kinds/gaf-encoding';
import { createNetwork } from '../model/kinds';
import type { FinancialCnn } from '../model/network';
import { kindOf, parsePytorchModel, type ModelSpec } from '../model/spec';

export const LOGIT_TOLERANCE = 1e-4;
export const CAM_TOLERANCE = 1e-3;
/** An encoded input against the reference's, in float32 (the images' values lie in [−1, 1]). */
export const ENCODING_TOLERANCE = 1e-4;

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

function readGoldenModel(dir: string): { spec: ModelSpec; model: FinancialCnn } {
  const { spec, weights } = parsePytorchModel(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
  return { spec, model: createNetwork(spec, weights) };
}

export function loadGolden(dir: string): { spec: ModelSpec; model: FinancialCnn; cases: GoldenCasesValue } {
  const { spec, model } = readGoldenModel(dir);
  const cases = GoldenCases.parse(JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')));
  return { spec, model, cases };
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

const Images = z.array(z.array(Matrix));
export const GafGoldenCases = z.object({
  series: Matrix,
  gaf: Images,
  logits: Matrix,
  predicted_class: z.array(z.number().int()),
  gradcam: Images,
  gradcam_time: z.array(Matrix),
});
export type GafGoldenCasesValue = z.output<typeof GafGoldenCases>;

export interface GafParityReport {
  cases: number;
  /** Our GASF/GADF of the closes against the reference images. */
  encoding: number;
  logits: number;
  /** The normalized 2-D Grad-CAM over the T × T cells. */
  gradcam: number;
  /** That map decoded onto the time steps, normalized. */
  gradcamTime: number;
  predictedMismatches: number;
  zeroCamMismatches: number;
  pass: boolean;
}

export function loadGafGolden(dir: string): { spec: ModelSpec; model: FinancialCnn; cases: GafGoldenCasesValue } {
  const { spec, model } = readGoldenModel(dir);
  if (kindOf(spec) !== 'gaf-cnn') throw new Error(`${dir} is not a gaf-cnn golden`);
  const cases = GafGoldenCases.parse(JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')));
  return { spec, model, cases };
}

/** Encoding, logits, every class's 2-D Grad-CAM and its decoding onto time, on the active tfjs backend. */
export function checkGafParity(model: FinancialCnn, cases: GafGoldenCasesValue): GafParityReport {
  const { sequence_length: T, num_classes: classes } = model.spec;
  const batch = cases.series.length;
  const images = cases.series.map((closes) => gafImage([closes], T));
  const report: GafParityReport = {
    cases: batch,
    encoding: 0,
    logits: 0,
    gradcam: 0,
    gradcamTime: 0,
    predictedMismatches: 0,
    zeroCamMismatches: 0,
    pass: false,
  };
  images.forEach((image, n) => {
    // The reference is channels-first [2][T][T]; ours is position-major [T·T, 2].
    const expected = (cases.gaf[n] ?? []).flatMap((channel, c) => channel.flat().map((v, p) => ({ at: p * 2 + c, v })));
    if (expected.length !== image.length) report.encoding = Infinity;
    for (const { at, v } of expected) report.encoding = Math.max(report.encoding, Math.abs((image[at] ?? NaN) - v) || 0);
  });
  const inputs = new Float32Array(images.reduce((n, image) => n + image.length, 0));
  images.forEach((image, n) => inputs.set(image, n * image.length));
  for (let target = 0; target < classes; target++) {
    const explained = explainBatch(model, inputs, batch, { method: 'gradcam', target });
    explained.forEach((e, n) => {
      const expected = cases.gradcam[n]?.[target]?.flat() ?? [];
      report.gradcam = Math.max(report.gradcam, maxDiff(e.inputCam, expected));
      report.gradcamTime = Math.max(report.gradcamTime, maxDiff(e.cam, cases.gradcam_time[n]?.[target] ?? []));
      if (expected.every((v) => v === 0) && e.inputCam.some((v) => v !== 0)) report.zeroCamMismatches++;
      if (target === 0) {
        report.logits = Math.max(report.logits, maxDiff(e.logits, cases.logits[n] ?? []));
        if (e.predicted !== cases.predicted_class[n]) report.predictedMismatches++;
      }
    });
  }
  report.pass =
    report.encoding <= ENCODING_TOLERANCE &&
    report.logits <= LOGIT_TOLERANCE &&
    report.gradcam <= CAM_TOLERANCE &&
    report.gradcamTime <= CAM_TOLERANCE &&
    report.predictedMismatches === 0 &&
    report.zeroCamMismatches === 0;
  return report;
}

/** Whatever CNN kind `dir` holds (the LSTM golden: ./lstm-parity), its parity on the active backend as one line, and whether it passes. */
export function goldenParity(dir: string): { line: string; pass: boolean } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { architecture?: unknown };
  const spec = parsePytorchModel(json).spec;
  const shape = `T=${spec.sequence_length} convs=${spec.convs.map((c) => `${c.filters}:${c.kernel_size}`).join(',')} classes=${spec.num_classes}`;
  const e = (v: number) => v.toExponential(2);
  if (kindOf(spec) === 'gaf-cnn') {
    const { model, cases } = loadGafGolden(dir);
    const r = checkGafParity(model, cases);
    model.dispose();
    return {
      pass: r.pass,
      line:
        `gaf-cnn, ${r.cases} cases, C=${spec.input_channels} ${shape}; max |Δ| encoding ${e(r.encoding)} (tol ${ENCODING_TOLERANCE}), ` +
        `logits ${e(r.logits)} (tol ${LOGIT_TOLERANCE}), 2-D gradcam ${e(r.gradcam)}, gradcam on time ${e(r.gradcamTime)} (tol ${CAM_TOLERANCE}); ` +
        `predicted-class mismatches ${r.predictedMismatches}, zero-CAM mismatches ${r.zeroCamMismatches}: ${r.pass ? 'PASS' : 'FAIL'}`,
    };
  }
  const { model, cases } = loadGolden(dir);
  const r = checkParity(model, cases);
  model.dispose();
  return {
    pass: r.pass,
    line:
      `${r.cases} cases, C=${spec.input_channels} ${shape}; max |Δ| logits ${e(r.logits)} (tol ${LOGIT_TOLERANCE}), ` +
      `gradcam ${e(r.gradcam)}, gradcam++ ${e(r.gradcampp)} (tol ${CAM_TOLERANCE}); ` +
      `predicted-class mismatches ${r.predictedMismatches}, zero-CAM mismatches ${r.zeroCamMismatches}: ${r.pass ? 'PASS' : 'FAIL'}`,
  };
}
