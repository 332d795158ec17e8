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
  /** Its network's kind by architecture name (FinancialCNN, GafCNN, ImageCNN, ...). */
  architecture: z.string(),
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

/** A model name as versions carry it (a version is `<name>-<weights hash>`). */
export const MODEL_NAME_PATTERN = /^[\w.-]{1,60}$/;

/** The longest PyTorch model file (its JSON text) the Models view imports: 4 M characters, about 400 k weights as JSON numbers. */
export const MAX_IMPORT_MODEL_CHARS = 4_000_000;

/** A PyTorch-trained model to import: its file's text in the golden format, its encoding spec's text and the name its version starts with. */
export const ModelImportSchema = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN, "letters, digits, '.', '_' and '-' (at most 60)"),
    model: z.object({ text: z.string().max(MAX_IMPORT_MODEL_CHARS), fileName: z.string().max(500) }).strict(),
    encoding: z.string().max(100_000),
  })
  .strict();
