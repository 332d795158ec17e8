/** A model's evaluation on its test period, with the baselines and the explanation faithfulness. */
import { z } from 'zod';
import { EpochMs } from './market';
import { CamMethod } from './signal';
import { Interval95Schema } from './interval';
import { RiskReportSchema, type VerdictWord } from './risk-report';
import { TrustReportSchema } from './trust-report';

export { Interval95Schema, type Interval95 } from './interval';

export const ClassMetricsSchema = z.object({ precision: z.number().nullable(), recall: z.number().nullable(), support: z.number().int() });
export type ClassMetrics = z.output<typeof ClassMetricsSchema>;

export const ClassificationReportSchema = z.object({
  n: z.number().int(),
  accuracy: Interval95Schema,
  balancedAccuracy: Interval95Schema,
  perClass: z.record(z.string(), ClassMetricsSchema),
  /** confusion[actual][predicted], classes in SIGNAL_CLASSES order. */
  confusion: z.array(z.array(z.number().int())),
  /** Mean negative log-likelihood of the true class; null for a baseline without probabilities. */
  logLoss: z.number().nullable(),
});
export type ClassificationReport = z.output<typeof ClassificationReportSchema>;

/** The deletion test: the drop in the predicted class's probability when the top candles are blanked, vs random ones. */
export const FaithfulnessSchema = z.object({
  topDrop: z.number(),
  randomDrop: z.number(),
  /** topDrop / randomDrop; null when the random drop is 0. */
  ratio: z.number().nullable(),
  windows: z.number().int(),
});
export type Faithfulness = z.output<typeof FaithfulnessSchema>;

export const EvaluationReportSchema = z.object({
  windows: z.number().int(),
  period: z.object({ from: EpochMs, to: EpochMs }).nullable(),
  model: ClassificationReportSchema,
  baselines: z.object({
    majorityClass: ClassificationReportSchema.extend({ class: z.string() }),
    lastReturnSign: ClassificationReportSchema,
  }),
  faithfulness: FaithfulnessSchema.extend({ method: CamMethod.default('gradcam'), fraction: z.number(), target: z.number() }),
  /** One sentence per baseline, saying plainly whether the model beats it. */
  verdict: z.array(z.string()),
  /** The forecast heads' report (volatility, VaR, sharp move) against their baselines; absent for a direction-only model. */
  risk: RiskReportSchema.optional(),
  /** How far the explanations can be trusted, every method × head on the test period (./trust-report); absent from older reports. */
  trust: TrustReportSchema.optional(),
});
export type EvaluationReport = z.output<typeof EvaluationReportSchema>;

/**
 * The direction head against a baseline by their 95% intervals of balanced accuracy: wholly above
 * beats, wholly below does not beat, overlapping cannot tell.
 */
export function directionVerdict(model: ClassificationReport, baseline: ClassificationReport): VerdictWord {
  if (model.balancedAccuracy.low > baseline.balancedAccuracy.high) return 'beats';
  return model.balancedAccuracy.high < baseline.balancedAccuracy.low ? 'does not beat' : 'cannot tell';
}
