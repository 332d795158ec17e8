/**
 * The attention colours. Behind the candles, a tint of one cool hue whose opacity rises with the
 * weight, kept faint so that red and green candles keep their colour and contrast in both themes (a
 * warm band would wash out red candles); the strip at the bottom of the price pane carries the full
 * scale, blue through amber to red, where no candle is drawn.
 */
export interface ColourStop {
  at: number;
  rgb: readonly [number, number, number];
  alpha: number;
}

/** The strip's scale: faint blue where the window got no attention, so the strip shows the whole window. */
export const HEAT_STOPS: readonly ColourStop[] = [
  { at: 0, rgb: [41, 98, 255], alpha: 0.3 },
  { at: 0.35, rgb: [41, 98, 255], alpha: 0.65 },
  { at: 0.7, rgb: [255, 179, 0], alpha: 0.9 },
  { at: 1, rgb: [244, 67, 54], alpha: 1 },
];

/** The tint behind candles: the accent blue, at most this opaque (at weight 1). */
const TINT_RGB = [41, 98, 255] as const;
export const TINT_MAX_ALPHA = 0.2;

/** Edges of the explained window, drawn whatever the attention at them. */
export const WINDOW_EDGE_COLOUR = 'rgba(120,123,134,0.9)';
/** Outline of the selected signal's own candle. */
export const SELECTED_CANDLE_COLOUR = '#ff9800';
/**
 * Outline of the candles a hovered part of the model's own picture relates to, on the chart and in the
 * picture: a magenta apart from the heat scale, the selected candle's orange and the candles' colours.
 */
export const RELATED_CANDLE_COLOUR = '#e040fb';

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const clampWeight = (weight: number) => (Number.isFinite(weight) ? Math.min(1, Math.max(0, weight)) : 0);

/** The scale's colour at `weight` (clamped to 0..1) as red, green, blue (0..255) and alpha (0..1). */
export function heatRgba(weight: number, stops: readonly ColourStop[] = HEAT_STOPS): [number, number, number, number] {
  const w = clampWeight(weight);
  const upper = stops.findIndex((s) => s.at >= w);
  const hi = stops[Math.max(0, upper)] ?? stops[stops.length - 1];
  const lo = stops[Math.max(0, upper - 1)] ?? hi;
  if (hi === undefined || lo === undefined) return [0, 0, 0, 0];
  const t = hi.at === lo.at ? 1 : (w - lo.at) / (hi.at - lo.at);
  const [r = 0, g = 0, b = 0] = [0, 1, 2].map((k) => Math.round(lerp(lo.rgb[k] ?? 0, hi.rgb[k] ?? 0, t)));
  return [r, g, b, lerp(lo.alpha, hi.alpha, t)];
}

export function heatColour(weight: number, stops: readonly ColourStop[] = HEAT_STOPS): string {
  const [r, g, b, a] = heatRgba(weight, stops);
  return `rgba(${r},${g},${b},${a.toFixed(3)})`;
}

/** The tint behind a candle of the given attention: transparent at 0. */
export function tintColour(weight: number): string {
  return `rgba(${TINT_RGB.join(',')},${(clampWeight(weight) * TINT_MAX_ALPHA).toFixed(3)})`;
}

/** A CSS gradient of the strip's scale for the key. */
export function legendGradient(stops: readonly ColourStop[] = HEAT_STOPS): string {
  return `linear-gradient(to right, ${stops.map((s) => `${heatColour(s.at, stops)} ${(s.at * 100).toFixed(0)}%`).join(', ')})`;
}
