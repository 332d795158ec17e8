/** What a training run is given, as data (zod only, so the engine can validate jobs without loading tfjs). */
import { z } from 'zod';
import { FeatureSpecSchema, LabelSpecSchema } from '../../src-shared/domain/feature-spec';
import { INTERVALS } from '../../src-shared/domain/intervals';
import { HeadsSpec } from '../model/heads';
import { ConvBlockSpec, GAF_SERIES, MODEL_KINDS } from '../model/spec';

export const TrainSettingsSchema = z.object({
  seed: z.number().int().default(42),
  epochs: z.number().int().min(1).max(1000).default(20),
  batchSize: z.number().int().min(1).max(4096).default(256),
  learningRate: z.number().positive().default(1e-3),
  /** Epochs without a better validation loss before stopping. */
  patience: z.number().int().min(1).default(3),
  /** Fractions of the windows, by time, for training and validation; the rest is the test period. */
  trainFraction: z.number().gt(0).lt(1).default(0.7),
  validationFraction: z.number().gt(0).lt(1).default(0.15),
  /** Take every stride-th window (1 = all). */
  stride: z.number().int().min(1).default(1),
});
export type TrainSettings = z.output<typeof TrainSettingsSchema>;

export const TrainJobSchema = z.object({
  source: z.string(),
  interval: z.enum(INTERVALS).exclude(['M']),
  /** The model kind (../model/kinds); absent: the FinancialCNN. */
  kind: z.enum(MODEL_KINDS).optional(),
  /** The window's length (and, for the FinancialCNN, its feature channels and warm-up). */
  features: FeatureSpecSchema,
  /** `gaf-cnn`: the series imaged (default the closes). */
  series: z.array(z.enum(GAF_SERIES)).min(1).max(GAF_SERIES.length).optional(),
  labels: LabelSpecSchema,
  convs: z.array(ConvBlockSpec).min(1),
  /** The heads to train, with their loss weights; absent: direction only. */
  heads: HeadsSpec.optional(),
  settings: TrainSettingsSchema,
  /** Folder the model folder is written into. */
  modelsDir: z.string(),
  /** Prefix of the version name. */
  name: z
    .string()
    .regex(/^[\w.-]{1,60}$/)
    .default('fincnn'),
});
export type TrainJob = z.output<typeof TrainJobSchema>;
