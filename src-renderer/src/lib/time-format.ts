/** Chart time labels in the user's time zone (the chart itself counts UTC seconds). */

/** lightweight-charts' TickMarkType values: Year, Month, DayOfMonth, Time, TimeWithSeconds. */
const TICK = { year: 0, month: 1, day: 2, time: 3, seconds: 4 } as const;

export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** A `datetime-local` input's value for epoch ms: such inputs show the user's zone, as the chart's labels do. */
export function toDateTimeInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Epoch ms of a `datetime-local` input's value, read in the user's zone (NaN when not a time: the bridge refuses it). */
export function fromDateTimeInput(text: string): number {
  return new Date(text).getTime();
}

export function timeFormatters(timeZone: string, locale?: string) {
  const make = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, hourCycle: 'h23', ...options });
  const full = make({ year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const clock = make({ hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const day = make({ year: 'numeric', month: 'short', day: 'numeric' });
  const ticks = {
    [TICK.year]: make({ year: 'numeric' }),
    [TICK.month]: make({ month: 'short' }),
    [TICK.day]: make({ day: 'numeric', month: 'short' }),
    [TICK.time]: make({ hour: '2-digit', minute: '2-digit' }),
    [TICK.seconds]: make({ hour: '2-digit', minute: '2-digit', second: '2-digit' }),
  } as Record<number, Intl.DateTimeFormat>;
  return {
    /** Crosshair and legend label for a chart time (UTC seconds). */
    label: (seconds: number) => full.format(seconds * 1000),
    /** Time-scale tick label for a chart time and lightweight-charts' tick mark type. */
    tick: (seconds: number, tickType: number) => (ticks[tickType] ?? full).format(seconds * 1000),
    /** A time of day (epoch ms) to the second: when a stream went down. */
    clock: (ms: number) => clock.format(ms),
    /** A date (epoch ms). */
    day: (ms: number) => day.format(ms),
  };
}
