/**
 * A signal's attribution by channel and candle (gradient × input per step and channel), as the panes'
 * heat strips and the matrix view show it: one signed scale for the whole window, so that strips of
 * different channels compare. Pure.
 */
import type { Signal } from '../../../../src-shared/domain/signal';

export interface ChannelAttribution {
  signalId: number;
  /** Candle starts (ms) of the window, oldest first. */
  starts: number[];
  /** Channel names, as the signal's features. */
  channels: string[];
  /** values[candle][channel]. */
  values: number[][];
  /** The largest magnitude in the window: ±scale is the full colour. */
  scale: number;
}

/** The signal's attribution matrix; undefined when it carries none (a stored signal not yet re-explained). */
export function channelAttribution(signal: Signal | undefined): ChannelAttribution | undefined {
  const values = signal?.candleFeatures;
  if (signal === undefined || values === undefined || values.length !== signal.windowStarts.length) return undefined;
  const scale = Math.max(1e-12, ...values.flatMap((row) => row.map(Math.abs)));
  return { signalId: signal.id, starts: signal.windowStarts, channels: signal.features.map((f) => f.name), values, scale };
}

/** One channel's attribution at each candle of the window: time (ms), value and its weight in −1..1. */
export function channelCells(attribution: ChannelAttribution, channel: string): { time: number; value: number; weight: number }[] {
  const index = attribution.channels.indexOf(channel);
  if (index < 0) return [];
  return attribution.starts.map((time, i) => {
    const value = attribution.values[i]?.[index] ?? 0;
    return { time, value, weight: value / attribution.scale };
  });
}

/**
 * A cell's colour: toward the call warm (amber to red), against it purple, opacity with the magnitude;
 * never fully transparent, so the strip shows the whole window.
 */
export function attributionColour(weight: number): string {
  const w = Number.isFinite(weight) ? Math.max(-1, Math.min(1, weight)) : 0;
  const alpha = (0.25 + 0.75 * Math.abs(w)).toFixed(3);
  if (w < 0) return `rgba(126,87,194,${alpha})`; // the explanation panel's "against it" purple
  const g = Math.round(179 - 112 * w); // amber (255,179,0) to red (244,67,54)
  return `rgba(${Math.round(255 - 11 * w)},${g},${Math.round(54 * w)},${alpha})`;
}

/** The readout of one cell, as the pane legend and the matrix show it. */
export function describeCell(label: string, value: number): string {
  return `${label}: ${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(4)} ${value >= 0 ? 'toward the call' : 'against it'}`;
}
