/**
 * Times in messages meant for people: ISO 8601 in UTC, never bare epoch milliseconds. The renderer
 * shows them in the user's zone (localizeTimes); a log or the CLI shows them as they are.
 */
export const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?Z\b/g;

/** A message with each ISO time in it rewritten by `format` (epoch ms → words in the user's zone). */
export function localizeTimes(message: string, format: (ms: number) => string): string {
  return message.replace(ISO_TIME, (time) => format(Date.parse(time)));
}
