/**
 * Pure summaries of an attention vector (a normalized CAM over a window's candles), shared by the
 * explanation panel, alerts and the backtest's concentration filter.
 */

/** Indices of the `k` largest weights, largest first (ties keep time order). */
export function topIndices(weights: readonly number[], k: number): number[] {
  return weights
    .map((w, i) => ({ w, i }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .slice(0, Math.max(0, k))
    .map(({ i }) => i);
}

/**
 * Share of the total attention held by the top 20% of candles: 0.2 for a flat map, 1 when a few
 * candles hold it all. 0 for an all-zero map (nothing attended).
 */
export function attentionConcentration(weights: readonly number[], topShare = 0.2): number {
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  if (total === 0) return 0;
  const k = Math.max(1, Math.round(weights.length * topShare));
  return topIndices(weights, k).reduce((sum, i) => sum + Math.max(0, weights[i] ?? 0), 0) / total;
}
