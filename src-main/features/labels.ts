/**
 * Labels and the samples a dataset is made of, pure. A label reads only candles after its window;
 * `checkNoLookahead` refuses any sample where that is not so.
 */
import type { Candle } from '../../src-shared/domain/market';
import type { LabelSpec } from '../../src-shared/domain/feature-spec';

export const LABELS = ['buy', 'hold', 'sell'] as const;
export const BUY = 0;
export const HOLD = 1;
export const SELL = 2;

export class LookaheadError extends Error {
  override name = 'LookaheadError';
}

/** A forecast head's label and the first and last candle it reads. */
export interface TargetLabel {
  from: number;
  to: number;
  value: number;
}

/**
 * The forecast heads' labels of one window (./forecast-labels): the log realized volatility, the
 * log return (the VaR head's quantiles are fitted to it) and the sharp move (1 or 0) of the next
 * H candles.
 */
export type ForecastLabels = Record<'volatility' | 'var' | 'sharp', TargetLabel>;

/** One window and its label, by candle start times. */
export interface Sample {
  /** Start of the window's first candle. */
  windowFrom: number;
  /** Start of the window's last candle: the candle the signal is given on. */
  windowTo: number;
  /** First and last candle the label reads. */
  labelFrom: number;
  labelTo: number;
  label: number;
  /** The forecast heads' labels, when the dataset was built for them. */
  forecasts?: ForecastLabels;
}

/** Every label of a sample with the candles it reads: the direction label, then the forecast ones. */
export function labelReads(sample: Sample): { name: string; from: number; to: number }[] {
  const reads = [{ name: 'direction', from: sample.labelFrom, to: sample.labelTo }];
  for (const [name, label] of Object.entries(sample.forecasts ?? {})) reads.push({ name, from: label.from, to: label.to });
  return reads;
}

/** The last candle any label of the sample reads. */
export function lastLabelRead(sample: Sample): number {
  return Math.max(...labelReads(sample).map((r) => r.to));
}

/**
 * σ of the 1-candle log returns over the `windowLength` candles ending at `series[end]` (population
 * standard deviation, past only). The series needs one candle before the window.
 */
export function windowVolatility(series: readonly Candle[], end: number, windowLength: number): number {
  const first = end - windowLength + 1;
  const returns: number[] = [];
  for (let i = first; i <= end; i++) returns.push(Math.log((series[i] as Candle).close / (series[i - 1] as Candle).close));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  return Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
}

/**
 * Label of the window ending at `series[end]`: buy when the log return from its close to the close
 * H candles later exceeds k·σ·√H, sell below −k·σ·√H, hold between; σ is the standard deviation of
 * 1-candle log returns over the window's own `windowLength` candles (past only).
 */
export function labelWindow(series: readonly Candle[], end: number, windowLength: number, spec: LabelSpec): Sample {
  const first = end - windowLength + 1;
  const future = series[end + spec.horizon];
  const last = series[end];
  const start = series[first];
  if (first < 1 || last === undefined || start === undefined)
    throw new RangeError(`window ending at ${end} does not fit the series with one candle before it`);
  if (future === undefined) throw new RangeError(`no candle ${spec.horizon} after index ${end}`);
  const sigma = windowVolatility(series, end, windowLength);
  const threshold = spec.thresholdK * sigma * Math.sqrt(spec.horizon);
  const forward = Math.log(future.close / last.close);
  const label = forward > threshold ? BUY : forward < -threshold ? SELL : HOLD;
  return { windowFrom: start.time, windowTo: last.time, labelFrom: (series[end + 1] as Candle).time, labelTo: future.time, label };
}

/** Throws LookaheadError when any label of a sample reads a candle of its own window (or earlier). */
export function checkNoLookahead(samples: readonly Sample[]): void {
  for (const s of samples) {
    for (const read of labelReads(s)) {
      if (read.from <= s.windowTo || read.to < read.from || s.windowFrom > s.windowTo) {
        const label = read.name === 'direction' ? 'the label' : `the ${read.name} label`;
        throw new LookaheadError(
          `look-ahead: ${label} of the window ${s.windowFrom}..${s.windowTo} reads candles ${read.from}..${read.to}`,
        );
      }
    }
  }
}
