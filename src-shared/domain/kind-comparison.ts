/**
 * Models of several kinds side by side (issue 17's comparison): on one test period and against one
 * set of baselines, each model's direction figures, its forecast heads' figures, the faithfulness of
 * its Grad-CAM measured in candle space and its latency, with plain sentences saying which model
 * does not beat the 1-D reference model or its baselines.
 */
import { z } from 'zod';
import { EpochMs } from './market';
import { Interval95Schema } from './interval';
import { VerdictWord } from './risk-report';

const PeriodSchema = z.object({ from: EpochMs, to: EpochMs });

/** One forecast head's figure against one baseline's, with the risk report's verdict. */
const AgainstBaselineSchema = z.object({ baseline: z.string(), figure: z.number(), verdict: VerdictWord });

export const ComparedModelSchema = z.object({
  modelVersion: z.string(),
  /** The model kind (financial-cnn, gaf-cnn, image-cnn, …). */
  kind: z.string(),
  windowLength: z.number().int(),
  /** Test windows measured and the period their last candles span. */
  windows: z.number().int(),
  period: PeriodSchema.nullable(),
  direction: z.object({
    balancedAccuracy: Interval95Schema,
    logLoss: z.number().nullable(),
    vsMajorityClass: VerdictWord,
    vsLastReturnSign: VerdictWord,
    /** Against the reference (1-D) model by the same interval rule; null for the reference itself. */
    vsReference: VerdictWord.nullable(),
  }),
  /** QLIKE of the volatility head, and each baseline's; null without the head. */
  volatility: z.object({ qlike: z.number(), baselines: z.array(AgainstBaselineSchema) }).nullable(),
  /** Each VaR quantile's coverage (violation rate, Kupiec p) and pinball loss against each baseline's; null without the head. */
  var: z
    .array(
      z.object({
        quantile: z.number(),
        violationRate: z.number(),
        kupiecPValue: z.number(),
        pinball: z.number(),
        baselines: z.array(AgainstBaselineSchema),
      }),
    )
    .nullable(),
  /** ROC AUC of the sharp-move head against the logistic baseline's; null without the head. */
  sharp: z.object({ auc: Interval95Schema, baselines: z.array(AgainstBaselineSchema) }).nullable(),
  /** Grad-CAM on the direction head: ROAD combined (higher is better) and deletion AUC (lower is better). */
  faithfulness: z
    .object({
      method: z.string(),
      space: z.enum(['inputs', 'candles']),
      windows: z.number().int(),
      roadCombined: z.number(),
      deletionAuc: z.number(),
    })
    .nullable(),
  /** Median forward + Grad-CAM at batch 1 in milliseconds, where measured. */
  latencyMs: z.number().nullable(),
});
export type ComparedModel = z.output<typeof ComparedModelSchema>;

export const KindComparisonSchema = z.object({
  /** The model the others are judged against: the first 1-D FinancialCNN given (else the first model). */
  reference: z.string(),
  /** Whether every model was measured on the same windows (the `compare` command); reports saved at training may differ. */
  samePeriod: z.boolean(),
  models: z.array(ComparedModelSchema),
  /** Plain sentences: which model does not beat the reference or a baseline, and where the periods differ. */
  verdicts: z.array(z.string()),
});
export type KindComparison = z.output<typeof KindComparisonSchema>;
