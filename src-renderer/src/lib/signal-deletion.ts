/** The explanation panel's line on one signal's own deletion test (the signal's `deletion`), pure. */
import type { Signal } from '../../../src-shared/domain/signal';

const points = (drop: number) => `${(drop * 100).toFixed(1)} points`;

/**
 * What the test measured and what it means, in two sentences: the drop of the predicted probability
 * when the most attended candles are imputed from their neighbours, against as many random candles.
 */
export function deletionLine(deletion: NonNullable<Signal['deletion']>): { measured: string; meaning: string } {
  const share = `${(deletion.fraction * 100).toFixed(0)}%`;
  const measured = `Filling in its ${share} most attended candles from their neighbours lowers the probability of the call by ${points(deletion.topDrop)}; ${share} at random, by ${points(deletion.randomDrop)}.`;
  if (deletion.topDrop <= 0 || deletion.topDrop <= deletion.randomDrop)
    return { measured, meaning: 'The heatmap does no better than chance for this signal: do not read much into it.' };
  const times = deletion.randomDrop > 0 ? ` (${(deletion.topDrop / deletion.randomDrop).toFixed(1)}× chance)` : '';
  return { measured, meaning: `The call depends on the candles the heatmap marks${times}: it points at what the model used.` };
}
