/**
 * One interface for every model kind. A kind declares its input encoding (a window of candles to
 * the network's input), its network (the conv trunk and heads of ../network over its geometry), its
 * CAM target layers (the conv blocks' outputs) and how a CAM over its input maps back to candles
 * (the geometry's `toCandles`). Training, evaluation, the scoring recipe, replay, backtest, audit
 * and import reach a model through ./index only, so a new kind is a file in this folder.
 */
import { z } from 'zod';
import {
  FeatureSpecSchema,
  LabelSpecSchema,
  NormalizationSchema,
  type FeatureSpec,
  type Normalization,
} from '../../../src-shared/domain/feature-spec';
import { INTERVALS } from '../../../src-shared/domain/intervals';
import type { Candle } from '../../../src-shared/domain/market';
import type { InputGeometry } from '../network';
import type { ImageLayout } from './image-layout';
import { GAF_SERIES, MODEL_KINDS, type GafSeries, type ModelKindName, type ModelSpec } from '../spec';

/** What of a model's metadata its encoding reads (../model-file's ModelMetadata has it). */
export interface ModelPipeline {
  /** For the errors: which model cannot read candles. */
  version?: string;
  spec: ModelSpec;
  /** The 1-D kind's feature channels; null for a model imported without them (or a kind that needs none). */
  features: FeatureSpec | null;
  normalization: Normalization | null;
}

/** What a model reads of the candles before a window's end, and the names of its input channels. */
export interface ModelWindow {
  /** Candles per window (T). */
  windowLength: number;
  /** Closed, unbroken candles the encoding reads per window, the window's last candle last (warm-up + T). */
  historyLength: number;
  /** The network's input channels by name, in order (what the attribution per channel names). */
  channels: string[];
}

/**
 * What a model trained elsewhere (PyTorch) reads of the candles, given beside its weights to
 * `import-model`: its kind, the candle interval and window length, and what its kind needs (the
 * FinancialCNN's feature channels with their normalization, or the series a gaf-cnn images).
 */
export const EncodingSpecSchema = z.strictObject({
  kind: z.enum(MODEL_KINDS),
  interval: z.enum(INTERVALS).exclude(['M']),
  windowLength: z.number().int().min(2).max(2000),
  features: FeatureSpecSchema.optional(),
  normalization: NormalizationSchema.optional(),
  series: z.array(z.enum(GAF_SERIES)).min(1).max(GAF_SERIES.length).optional(),
  /** The labels it was trained on, when known (then `evaluate` can judge it). */
  labels: LabelSpecSchema.optional(),
});
export type EncodingSpec = z.output<typeof EncodingSpecSchema>;

/** A model that cannot read candles (imported without the feature spec its kind needs). */
export class NoPipelineError extends Error {
  override name = 'NoPipelineError';
}

export interface ModelKind {
  name: ModelKindName;
  geometry: InputGeometry;
  /** An image kind's picture of its input, row by row (the UI shows it with its CAM); absent for a kind along time. */
  image?: ImageLayout;
  /** The model's window; a NoPipelineError when it cannot read candles. */
  window(model: ModelPipeline): ModelWindow;
  /** Exactly `window(model).historyLength` closed candles → the network input of one window, [positions, C] flat. */
  encode(model: ModelPipeline, history: readonly Candle[], stepMs: number): Float32Array;
  /**
   * Every window of an unbroken `run` (from its first full history on) as a writer of its input:
   * end index → the input of the window ending there, written at `offset` (what datasets and
   * backtests batch; the same numbers as `encode`).
   */
  runEncoder(model: ModelPipeline, run: readonly Candle[], stepMs: number): (end: number, out: Float32Array, offset: number) => void;
  /** What `train` builds of this kind unless told otherwise: window length, conv blocks, version prefix. */
  trainingDefaults: { windowLength: number; convs: ModelSpec['convs']; name: string };
  /** Whether the kind's inputs are normalized with statistics fitted on the training period. */
  fitsNormalization: boolean;
  /**
   * The spec and feature channels of a network of this kind to train, from the trunk and heads
   * asked for and the job's feature spec (its window length) and imaged series.
   */
  trainingPipeline(
    network: Omit<ModelSpec, 'kind' | 'series' | 'input_channels'>,
    job: { features: FeatureSpec; series?: GafSeries[] },
  ): { spec: ModelSpec; features: FeatureSpec | null };
  /**
   * The pipeline of an imported network of this kind (`spec`, from its weights file) from its
   * encoding spec, each checked against the other; a ModelFormatError says what disagrees.
   */
  importPipeline(spec: ModelSpec, encoding: EncodingSpec): Omit<ModelPipeline, 'version'>;
}
