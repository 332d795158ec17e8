/**
 * `gaf-cnn`: the window's closes (or other series, ../spec's `series`) as Gramian angular fields,
 * a GASF and a GADF image each (./gaf-encoding), then conv2d blocks with batch-norm and ReLU, global
 * average pooling over both axes and the heads. A CAM over the T × T cells decodes onto candle t as
 * the mean of its row and column. The encoding rescales each window on its own: no normalization
 * and no warm-up, so a model in the PyTorch golden format scores candles as it is.
 */
import type { Candle } from '../../../src-shared/domain/market';
import { checkCandles, FeatureError } from '../../features/windows';
import { gafSeries, ModelFormatError, ModelSpecSchema, type ModelSpec } from '../spec';
import { blankStepCells, cellsToSteps, gafImage } from './gaf-encoding';
import { imageGeometry, SMALL_IMAGE_CONVS } from './image-geometry';
import type { ModelKind } from './kind';

/** A GASF and a GADF channel per imaged series. */
const gafChannels = (spec: ModelSpec) => gafSeries(spec).flatMap((s) => [`gasf_${s}`, `gadf_${s}`]);

const gafSize = (spec: ModelSpec) => ({ height: spec.sequence_length, width: spec.sequence_length });

/** Positions are the T × T cells of the image, row-major. */
export const GAF_GEOMETRY = imageGeometry(gafSize, {
  toCandles: cellsToSteps,
  blankCandles: blankStepCells,
});

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
  // Cell (i, j) relates candles i and j: row i is candle i, column j candle j.
  image: {
    size: gafSize,
    channels: gafChannels,
    rowCandles: (_spec, row) => [row],
    columnCandles: (_spec, column) => [column],
  },
  window: ({ spec }) => ({
    windowLength: spec.sequence_length,
    // One candle before the window: the labels read the first candle's return, as for every kind.
    historyLength: spec.sequence_length + 1,
    channels: gafChannels(spec),
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
  // The golden's shape (../shared/golden/gaf-cnn): a 32 × 32 image, two small blocks.
  trainingDefaults: { windowLength: 32, convs: SMALL_IMAGE_CONVS, name: 'gafcnn' },
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
