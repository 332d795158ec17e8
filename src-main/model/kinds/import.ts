/**
 * A model trained elsewhere, as Candle Lens model metadata: a PyTorch state dict in the golden
 * format (any kind: `architecture` FinancialCNN, GafCNN, ImageCNN or CnnLSTM) beside its encoding spec (./kind's
 * EncodingSpecSchema), each checked against the other before anything is written. No files here.
 */
import { z } from 'zod';
import { hashWeights, MODEL_FORMAT, type ModelMetadata } from '../model-file';
import { ARCHITECTURES, kindOf, ModelFormatError, parsePytorchModel, type StateDict } from '../spec';
import { modelKind } from '.';
import { EncodingSpecSchema } from './kind';

/**
 * The JSON of a model or spec file named `what`; a ModelFormatError says why it is not. Python's json
 * writes non-finite floats as bare NaN / Infinity, which JSON does not have: that is named as what it is.
 */
export function parseModelJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const nonFinite = /(?<![\w"])(-?Infinity|NaN)(?![\w"])/.exec(text);
    if (nonFinite !== null) throw new ModelFormatError(`the ${what} holds ${nonFinite[1]}: a model with non-finite weights cannot be used`);
    throw new ModelFormatError(`the ${what} is not JSON: ${(err as Error).message}`);
  }
}

/** The metadata and weights of the imported model `name`, versioned by its weights; a ModelFormatError says what is wrong. */
export function importedModel(
  pytorch: unknown,
  encodingJson: unknown,
  { name, source, now }: { name: string; source: string; now: number },
): { metadata: ModelMetadata; weights: StateDict } {
  const parsed = parsePytorchModel(pytorch);
  const encoding = EncodingSpecSchema.safeParse(encodingJson);
  if (!encoding.success) throw new ModelFormatError(`bad encoding spec: ${z.prettifyError(encoding.error)}`);
  const kind = kindOf(parsed.spec);
  if (encoding.data.kind !== kind)
    throw new ModelFormatError(`the spec is of a ${encoding.data.kind}, but the weights are a ${kind} (${ARCHITECTURES[kind]})`);
  if (encoding.data.windowLength !== parsed.spec.sequence_length)
    throw new ModelFormatError(
      `the weights read windows of ${parsed.spec.sequence_length} candles, the spec says ${encoding.data.windowLength}`,
    );
  const { spec, features, normalization } = modelKind(parsed.spec).importPipeline(parsed.spec, encoding.data);
  const weightsHash = hashWeights(spec, parsed.weights);
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    version: `${name}-${weightsHash.slice(0, 12)}`,
    createdAt: now,
    architecture: ARCHITECTURES[kind],
    spec,
    features,
    normalization,
    labels: encoding.data.labels ?? null,
    // Trained elsewhere: no candles of ours; the interval is what it fits.
    dataRange: { source, interval: encoding.data.interval, first: 0, last: 0, candles: 0 },
    training: { importedFrom: source },
    metrics: null,
  };
  return { metadata, weights: parsed.weights };
}
