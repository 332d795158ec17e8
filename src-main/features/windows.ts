/**
 * Candles to model inputs, pure: unbroken runs of the series, and one window's feature matrix
 * [T, C] (time-major) from exactly warmup + T closed candles, every value computed from the past.
 */
import type { Candle } from '../../src-shared/domain/market';
import { finiteChannels, LONGEST_TRAILING, seededChannels } from '../../src-shared/indicators/channels';
import type { FeatureChannel, FeatureSpec, Normalization } from '../../src-shared/domain/feature-spec';
import { iso } from '../../src-shared/domain/iso-time';

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

export function checkCandles(history: readonly Candle[], stepMs: number): void {
  for (let i = 0; i < history.length; i++) {
    const c = history[i] as Candle;
    if (!c.confirmed) throw new FeatureError(`candle ${iso(c.time)} is not closed`);
    if (i > 0 && c.time - (history[i - 1] as Candle).time !== stepMs)
      throw new FeatureError(`the series breaks before ${iso(c.time)}: a window may not span a gap`);
    if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0 && c.volume >= 0))
      throw new FeatureError(`candle ${iso(c.time)} has a non-positive price or negative volume`);
  }
}

/** Writes a window's feature matrix [T, C] into `out` at `offset`. */
export type WindowWriter = (end: number, out: Float32Array, offset: number) => void;

/**
 * The features of every window of an unbroken run, each exactly as `windowFeatures` gives it from
 * its own warmup + T candles: the finite-memory channels are computed once over the run (a value
 * reads only candles at or before it, so later candles change nothing), the seeded ones again from
 * each window's own first candle. Returns a writer for the window ending at run index `end`
 * (end ≥ warmup + T − 1). Throws FeatureError on a broken, open or non-positive candle, or a
 * non-finite value.
 */
export function runFeatures(run: readonly Candle[], spec: FeatureSpec, stepMs: number, normalization?: Normalization): WindowWriter {
  checkCandles(run, stepMs);
  const needed = historyLength(spec);
  const T = spec.windowLength;
  const C = spec.channels.length;
  const close = Float64Array.from(run, (c) => c.close);
  // With a warm-up shorter than the longest trailing window, a window's own history is cut short: per window then.
  const shared = spec.warmup >= LONGEST_TRAILING - 1 ? finiteChannels(run) : undefined;
  return (end, out, offset) => {
    const start = end + 1 - needed;
    if (start < 0 || end >= run.length)
      throw new FeatureError(`a window needs ${needed} candles (${spec.warmup} warm-up + ${T}), got ${end + 1}`);
    const finite = shared ?? finiteChannels(run.slice(start, end + 1));
    const finiteStart = shared === undefined ? 0 : start;
    const seeded = seededChannels(close.subarray(start, end + 1));
    for (let c = 0; c < C; c++) {
      const channel = spec.channels[c] as FeatureChannel;
      const own = seeded[channel];
      const series = own ?? finite[channel];
      const first = (own === undefined ? finiteStart : 0) + spec.warmup;
      for (let t = 0; t < T; t++) {
        let value = series?.[first + t] ?? NaN;
        if (normalization) value = (value - (normalization.mean[c] ?? 0)) / (normalization.std[c] ?? 1);
        if (!Number.isFinite(value))
          throw new FeatureError(`feature ${channel} is not finite at ${iso((run[start + spec.warmup + t] as Candle).time)}`);
        out[offset + t * C + c] = value;
      }
    }
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
  const out = new Float32Array(spec.windowLength * spec.channels.length);
  runFeatures(history, spec, stepMs, normalization)(needed - 1, out, 0);
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
