/** Pure views of explained signals: chart markers and the facts the explanation panel states. */
import type { UTCTimestamp } from 'lightweight-charts';
import { attentionConcentration, topIndices } from '../../../src-shared/domain/attention';
import type { FeatureChannel } from '../../../src-shared/domain/feature-spec';
import { CAM_LABELS, type Signal } from '../../../src-shared/domain/signal';
import { DOWN_COLOUR, UP_COLOUR } from './chart-data';
import type { SignalMarker } from './marker-layout';

// The method picker and the panel import the names from here; the domain owns them.

/** Readable names for the model's input channels; unknown names are shown as they are. */
const FEATURE_LABELS: Record<FeatureChannel, string> = {
  ret_open: 'open return',
  ret_high: 'high return',
  ret_low: 'low return',
  ret_close: 'close return',
  log_volume_z: 'volume z-score',
  rsi14: 'RSI(14)',
  macd_hist: 'MACD histogram',
  bollinger_pct_b: 'Bollinger %B',
  volume_vs_ma: 'volume vs its average',
};

export const featureLabel = (name: string) => FEATURE_LABELS[name as FeatureChannel] ?? name;

/**
 * The channels that drove one candle of the signal's window, largest magnitude first; undefined when
 * the signal carries no per-candle attribution or the candle is not in its window.
 */
export function candleTopFeatures(signal: Signal, start: number, k = 2): { label: string; attribution: number }[] | undefined {
  const row = signal.candleFeatures?.[signal.windowStarts.indexOf(start)];
  if (row === undefined) return undefined;
  return signal.features
    .map((f, channel) => ({ label: featureLabel(f.name), attribution: row[channel] ?? 0 }))
    .sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution))
    .slice(0, k);
}

export function confidence(signal: Signal): number {
  return Math.max(...signal.probabilities);
}

const markerLabel = (signal: Signal) => `${signal.predicted.toUpperCase()} ${(confidence(signal) * 100).toFixed(0)}%`;

/**
 * Buy and sell markers with their confidence; hold shows none. Every marker carries its label; the
 * chart's layout (marker-layout) decides at each zoom which markers and labels have room.
 */
export function signalMarkers(signals: readonly Signal[]): SignalMarker[] {
  return signals
    .filter((s) => s.predicted !== 'hold')
    .sort((a, b) => a.candleStart - b.candleStart)
    .map((s) => ({
      confidence: confidence(s),
      label: markerLabel(s),
      marker: {
        id: String(s.id),
        time: (s.candleStart / 1000) as UTCTimestamp,
        position: s.predicted === 'buy' ? 'belowBar' : 'aboveBar',
        shape: s.predicted === 'buy' ? 'arrowUp' : 'arrowDown',
        color: s.predicted === 'buy' ? UP_COLOUR : DOWN_COLOUR,
      },
    }));
}

/** Id of the marker of the provisional signal (the candle still forming); stored signals have numeric ids. */
export const FORMING_MARKER_ID = 'forming';

/** The provisional signal's marker: hollow-looking (a circle, faded), never for hold. */
export function provisionalMarker(signal: Signal | undefined): SignalMarker[] {
  if (signal === undefined || signal.predicted === 'hold') return [];
  return [
    {
      confidence: confidence(signal),
      label: `${markerLabel(signal)}?`,
      marker: {
        id: FORMING_MARKER_ID,
        time: (signal.candleStart / 1000) as UTCTimestamp,
        position: signal.predicted === 'buy' ? 'belowBar' : 'aboveBar',
        shape: 'circle',
        color: `${signal.predicted === 'buy' ? UP_COLOUR : DOWN_COLOUR}99`,
      },
    },
  ];
}

export interface ExplanationFacts {
  confidence: number;
  concentration: number;
  /** The most attended candles, most attended first; `back` counts candles before the signal's. */
  topCandles: { start: number; weight: number; back: number }[];
  /** Per-channel attribution, largest magnitude first, with each one's share of the total magnitude. */
  features: { name: string; label: string; attribution: number; share: number }[];
  summary: string;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function explainSignal(signal: Signal, formatTime: (ms: number) => string, topK = 5): ExplanationFacts {
  const n = signal.cam.length;
  const concentration = attentionConcentration(signal.cam);
  const topCandles = topIndices(signal.cam, Math.min(topK, n))
    .filter((i) => (signal.cam[i] ?? 0) > 0)
    .map((i) => ({ start: signal.windowStarts[i] ?? 0, weight: signal.cam[i] ?? 0, back: n - 1 - i }));
  const magnitude = signal.features.reduce((sum, f) => sum + Math.abs(f.attribution), 0) || 1;
  const features = [...signal.features]
    .sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution))
    .map((f) => ({ ...f, label: featureLabel(f.name), share: Math.abs(f.attribution) / magnitude }));
  const p = confidence(signal);
  const call = `${signal.predicted.toUpperCase()} with ${pct(p)} confidence (${CAM_LABELS[signal.method]}, model ${signal.modelVersion}).`;
  if (topCandles.length === 0) {
    return {
      confidence: p,
      concentration,
      topCandles,
      features,
      summary: `${call} The heatmap is empty: the evidence did not settle on any candle, so this explanation says little; treat the call with care.`,
    };
  }
  const backs = topCandles.map((c) => c.back).sort((a, b) => a - b);
  const nearest = backs[0] ?? 0;
  const farthest = backs.at(-1) ?? 0;
  const where =
    farthest <= 4 ? 'the last few candles' : nearest >= n / 2 ? 'the older half of the window' : `candles ${nearest}–${farthest} back`;
  const peak = topCandles[0];
  const focus =
    concentration >= 0.5 ? 'a focused explanation' : concentration >= 0.35 ? 'a moderately focused explanation' : 'a diffuse explanation';
  const drivers = features
    .slice(0, 2)
    .map((f) => f.label)
    .join(' and ');
  return {
    confidence: p,
    concentration,
    topCandles,
    features,
    summary:
      `${call} The model looked mostly at ${where}, peaking at the ${formatTime(peak?.start ?? 0)} candle; ` +
      `the top 20% of candles hold ${pct(concentration)} of the attention (${focus}).` +
      (drivers ? ` ${drivers} drove the call most.` : ''),
  };
}
