/**
 * What a candle must be to be stored, pure and shared by every input path (WebSocket pushes, REST
 * pages, CSV import, the fake exchange's replay files): finite numbers, positive prices, a
 * non-negative volume, low ≤ open, close ≤ high; and, against the exchange's clock, a candle that has
 * begun and is confirmed only once it has ended.
 */
import { nextCandleStart, type Interval } from '../../src-shared/domain/intervals';

export const CANDLE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type CandleValues = Record<(typeof CANDLE_FIELDS)[number], number>;
export type CandleTexts = Record<(typeof CANDLE_FIELDS)[number], string>;

export interface CandleProblem {
  kind: 'non_finite' | 'impossible_candle';
  reason: string;
}

/**
 * How far ahead of the exchange's clock a candle may start, or end when confirmed: the clocks of the
 * exchange's servers and of this machine differ a little (Bybit's own signed requests allow 5 s).
 */
export const CLOCK_SKEW_MS = 5_000;

const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A plain decimal as the exchange and our CSV write it; anything else (`NaN`, `Infinity`, `0x1`, '') is NaN. */
export function decimal(text: string): number {
  return DECIMAL_TEXT.test(text) ? Number(text) : Number.NaN;
}

const impossible = (reason: string): CandleProblem => ({ kind: 'impossible_candle', reason });

/**
 * Why these values cannot be a candle, or null when they can. `texts`, when the values were read
 * from text, lets the reason quote what was written.
 */
export function candleProblem(values: CandleValues, texts?: CandleTexts): CandleProblem | null {
  // Plain loops and early returns: this runs for each of a million backfilled rows.
  for (const field of CANDLE_FIELDS) {
    if (!Number.isFinite(values[field])) {
      const written = texts === undefined ? String(values[field]) : JSON.stringify(texts[field].slice(0, 40));
      return { kind: 'non_finite', reason: `${field} ${written} is not a finite number` };
    }
  }
  const { open, high, low, close, volume } = values;
  if (low > high) return impossible(`low ${low} is above high ${high}`);
  if (low <= 0) return impossible(`low ${low} is not a positive price`);
  if (volume < 0) return impossible(`volume ${volume} is negative`);
  if (open < low || open > high) return impossible(`open ${open} lies outside low ${low} .. high ${high}`);
  if (close < low || close > high) return impossible(`close ${close} lies outside low ${low} .. high ${high}`);
  return null;
}

/** Reads decimal texts into candle values, or says why they cannot be a candle. */
export function readCandleValues(texts: CandleTexts): CandleValues | CandleProblem {
  const values = {
    open: decimal(texts.open),
    high: decimal(texts.high),
    low: decimal(texts.low),
    close: decimal(texts.close),
    volume: decimal(texts.volume),
  };
  return candleProblem(values, texts) ?? values;
}

export interface ClockProblem {
  kind: 'far_future' | 'early_confirmation';
  reason: string;
}

/**
 * Why a candle cannot be true at `clock`, the exchange's time as far as we trust it, or null:
 * it starts more than CLOCK_SKEW_MS after `clock`, or it is confirmed while its end is more than
 * CLOCK_SKEW_MS after `confirmClock` (the exchange's own stamp: see readFrame for why).
 */
export function clockProblem(
  interval: Interval,
  candle: { time: number; confirmed: boolean },
  clock: number,
  confirmClock = clock,
): ClockProblem | null {
  if (candle.time > clock + CLOCK_SKEW_MS) {
    return { kind: 'far_future', reason: `candle ${candle.time} starts after the exchange's clock (${clock}) allows` };
  }
  if (candle.confirmed && nextCandleStart(interval, candle.time) > confirmClock + CLOCK_SKEW_MS) {
    return { kind: 'early_confirmation', reason: `candle ${candle.time} is confirmed before its end (exchange clock ${confirmClock})` };
  }
  return null;
}
