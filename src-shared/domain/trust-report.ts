/**
 * How far a model's explanations can be trusted, measured per method and per head: ROAD, deletion
 * and insertion AUC, comprehensiveness and sufficiency (src-main/explain/perturbation), the
 * randomization sanity checks and, on the planted-pattern benchmark, the pointing game.
 */
import { z } from 'zod';
import { CAM_LABELS, CAM_METHODS, CamMethod } from './signal';

/** The explanation methods measured: the CAM methods and gradient × input, a reference that needs no conv block. */
export const TRUST_METHOD_LABELS = { ...CAM_LABELS, gradxinput: 'gradient × input' } as const;
export const TRUST_METHODS = [...CAM_METHODS, 'gradxinput'] as const;
export const TrustMethod = z.enum(TRUST_METHODS);
export type TrustMethodName = z.output<typeof TrustMethod>;

/** The target's mean score over the windows after each removal (see PerturbationCurves). */
export const PerturbationCurvesSchema = z.object({
  fractions: z.array(z.number()),
  original: z.number(),
  imputed: z.number(),
  morf: z.array(z.number()),
  lerf: z.array(z.number()),
});

export const MethodTrustSchema = z.object({
  method: TrustMethod,
  /** The model head explained (direction, volatility, var, sharp) and its output (a class for direction: the predicted one). */
  head: z.string(),
  windows: z.number().int(),
  curves: PerturbationCurvesSchema,
  morfArea: z.number(),
  lerfArea: z.number(),
  /** (LeRF − MoRF) / 2 over the fractions; higher is better, above 0 beats no explanation. */
  roadCombined: z.number(),
  deletionAuc: z.number(),
  insertionAuc: z.number(),
  comprehensiveness: z.number(),
  sufficiency: z.number(),
  /**
   * Mean Spearman correlation of each window's map from the trained model with the same map once
   * the weights are randomized, cascading from the heads down to the first conv block (the last
   * entry: every weight random). It should fall towards 0.
   */
  randomization: z.array(z.object({ randomized: z.string(), spearman: z.number() })),
  /** The same correlation with a model trained on permuted labels (the planted benchmark measures it). */
  dataRandomization: z.number().nullable(),
  /** On the planted-pattern benchmark: how often the map's top candle falls inside the pattern, and its mass there. */
  pointingGame: z.number().nullable(),
  patternMass: z.number().nullable(),
});
export type MethodTrust = z.output<typeof MethodTrustSchema>;

export const TrustReportSchema = z.object({
  /** Windows measured, evenly spaced over the period. */
  windows: z.number().int(),
  /** The imputation's noise (a share of each value's spread) and seed. */
  noise: z.number(),
  seed: z.number().int(),
  /**
   * Where candles were removed: in the model's input (a kind whose positions are its candles), or in
   * the candles, the window then encoded again (image kinds; every kind in a comparison). Absent from older reports: inputs.
   */
  space: z.enum(['inputs', 'candles']).optional(),
  rows: z.array(MethodTrustSchema),
  /** The CAM method with the best ROAD combined score on the first head (direction when the model has it), and why. */
  defaultMethod: z.object({ method: CamMethod, why: z.string() }),
});
export type TrustReport = z.output<typeof TrustReportSchema>;
