/**
 * The attention colour scale: transparent at 0, through blue and amber to red at 1, with opacity
 * rising with the weight so that unattended candles keep the plain chart background.
 */
export interface ColourStop {
  at: number;
  rgb: readonly [number, number, number];
  alpha: number;
}

export const HEAT_STOPS: readonly ColourStop[] = [
  { at: 0, rgb: [41, 98, 255], alpha: 0 },
  { at: 0.35, rgb: [41, 98, 255], alpha: 0.22 },
  { at: 0.7, rgb: [255, 179, 0], alpha: 0.4 },
  { at: 1, rgb: [244, 67, 54], alpha: 0.55 },
];

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

export function heatColour(weight: number, stops: readonly ColourStop[] = HEAT_STOPS): string {
  const w = Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0;
  const upper = stops.findIndex((s) => s.at >= w);
  const hi = stops[Math.max(0, upper)] ?? stops[stops.length - 1];
  const lo = stops[Math.max(0, upper - 1)] ?? hi;
  if (hi === undefined || lo === undefined) return 'rgba(0,0,0,0)';
  const t = hi.at === lo.at ? 1 : (w - lo.at) / (hi.at - lo.at);
  const [r, g, b] = [0, 1, 2].map((k) => Math.round(lerp(lo.rgb[k] ?? 0, hi.rgb[k] ?? 0, t)));
  return `rgba(${r},${g},${b},${lerp(lo.alpha, hi.alpha, t).toFixed(3)})`;
}

/** A CSS gradient of the scale for the legend. */
export function legendGradient(stops: readonly ColourStop[] = HEAT_STOPS): string {
  return `linear-gradient(to right, ${stops.map((s) => `${heatColour(s.at, stops)} ${(s.at * 100).toFixed(0)}%`).join(', ')})`;
}
