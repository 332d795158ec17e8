/**
 * The VaR head's quantiles, ordered by construction: the highest level's output is its raw
 * output, and each lower level's is the next higher one's minus a softplus gap of its own raw
 * output, so a 1 % quantile can never lie above the 5 % one; all of them times the head's scale.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `raw` is the head's linear outputs [B, Q], columns in `levels`' order; the result, in the same
 * order, is in units of `scale` (the spec's `heads.var.scale`).
 */
export function orderedQuantiles(raw: tf.Tensor2D, levels: readonly number[], scale = 1): tf.Tensor2D {
  const [batch] = raw.shape;
  const column = (q: number): tf.Tensor2D => tf.slice(raw, [0, q], [batch, 1]);
  const descending = levels.map((level, q) => ({ level, q })).sort((a, b) => b.level - a.level);
  const columns: tf.Tensor2D[] = new Array<tf.Tensor2D>(levels.length);
  let above: tf.Tensor2D | undefined;
  for (const { q } of descending) {
    above = above === undefined ? column(q) : tf.sub<tf.Tensor2D>(above, tf.softplus(column(q)));
    columns[q] = above;
  }
  const ordered = tf.concat(columns, 1);
  return scale === 1 ? ordered : tf.mul(ordered, scale);
}
