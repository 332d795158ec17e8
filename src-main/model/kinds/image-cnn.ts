/**
 * `image-cnn`: the window drawn as an OHLC-and-volume chart (./candle-image: 64 pixels high, 3
 * columns per candle), conv2d blocks with batch-norm and ReLU, global average pooling and the heads.
 * A CAM over the image decodes onto each candle by its block of columns. Each window is scaled on
 * its own: no normalization.
 */
import type { Candle } from '../../../src-shared/domain/market';
import { checkCandles, FeatureError } from '../../features/windows';
import { ModelFormatError, ModelSpecSchema } from '../spec';
import { blankColumnBlocks, candleImage, columnBlocksToCandles, IMAGE_HEIGHT, PIXELS_PER_CANDLE } from './candle-image';
import { imageGeometry, SMALL_IMAGE_CONVS } from './image-geometry';
import type { ModelKind } from './kind';

export const IMAGE_GEOMETRY = imageGeometry((spec) => ({ height: IMAGE_HEIGHT, width: PIXELS_PER_CANDLE * spec.sequence_length }), {
  toCandles: columnBlocksToCandles,
  blankCandles: blankColumnBlocks,
});

export const IMAGE_CNN: ModelKind = {
  name: 'image-cnn',
  geometry: IMAGE_GEOMETRY,
  // One candle before the window: the labels read the first candle's return, as for every kind.
  window: ({ spec }) => ({ windowLength: spec.sequence_length, historyLength: spec.sequence_length + 1, channels: ['chart'] }),
  encode({ spec }, history, stepMs) {
    const T = spec.sequence_length;
    if (history.length !== T + 1)
      throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${history.length}`);
    checkCandles(history, stepMs);
    return candleImage(history.slice(1));
  },
  runEncoder({ spec }, run: readonly Candle[], stepMs) {
    checkCandles(run, stepMs);
    const T = spec.sequence_length;
    return (end, out, offset) => {
      if (end < T) throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${end + 1}`);
      out.set(candleImage(run.slice(end + 1 - T, end + 1)), offset);
    };
  },
  // Jiang, Kelly and Xiu's 20-candle images (64 × 60).
  trainingDefaults: { windowLength: 20, convs: SMALL_IMAGE_CONVS, name: 'imagecnn' },
  fitsNormalization: false,
  trainingPipeline: (network) => ({ spec: ModelSpecSchema.parse({ ...network, kind: 'image-cnn', input_channels: 1 }), features: null }),
  importPipeline(spec, encoding) {
    if (encoding.features !== undefined || encoding.normalization !== undefined || encoding.series !== undefined)
      throw new ModelFormatError('an image-cnn reads the chart of its window: no "features", "normalization" or "series"');
    return { spec, features: null, normalization: null };
  },
};
