/**
 * The FinancialCNN: the seed's conv1d network over nine causal feature channels of each candle
 * (../../features), normalized with the training period's statistics; a CAM is already one value
 * per candle.
 */
import { historyLength, runFeatures, windowFeatures } from '../../features/windows';
import { SERIES_GEOMETRY } from '../network';
import { DEFAULT_FEATURE_SPEC } from '../../../src-shared/domain/feature-spec';
import { defaultModelSpec, ModelFormatError, ModelSpecSchema } from '../spec';
import { NoPipelineError, type ModelKind, type ModelPipeline } from './kind';

/**
 * The model's feature channels, and their normalization when it has one: a model folder has both
 * or neither (../model-file); training reads its windows before it fits the normalization.
 */
function pipeline(model: ModelPipeline) {
  const { features, normalization } = model;
  if (features === null)
    throw new NoPipelineError(
      `${model.version === undefined ? 'the model' : `model ${model.version}`} has no feature pipeline; it cannot score candles`,
    );
  return { features, normalization: normalization ?? undefined };
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
  trainingDefaults: {
    windowLength: DEFAULT_FEATURE_SPEC.windowLength,
    convs: defaultModelSpec(DEFAULT_FEATURE_SPEC.channels.length, DEFAULT_FEATURE_SPEC.windowLength).convs,
    name: 'fincnn',
  },
  fitsNormalization: true,
  trainingPipeline: (network, { features }) => ({
    spec: ModelSpecSchema.parse({ ...network, input_channels: features.channels.length }),
    features,
  }),
  importPipeline(spec, encoding) {
    const { features, normalization } = encoding;
    if (encoding.series !== undefined) throw new ModelFormatError('"series" are imaged by a gaf-cnn; a FinancialCNN reads "features"');
    if (features === undefined || normalization === undefined)
      throw new ModelFormatError(
        'a FinancialCNN reads feature channels: the spec needs "features" (channels, windowLength, warmup) and their "normalization" (mean, std)',
      );
    if (features.channels.length !== spec.input_channels)
      throw new ModelFormatError(
        `the weights take ${spec.input_channels} input channels but the spec's features list ${features.channels.length}`,
      );
    if (features.windowLength !== encoding.windowLength)
      throw new ModelFormatError(
        `the spec's features make windows of ${features.windowLength}, its windowLength says ${encoding.windowLength}`,
      );
    if (normalization.mean.length !== spec.input_channels || normalization.std.length !== spec.input_channels)
      throw new ModelFormatError(`the normalization needs a mean and a std for each of the ${spec.input_channels} channels`);
    return { spec, features, normalization };
  },
};
