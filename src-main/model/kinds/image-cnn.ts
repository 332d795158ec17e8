/**
 * `image-cnn`: the window drawn as an OHLC-and-volume chart (../../features/chart-image: 64 pixels
 * high, 3 columns per candle), conv2d blocks with batch-norm and ReLU, global average pooling and the heads.
 * A CAM over the image decodes onto each candle by its block of columns. Each window is scaled on
 * its own: no normalization.
 */
import type { Candle } from '../../../src-shared/domain/market';
import {
  candleOfColumn,
  CHART_HEIGHT,
  chartMapToCandles,
  chartRows,
  PIXELS_PER_CANDLE,
  renderChartImage,
} from '../../features/chart-image';
import { checkCandles, FeatureError } from '../../features/windows';
import { ModelFormatError, ModelSpecSchema, type ModelSpec } from '../spec';
import { imageGeometry, SMALL_IMAGE_CONVS } from './image-geometry';
import type { ImageLayout } from './image-layout';
import type { ModelKind } from './kind';

/** A copy of one image [cells, channels] with the column blocks of `candles` blanked (the faithfulness test's deletion). */
export function blankColumnBlocks(image: Float32Array, channels: number, T: number, candles: readonly number[]): Float32Array {
  const width = PIXELS_PER_CANDLE * T;
  const out = Float32Array.from(image);
  for (const t of candles)
    for (let r = 0; r < CHART_HEIGHT; r++) {
      const from = (r * width + PIXELS_PER_CANDLE * t) * channels;
      out.fill(0, from, from + PIXELS_PER_CANDLE * channels);
    }
  return out;
}

const chartSize = (spec: ModelSpec) => ({ height: CHART_HEIGHT, width: PIXELS_PER_CANDLE * spec.sequence_length });

export const IMAGE_GEOMETRY = imageGeometry(chartSize, {
  toCandles: (cells, T) => chartMapToCandles(cells, CHART_HEIGHT, T),
  blankCandles: blankColumnBlocks,
});

/** The chart as a picture: a row is a price (or volume) level of the whole window; a column belongs to its candle's block. */
export const CHART_LAYOUT: ImageLayout = {
  size: chartSize,
  channels: () => ['chart'],
  rowCandles: () => [],
  columnCandles: (_spec, column) => [candleOfColumn(column)],
  // The top price row is the window's highest high, the last its lowest low (../../features/chart-image); the volume band's middle.
  rowMarks(_spec, window) {
    const rows = chartRows(CHART_HEIGHT);
    return [
      { row: 0, price: Math.max(...window.map((c) => c.high)) },
      { row: rows.price - 1, price: Math.min(...window.map((c) => c.low)) },
      { row: CHART_HEIGHT - Math.ceil(rows.volume / 2), text: 'volume' },
    ];
  },
};

export const IMAGE_CNN: ModelKind = {
  name: 'image-cnn',
  geometry: IMAGE_GEOMETRY,
  image: CHART_LAYOUT,
  // One candle before the window: the labels read the first candle's return, as for every kind.
  window: ({ spec }) => ({ windowLength: spec.sequence_length, historyLength: spec.sequence_length + 1, channels: ['chart'] }),
  encode({ spec }, history, stepMs) {
    const T = spec.sequence_length;
    if (history.length !== T + 1)
      throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${history.length}`);
    checkCandles(history, stepMs);
    return renderChartImage(history.slice(1)).pixels;
  },
  runEncoder({ spec }, run: readonly Candle[], stepMs) {
    checkCandles(run, stepMs);
    const T = spec.sequence_length;
    return (end, out, offset) => {
      if (end < T) throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${end + 1}`);
      out.set(renderChartImage(run.slice(end + 1 - T, end + 1)).pixels, offset);
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
