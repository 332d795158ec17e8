/**
 * `gaf-cnn`: the window's closes (or other series, ../spec's `series`) as Gramian angular fields,
 * a GASF and a GADF image each (./gaf-encoding), then conv2d blocks with batch-norm and ReLU, global
 * average pooling over both axes and the heads. A CAM over the T × T cells decodes onto candle t as
 * the mean of its row and column. The encoding rescales each window on its own: no normalization
 * and no warm-up, so a model in the PyTorch golden format scores candles as it is.
 */
import * as tf from '@tensorflow/tfjs';
import type { Candle } from '../../../src-shared/domain/market';
import { checkCandles, FeatureError } from '../../features/windows';
import { conv2d, type InputGeometry } from '../network';
import { gafSeries, ModelFormatError, ModelSpecSchema, type ModelSpec } from '../spec';
import { blankStepCells, cellsToSteps, gafImage } from './gaf-encoding';
import type { ModelKind } from './kind';

/** PyTorch conv weight [out, in, k, k] → conv2d filter [k, k, in, out], scaled per output channel. */
function filterFromPytorch(weight: { shape: number[]; data: Float32Array }, scale?: Float64Array): tf.Tensor4D {
  const [out = 0, inC = 0, k = 0] = weight.shape;
  const filter = new Float32Array(k * k * inC * out);
  for (let f = 0; f < out; f++) {
    const s = scale?.[f] ?? 1;
    for (let c = 0; c < inC; c++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) filter[((i * k + j) * inC + c) * out + f] = (weight.data[((f * inC + c) * k + i) * k + j] ?? 0) * s;
  }
  return tf.tensor4d(filter, [k, k, inC, out]);
}

function filterToPytorch(filter: Float32Array, [k = 0, , inC = 0, out = 0]: number[]): { shape: number[]; data: Float32Array } {
  const data = new Float32Array(out * inC * k * k);
  for (let f = 0; f < out; f++)
    for (let c = 0; c < inC; c++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) data[((f * inC + c) * k + i) * k + j] = filter[((i * k + j) * inC + c) * out + f] ?? 0;
  return { shape: [out, inC, k, k], data };
}

/** Positions are the T × T cells of the image, row-major. */
export const GAF_GEOMETRY: InputGeometry = {
  positions: (spec) => spec.sequence_length * spec.sequence_length,
  toImage: (x, spec) => tf.reshape(x, [x.shape[0], spec.sequence_length, spec.sequence_length, x.shape[2]]),
  filterFromPytorch,
  filterToPytorch,
  conv: conv2d,
  toCandles: cellsToSteps,
  blankCandles: blankStepCells,
};

function seriesOf(candles: readonly Candle[], spec: ModelSpec): Float64Array[] {
  return gafSeries(spec).map((name) => Float64Array.from(candles, (c) => c[name]));
}

function image(spec: ModelSpec, candles: readonly Candle[]): Float32Array {
  const out = gafImage(seriesOf(candles, spec), spec.sequence_length);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) throw new FeatureError('the Gramian angular field is not finite');
  return out;
}

export const GAF_CNN: ModelKind = {
  name: 'gaf-cnn',
  geometry: GAF_GEOMETRY,
  window: ({ spec }) => ({
    windowLength: spec.sequence_length,
    // One candle before the window: the labels read the first candle's return, as for every kind.
    historyLength: spec.sequence_length + 1,
    channels: gafSeries(spec).flatMap((s) => [`gasf_${s}`, `gadf_${s}`]),
  }),
  encode({ spec }, history, stepMs) {
    const T = spec.sequence_length;
    if (history.length !== T + 1)
      throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${history.length}`);
    checkCandles(history, stepMs);
    return image(spec, history.slice(1));
  },
  runEncoder({ spec }, run, stepMs) {
    checkCandles(run, stepMs);
    const T = spec.sequence_length;
    return (end, out, offset) => {
      if (end < T) throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${end + 1}`);
      out.set(image(spec, run.slice(end + 1 - T, end + 1)), offset);
    };
  },
  fitsNormalization: false,
  trainingPipeline(network, job) {
    const series = job.series ?? ['close'];
    return { spec: ModelSpecSchema.parse({ ...network, kind: 'gaf-cnn', series, input_channels: 2 * series.length }), features: null };
  },
  importPipeline(spec, encoding) {
    if (encoding.features !== undefined || encoding.normalization !== undefined)
      throw new ModelFormatError(
        'a gaf-cnn reads no feature channels or normalization: it images "series" of the window (default ["close"])',
      );
    const series = encoding.series ?? gafSeries(spec);
    if (spec.series !== undefined && spec.series.join() !== series.join())
      throw new ModelFormatError(`the weights image ${spec.series.join(', ')}, the spec says ${series.join(', ')}`);
    if (spec.input_channels !== 2 * series.length)
      throw new ModelFormatError(
        `the weights take ${spec.input_channels} input channels; imaging ${series.join(', ')} gives ${2 * series.length} (a GASF and a GADF each)`,
      );
    return { spec: ModelSpecSchema.parse({ ...spec, series }), features: null, normalization: null };
  },
};
