/** The model kinds by name (./kind), and a model's network built by its kind. */
import type { WindowEncoder } from '../../features/dataset';
import { FinancialCnn, TrainableCnn } from '../network';
import { kindOf, type ModelKindName, type ModelSpec, type StateDict } from '../spec';
import { CNN_LSTM } from './cnn-lstm';
import { FINANCIAL_CNN } from './financial-cnn';
import { GAF_CNN } from './gaf-cnn';
import { IMAGE_CNN } from './image-cnn';
import { NoPipelineError, type ModelKind, type ModelPipeline } from './kind';

export const MODEL_KIND_TABLE = {
  'financial-cnn': FINANCIAL_CNN,
  'gaf-cnn': GAF_CNN,
  'image-cnn': IMAGE_CNN,
  'cnn-lstm': CNN_LSTM,
} as const satisfies Record<ModelKindName, ModelKind>;

export function modelKind(spec: Pick<ModelSpec, 'kind'>): ModelKind {
  return MODEL_KIND_TABLE[kindOf(spec)];
}

/** The inference network of `spec`'s kind (batch-norm folded); the weights are checked first. */
export function createNetwork(spec: ModelSpec, weights: StateDict): FinancialCnn {
  return new FinancialCnn(spec, weights, modelKind(spec).geometry);
}

/**
 * Whether the network's input positions are the window's candles ([T, C]): the trust measures
 * (../../explain/trust) remove candles by imputing along time, which an image's cells are not.
 */
export function positionsAreCandles(spec: ModelSpec): boolean {
  return modelKind(spec).geometry.positions(spec) === spec.sequence_length;
}

/** The training network of `spec`'s kind. */
export function createTrainable(spec: ModelSpec, weights: StateDict): TrainableCnn {
  return new TrainableCnn(spec, weights, modelKind(spec).geometry);
}

/** The model's input channels by name; null for a model that cannot read candles. */
export function inputChannels(pipeline: ModelPipeline): string[] | null {
  try {
    return modelKind(pipeline.spec).window(pipeline).channels;
  } catch (err) {
    if (err instanceof NoPipelineError) return null;
    throw err;
  }
}

/**
 * The dataset encoder (../../features/dataset) of `pipeline`'s kind at candle length `stepMs`: its
 * inputs are normalized when the pipeline has a normalization, raw otherwise (training fits one).
 */
export function windowEncoder(pipeline: ModelPipeline, stepMs: number): WindowEncoder {
  const kind = modelKind(pipeline.spec);
  const { windowLength, historyLength } = kind.window(pipeline);
  return {
    windowLength,
    historyLength,
    rowSize: kind.geometry.positions(pipeline.spec) * pipeline.spec.input_channels,
    forRun: (run) => kind.runEncoder(pipeline, run, stepMs),
  };
}
