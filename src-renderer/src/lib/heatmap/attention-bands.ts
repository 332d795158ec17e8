/** The heatmap's data: an explained signal as the bands to shade, one per candle of its window. */
import type { UTCTimestamp } from 'lightweight-charts';
import type { Signal } from '../../../../src-shared/domain/signal';

/** One candle of an explained window, to shade by its attention. */
export interface AttentionBand {
  /** Candle start, chart time (UTC seconds). */
  time: UTCTimestamp;
  weight: number;
}

export function attentionBands(signal: Pick<Signal, 'windowStarts' | 'cam'>): AttentionBand[] {
  return signal.windowStarts.map((start, i) => ({ time: (start / 1000) as UTCTimestamp, weight: signal.cam[i] ?? 0 }));
}
