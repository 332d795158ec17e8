/** What the engine says of its models: the active one, the registered ones, training progress. */
import { z } from 'zod';
import { EpochMs } from './market';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const ModelInfoSchema = z.object({
  status: z.enum(['starting', 'ready', 'failed']),
  /** The tfjs backend the model runs on. */
  backend: z.enum(BACKEND_NAMES).nullable(),
  error: z.string().nullable(),
  model: z
    .object({
      version: z.string(),
      path: z.string(),
      /** Input channel names; null for a model imported without a feature pipeline. */
      channels: z.array(z.string()).nullable(),
      windowLength: z.number().int(),
      /** The candle interval it was trained on; it scores only streams of that interval. */
      interval: z.string().nullable(),
      convs: z.array(z.object({ filters: z.number().int(), kernelSize: z.number().int() })),
      createdAt: EpochMs,
    })
    .nullable(),
});
export type ModelInfo = z.output<typeof ModelInfoSchema>;

export const ModelSummarySchema = z.object({
  version: z.string(),
  path: z.string(),
  createdAt: EpochMs,
  active: z.boolean(),
  /** Balanced accuracy on its test period, when it was trained here. */
  testBalancedAccuracy: z.number().nullable(),
  /** How many of its test report's baselines it clearly beats (as the report's verdicts say); null without a report. */
  baselinesBeaten: z.object({ beaten: z.number().int().nonnegative(), of: z.number().int().positive() }).nullable(),
});

/** Where a training run is: sent by the model worker and pushed on to the renderer. */
export const TrainProgressSchema = z.object({
  stage: z.string().optional(),
  epoch: z.number().int().optional(),
  epochs: z.number().int().optional(),
  batch: z.number().int().optional(),
  batches: z.number().int().optional(),
  trainLoss: z.number().optional(),
  validationLoss: z.number().optional(),
});
export type TrainProgress = z.output<typeof TrainProgressSchema>;
