/**
 * `cnn-lstm`, the alert app's model: the window's chart image (image-cnn's, ../../features/chart-image)
 * through the conv2d trunk, globally average-pooled, beside an LSTM (../lstm, PyTorch's layout) over
 * the window's close-to-close log returns, its last hidden state; the heads read both, [F + H].
 *
 * One input, [positions, 1] as for every kind: the image's H × W cells row-major, then T LSTM steps,
 * step t the percent log return 100·ln(close_t / close_{t−1}) of candle t (the first from the candle
 * before the window). Returns rather than the closes: the chart already shows the closes scaled
 * within the window, which erases how far prices moved; the returns keep that size (the image cannot
 * tell a calm window from a wild one) and are comparable across price levels; and the volatility
 * head's anchor reads them as they are (std 0.01 undoes the percent). No normalization: both parts
 * are fixed functions of the window's candles.
 *
 * A CAM over the image decodes onto each candle by its block of columns (its LSTM steps hold no map,
 * and Score-CAM's masks, 0 there, score the chart with flat returns); gradient × input is split into
 * two named channels: `chart`, summed over each candle's column block, and `close_lstm`, each LSTM step's.
 */
import type { Candle } from '../../../src-shared/domain/market';
import { CHART_HEIGHT, chartMapToCandles, PIXELS_PER_CANDLE, renderChartImage } from '../../features/chart-image';
import { checkCandles, FeatureError } from '../../features/windows';
import type { InputGeometry } from '../network';
import { ModelFormatError, ModelSpecSchema } from '../spec';
import { SMALL_IMAGE_CONVS } from './image-geometry';
import { blankColumnBlocks, CHART_LAYOUT, IMAGE_GEOMETRY } from './image-cnn';
import type { ModelKind } from './kind';

/** The LSTM steps' unit: percent log returns. */
export const LSTM_RETURN_SCALE = 100;

/** The LSTM's hidden units unless a model says otherwise. */
export const DEFAULT_LSTM_HIDDEN = 32;

/** The window's cells: the chart's 64 rows × 3 columns per candle. */
function cellCount(T: number): number {
  return CHART_HEIGHT * PIXELS_PER_CANDLE * T;
}

/** A map over the chart's cells → per candle, the sum over its block of columns. */
function columnBlockSums(values: ArrayLike<number>, T: number): number[] {
  const cells = Float64Array.from({ length: cellCount(T) }, (_, i) => values[i] ?? NaN);
  return chartMapToCandles(cells, CHART_HEIGHT, T).map((mean) => mean * CHART_HEIGHT * PIXELS_PER_CANDLE);
}

/** Positions: the chart's cells (image-cnn's geometry), then the T LSTM steps. */
export const CNN_LSTM_GEOMETRY: InputGeometry = {
  ...IMAGE_GEOMETRY,
  positions: (spec) => IMAGE_GEOMETRY.positions(spec) + spec.sequence_length,
  toCandles(values, T) {
    const cells = cellCount(T);
    if (values.length !== cells + T)
      throw new RangeError(`a cnn-lstm window of ${T} candles has ${cells + T} positions, got ${values.length}`);
    return columnBlockSums(values, T).map((sum, t) => sum + (values[cells + t] ?? NaN));
  },
  blankCandles(window, channels, T, candles) {
    const out = blankColumnBlocks(window, channels, T, candles);
    for (const t of candles) out.fill(0, (cellCount(T) + t) * channels, (cellCount(T) + t + 1) * channels);
    return out;
  },
  attribution(products, channels, T) {
    const cells = cellCount(T);
    if (channels !== 1 || products.length !== cells + T)
      throw new RangeError(`a cnn-lstm window of ${T} candles is [${cells + T}, 1], got ${products.length} values in ${channels} channels`);
    const chart = columnBlockSums(products, T);
    const steps = Array.from(products.subarray(cells));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return { totals: [sum(chart), sum(steps)], byCandle: chart.map((value, t) => [value, steps[t] ?? NaN]) };
  },
};

/** `candles` (the one before the window, then its T) → the window's input: chart cells, then T percent log returns. */
function encodeWindow(candles: readonly Candle[]): Float32Array {
  const T = candles.length - 1;
  const out = new Float32Array(cellCount(T) + T);
  out.set(renderChartImage(candles.slice(1)).pixels);
  for (let t = 0; t < T; t++) {
    const value = LSTM_RETURN_SCALE * Math.log((candles[t + 1]?.close ?? NaN) / (candles[t]?.close ?? NaN));
    if (!Number.isFinite(value)) throw new FeatureError(`candle ${t} of the window has no finite log return of its close`);
    out[cellCount(T) + t] = value;
  }
  return out;
}

export const CNN_LSTM: ModelKind = {
  name: 'cnn-lstm',
  geometry: CNN_LSTM_GEOMETRY,
  // Its picture is the chart, the input's first cells (its LSTM steps follow them).
  image: CHART_LAYOUT,
  // One candle before the window: the first LSTM step's return, and the labels' first return.
  window: ({ spec }) => ({
    windowLength: spec.sequence_length,
    historyLength: spec.sequence_length + 1,
    channels: ['chart', 'close_lstm'],
  }),
  encode({ spec }, history, stepMs) {
    const T = spec.sequence_length;
    if (history.length !== T + 1)
      throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${history.length}`);
    checkCandles(history, stepMs);
    return encodeWindow(history);
  },
  runEncoder({ spec }, run, stepMs) {
    checkCandles(run, stepMs);
    const T = spec.sequence_length;
    return (end, out, offset) => {
      if (end < T) throw new FeatureError(`a window needs ${T + 1} candles (the one before it + ${T}), got ${end + 1}`);
      out.set(encodeWindow(run.slice(end - T, end + 1)), offset);
    };
  },
  // image-cnn's 20-candle chart and trunk.
  trainingDefaults: { windowLength: 20, convs: SMALL_IMAGE_CONVS, name: 'cnnlstm' },
  fitsNormalization: false,
  trainingPipeline(network) {
    const volatility = network.heads?.volatility;
    // The volatility head starts from the window's own returns: the LSTM steps, in percent.
    const heads =
      volatility === undefined
        ? network.heads
        : { ...network.heads, volatility: { ...volatility, anchor: { channel: 0, mean: 0, std: 1 / LSTM_RETURN_SCALE } } };
    return {
      spec: ModelSpecSchema.parse({
        ...network,
        heads,
        kind: 'cnn-lstm',
        input_channels: 1,
        lstm: network.lstm ?? { hidden: DEFAULT_LSTM_HIDDEN },
      }),
      features: null,
    };
  },
  importPipeline(spec, encoding) {
    if (encoding.features !== undefined || encoding.normalization !== undefined || encoding.series !== undefined)
      throw new ModelFormatError(
        'a cnn-lstm reads the chart of its window and its closes\' log returns: no "features", "normalization" or "series"',
      );
    return { spec, features: null, normalization: null };
  },
};
