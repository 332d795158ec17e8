/**
 * The time ticks on the axes of an image model's picture: a few of the window's candles, the signal's
 * own (the last) always among them, each at the middle of the rows or columns that show it, labelled
 * with its time of day, and its date where the day changes.
 */

export interface AxisTick {
  /** The candle (0 = the window's first). */
  candle: number;
  /** Where along the axis, in cells: the middle of the candle's rows or columns. */
  at: number;
  time: string;
  /** The date, on the first tick and where the day changes. */
  day?: string;
}

export interface TickFormat {
  time: (ms: number) => string;
  day: (ms: number) => string;
}

/**
 * Ticks along an axis whose lines (rows or columns) relate to `lines[i]` candles, at most `most`,
 * evenly spaced back from the window's last candle. None when the axis shows no candle (a chart's rows).
 */
export function axisTicks(
  lines: readonly (readonly number[])[],
  windowStarts: readonly number[],
  most: number,
  format: TickFormat,
): AxisTick[] {
  const positions = new Map<number, number[]>();
  lines.forEach((candles, i) => {
    for (const t of candles) positions.set(t, [...(positions.get(t) ?? []), i]);
  });
  const shown = [...positions.keys()].sort((a, b) => a - b);
  const last = shown.at(-1);
  if (last === undefined || most < 1) return [];
  const step = Math.max(1, Math.ceil(shown.length / most));
  const picked = shown.filter((t) => (last - t) % step === 0);
  let previousDay: string | undefined;
  return picked.map((candle) => {
    const at = positions.get(candle) ?? [];
    const ms = windowStarts[candle] ?? 0;
    const day = format.day(ms);
    const tick: AxisTick = { candle, at: ((at[0] ?? 0) + (at.at(-1) ?? 0) + 1) / 2, time: format.time(ms) };
    if (day !== previousDay) tick.day = day;
    previousDay = day;
    return tick;
  });
}
