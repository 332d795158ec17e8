/** The audit hash of a window's input: sha256 over every candle the features read, field by field. */
import { createHash } from 'node:crypto';
import type { Candle } from '../../src-shared/domain/market';

export function inputHash(history: readonly Candle[]): string {
  const values = new Float64Array(history.length * 6);
  history.forEach((c, i) => values.set([c.time, c.open, c.high, c.low, c.close, c.volume], i * 6));
  return createHash('sha256').update(new Uint8Array(values.buffer)).digest('hex');
}
