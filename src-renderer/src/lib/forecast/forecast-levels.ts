/**
 * What a signal's forecasts mean on the price axis, pure: the range the volatility head expects over
 * the next H candles (±1σ and ±2σ of the H-candle log return, widening as √h candle by candle), the
 * VaR levels as prices, and the words for each.
 */
import type { ForecastHeadName } from '../../../../src-shared/domain/forecast-explanation';
import type { HeadForecasts } from '../../../../src-shared/domain/forecasts';
import type { Signal } from '../../../../src-shared/domain/signal';

/** A signal's forecasts anchored on the close of its candle: what the chart draws ahead of it. */
export interface ForecastAnchor {
  signalId: number;
  /** Start (ms) of the signal's candle, the last closed one when the forecast was made. */
  time: number;
  close: number;
  /** H: the candles ahead the forecasts are of. */
  horizon: number;
  forecasts: HeadForecasts;
}

/** One edge of the expected range h candles ahead: the close moved by k·σ·√(h/H) in log terms. */
export function rangePrice(anchor: Pick<ForecastAnchor, 'close' | 'horizon'>, volatility: number, h: number, k: number): number {
  return anchor.close * Math.exp(k * volatility * Math.sqrt(h / anchor.horizon));
}

export interface VarLevel {
  quantile: number;
  /** The price at that quantile of the H-candle return. */
  price: number;
  /** The same as a simple return of the close, e.g. −0.012 for −1.2 %. */
  change: number;
}

/** Each VaR quantile as a price level below (or above) the close. */
export function varLevels(anchor: Pick<ForecastAnchor, 'close' | 'forecasts'>): VarLevel[] {
  return (anchor.forecasts.var ?? []).map(({ quantile, logReturn }) => ({
    quantile,
    price: anchor.close * Math.exp(logReturn),
    change: Math.expm1(logReturn),
  }));
}

/** `0.0123` → `1.23%`; signed when asked. */
export function percent(fraction: number, signed = false): string {
  const text = `${(Math.abs(fraction) * 100).toFixed(2)}%`;
  return signed ? `${fraction < 0 ? '−' : '+'}${text}` : text;
}

/** A quantile level in words: 0.01 → `1%`. */
export function levelText(quantile: number): string {
  return `${+(quantile * 100).toFixed(2)}%`;
}

/** Index of the VaR head's lowest quantile level (the 1% of 1% and 5%): the level the chart and panel show first. */
export function lowestVarIndex(forecasts: HeadForecasts): number | undefined {
  const levels = forecasts.var ?? [];
  if (levels.length === 0) return undefined;
  return levels.reduce((best, v, i) => (v.quantile < (levels[best]?.quantile ?? Infinity) ? i : best), 0);
}

export interface ForecastLine {
  head: ForecastHeadName;
  /** The output of the head the line reads (a VaR quantile's index). */
  target: number;
  title: string;
  value: string;
}

/** The heads a signal forecasts with, in the order the panel lists them, each with its one-line reading. */
export function forecastLines(forecasts: HeadForecasts): ForecastLine[] {
  const ahead = forecasts.horizon === undefined ? 'next candles' : `next ${forecasts.horizon} candles`;
  const lines: ForecastLine[] = [];
  if (forecasts.volatility !== undefined)
    lines.push({ head: 'volatility', target: 0, title: `Range, ${ahead}`, value: `±${percent(forecasts.volatility)} (1σ)` });
  const worstIndex = lowestVarIndex(forecasts);
  const worst = worstIndex === undefined ? undefined : forecasts.var?.[worstIndex];
  if (worstIndex !== undefined && worst !== undefined)
    lines.push({
      head: 'var',
      target: worstIndex,
      title: `VaR ${levelText(worst.quantile)}, ${ahead}`,
      value: percent(Math.expm1(worst.logReturn), true),
    });
  if (forecasts.sharpMove !== undefined)
    lines.push({ head: 'sharp', target: 0, title: `Sharp move, ${ahead}`, value: `${(forecasts.sharpMove * 100).toFixed(0)}%` });
  return lines;
}

/** The words heading an explanation of a forecast head's output. */
export function explainedHeadTitle(head: ForecastHeadName, signal: Pick<Signal, 'forecasts' | 'explains'>): string {
  if (head === 'volatility') return 'Volatility forecast';
  if (head === 'sharp') return 'Sharp-move forecast';
  const level = signal.forecasts?.var?.[signal.explains?.target ?? 0]?.quantile;
  return level === undefined ? 'VaR forecast' : `VaR ${levelText(level)} forecast`;
}

/** The signal whose forecasts the chart draws: the selected one when it forecasts, else the newest that does. */
export function forecastSignal(selected: Signal | undefined, list: readonly Signal[]): Signal | undefined {
  if (selected?.forecasts !== undefined) return selected;
  for (let i = list.length - 1; i >= 0; i--) if (list[i]?.forecasts !== undefined) return list[i];
  return undefined;
}

/** A signal's forecasts anchored on its candle's close (`closeAt`: the close of a candle start, if on the chart); undefined without a horizon or a volatility or VaR forecast to draw. */
export function anchorOf(signal: Signal | undefined, closeAt: (ms: number) => number | undefined): ForecastAnchor | undefined {
  const forecasts = signal?.forecasts;
  const horizon = forecasts?.horizon;
  if (signal === undefined || forecasts === undefined || horizon === undefined) return undefined;
  if (forecasts.volatility === undefined && (forecasts.var ?? []).length === 0) return undefined;
  const close = closeAt(signal.candleStart);
  return close === undefined ? undefined : { signalId: signal.id, time: signal.candleStart, close, horizon, forecasts };
}

/** The panel's words for a forecast head's explanation: which candles and channels made the model expect it. */
export function forecastSummary(
  title: string,
  value: string | undefined,
  facts: { topCandles: { start: number; back: number }[]; features: { label: string }[]; concentration: number },
  formatTime: (ms: number) => string,
): string {
  const forecast = `${title}${value === undefined ? '' : ` ${value}`}.`;
  const peak = facts.topCandles[0];
  if (peak === undefined) return `${forecast} The heatmap is empty: no candle stood out for this forecast.`;
  const drivers = facts.features
    .slice(0, 2)
    .map((f) => f.label)
    .join(' and ');
  const backs = facts.topCandles.map((c) => c.back).sort((a, b) => a - b);
  const span = backs[0] === backs.at(-1) ? `${backs[0]} back` : `${backs[0]}–${backs.at(-1)} back`;
  return (
    `${forecast} The candles that made the model expect it most lie ${span}, peaking at the ${formatTime(peak.start)} candle; ` +
    `the top 20% of candles hold ${(facts.concentration * 100).toFixed(0)}% of the attention.` +
    (drivers ? ` ${drivers} drove the forecast most.` : '')
  );
}
