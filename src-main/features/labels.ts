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
  const returns: number[] = [];
  for (let i = first; i <= end; i++) returns.push(Math.log((series[i] as Candle).close / (series[i - 1] as Candle).close));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const sigma = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
  const threshold = spec.thresholdK * sigma * Math.sqrt(spec.horizon);
  const forward = Math.log(future.close / last.close);
  const label = forward > threshold ? BUY : forward < -threshold ? SELL : HOLD;
  return { windowFrom: start.time, windowTo: last.time, labelFrom: (series[end + 1] as Candle).time, labelTo: future.time, label };
}

/** Throws LookaheadError when a sample's label reads a candle of its own window (or earlier). */
export function checkNoLookahead(samples: readonly Sample[]): void {
  for (const s of samples) {
    if (s.labelFrom <= s.windowTo || s.labelTo < s.labelFrom || s.windowFrom > s.windowTo) {
      throw new LookaheadError(
        `look-ahead: the label of the window ${s.windowFrom}..${s.windowTo} reads candles ${s.labelFrom}..${s.labelTo}`,
      );
    }
  }
}
