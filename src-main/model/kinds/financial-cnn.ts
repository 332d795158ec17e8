/**
 * The FinancialCNN: the seed's conv1d network over nine causal feature channels of each candle
 * (../../features), normalized with the training period's statistics; a CAM is already one value
 * per candle.
 */
import { historyLength, runFeatures, windowFeatures } from '../../features/windows';
import { SERIES_GEOMETRY } from '../network';
import { NoPipelineError, type ModelKind, type ModelPipeline } from './kind';

function pipeline(model: ModelPipeline) {
  const { features, normalization } = model;
  if (features === null || normalization === null)
    throw new NoPipelineError(
      `${model.version === undefined ? 'the model' : `model ${model.version}`} has no feature pipeline; it cannot score candles`,
    );
  return { features, normalization };
}

export const FINANCIAL_CNN: ModelKind = {
  name: 'financial-cnn',
  geometry: SERIES_GEOMETRY,
  window(model) {
    const { features } = pipeline(model);
    return { windowLength: features.windowLength, historyLength: historyLength(features), channels: [...features.channels] };
  },
  encode(model, history, stepMs) {
    const { features, normalization } = pipeline(model);
    return windowFeatures(history, features, stepMs, normalization);
  },
  runEncoder(model, run, stepMs) {
    const { features, normalization } = pipeline(model);
    return runFeatures(run, features, stepMs, normalization);
  },
};
