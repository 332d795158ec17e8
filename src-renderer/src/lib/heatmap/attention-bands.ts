/** The heatmap's data adapter: an explained signal as the bands to shade, one per candle of its window. */
import type { UTCTimestamp } from 'lightweight-charts';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { AttentionBand } from './attention-heatmap';

export function attentionBands(signal: Pick<Signal, 'windowStarts' | 'cam'>): AttentionBand[] {
  return signal.windowStarts.map((start, i) => ({ time: (start / 1000) as UTCTimestamp, weight: signal.cam[i] ?? 0 }));
}
