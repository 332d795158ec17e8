/** The caption written on an exported chart picture: what it shows, so the file speaks for itself. */
import { CAM_LABELS, type CamMethodName } from '../../../src-shared/domain/signal';
import type { StreamKeyValue } from '../../../src-shared/domain/market';

export interface CaptionFacts {
  stream: StreamKeyValue;
  /** First and last candle on screen (ms). */
  range: { from: number; to: number } | undefined;
  /** The model of the signal explained on the chart, else the active one. */
  modelVersion: string | undefined;
  method: CamMethodName;
  timeZone: string;
}

/** Two lines: the stream and time range, then the model and method (pure). */
export function chartCaption(facts: CaptionFacts, formatTime: (ms: number) => string): [string, string] {
  const { stream, range } = facts;
  const interval = /^\d+$/.test(stream.interval) ? `${stream.interval}m` : stream.interval;
  const span = range === undefined ? 'no candles on screen' : `${formatTime(range.from)} – ${formatTime(range.to)} (${facts.timeZone})`;
  return [
    `${stream.symbol} ${interval} ${stream.category} · ${span}`,
    `model ${facts.modelVersion ?? 'none'} · ${CAM_LABELS[facts.method]} attention`,
  ];
}
