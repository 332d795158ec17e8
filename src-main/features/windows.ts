/**
 * Candles to model inputs, pure: unbroken runs of the series, and one window's feature matrix
 * [T, C] (time-major) from exactly warmup + T closed candles, every value computed from the past.
 */
import type { Candle } from '../ipc/contract';
import { bollingerPercentB, macdHistogram, rollingMeanStd, rsi } from './indicators';
import type { FeatureChannel, FeatureSpec, Normalization } from './spec';

export class FeatureError extends Error {
  override name = 'FeatureError';
}

/** Splits ascending candles into runs where each candle follows the previous by exactly `stepMs`. */
export function unbrokenRuns<C extends Pick<Candle, 'time'>>(candles: readonly C[], stepMs: number): C[][] {
  const runs: C[][] = [];
  let run: C[] = [];
  for (const candle of candles) {
    const last = run.at(-1);
    if (last !== undefined && candle.time - last.time !== stepMs) {
      runs.push(run);
      run = [];
    }
    run.push(candle);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Candles one window's features read: the warmup, then the T candles of the window. */
export function historyLength(spec: FeatureSpec): number {
  return spec.warmup + spec.windowLength;
}

const Z_WINDOW = 60;
const VOLUME_MA = 20;

function channelSeries(history: readonly Candle[]): Record<FeatureChannel, Float64Array> {
  const n = history.length;
  const close = Float64Array.from(history, (c) => c.close);
  const previous = (i: number) => history[Math.max(0, i - 1)]?.close ?? 1;
  const logReturn = (pick: (c: Candle) => number) => Float64Array.from(history, (c, i) => Math.log(pick(c) / previous(i)));
  const logVolume = Float64Array.from(history, (c) => Math.log1p(c.volume));
  const { mean: lvMean, std: lvStd } = rollingMeanStd(logVolume, Z_WINDOW);
  const { mean: volumeMa } = rollingMeanStd(
    Float64Array.from(history, (c) => c.volume),
    VOLUME_MA,
  );
  return {
    ret_open: logReturn((c) => c.open),
    ret_high: logReturn((c) => c.high),
    ret_low: logReturn((c) => c.low),
    ret_close: logReturn((c) => c.close),
    log_volume_z: Float64Array.from({ length: n }, (_, i) =>
      (lvStd[i] ?? 0) > 1e-12 ? ((logVolume[i] ?? 0) - (lvMean[i] ?? 0)) / (lvStd[i] ?? 1) : 0,
    ),
    rsi14: rsi(close, 14).map((v) => v / 100),
    // Divided by the close so that the scale does not depend on the price level.
    macd_hist: macdHistogram(close).map((v, i) => v / (close[i] ?? 1)),
    bollinger_pct_b: bollingerPercentB(close),
    volume_vs_ma: Float64Array.from(history, (c, i) => {
      const ma = volumeMa[i] ?? 0;
      return Math.log(Math.min(1e3, Math.max(1e-3, ma > 0 ? c.volume / ma : 1)));
    }),
  };
}

/**
 * The feature matrix of the window made of the last T candles of `history` (exactly warmup + T
 * unbroken closed candles), normalized when `normalization` is given. Throws FeatureError when the
 * history is short, broken, not closed, or yields a non-finite value.
 */
export function windowFeatures(history: readonly Candle[], spec: FeatureSpec, stepMs: number, normalization?: Normalization): Float32Array {
  const needed = historyLength(spec);
  if (history.length !== needed)
    throw new FeatureError(`a window needs ${needed} candles (${spec.warmup} warm-up + ${spec.windowLength}), got ${history.length}`);
  for (let i = 0; i < history.length; i++) {
    const c = history[i] as Candle;
    if (!c.confirmed) throw new FeatureError(`candle ${c.time} is not closed`);
    if (i > 0 && c.time - (history[i - 1] as Candle).time !== stepMs)
      throw new FeatureError(`the series breaks before ${c.time}: a window may not span a gap`);
    if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0 && c.volume >= 0))
      throw new FeatureError(`candle ${c.time} has a non-positive price or negative volume`);
  }
  const series = channelSeries(history);
  const T = spec.windowLength;
  const C = spec.channels.length;
  const out = new Float32Array(T * C);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < C; c++) {
      const channel = spec.channels[c] as FeatureChannel;
      let value = series[channel][spec.warmup + t] ?? NaN;
      if (normalization) value = (value - (normalization.mean[c] ?? 0)) / (normalization.std[c] ?? 1);
      if (!Number.isFinite(value))
        throw new FeatureError(`feature ${channel} is not finite at ${(history[spec.warmup + t] as Candle).time}`);
      out[t * C + c] = value;
    }
  }
  return out;
}

/** Per-channel mean and standard deviation over flat [N, T, C] inputs (the training part only). */
export function fitNormalization(inputs: Float32Array, channels: number): Normalization {
  const sum = new Float64Array(channels);
  const squares = new Float64Array(channels);
  const rows = inputs.length / channels;
  for (let i = 0; i < inputs.length; i++) sum[i % channels] = (sum[i % channels] ?? 0) + (inputs[i] ?? 0);
  const mean = Array.from(sum, (s) => s / rows);
  for (let i = 0; i < inputs.length; i++)
    squares[i % channels] = (squares[i % channels] ?? 0) + ((inputs[i] ?? 0) - (mean[i % channels] ?? 0)) ** 2;
  return { mean, std: Array.from(squares, (s) => Math.max(Math.sqrt(s / rows), 1e-8)) };
}

export function normalizeInPlace(inputs: Float32Array, normalization: Normalization): Float32Array {
  const C = normalization.mean.length;
  for (let i = 0; i < inputs.length; i++)
    inputs[i] = ((inputs[i] ?? 0) - (normalization.mean[i % C] ?? 0)) / (normalization.std[i % C] ?? 1);
  return inputs;
}
