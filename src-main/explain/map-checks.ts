/**
 * Comparisons of relevance maps over time, pure: the Spearman rank correlation of two maps (the
 * randomization sanity checks of Adebayo et al., 2018, as Quantus reports them), and how well a map
 * finds a pattern known to be in the window (the pointing game of Zhang et al., 2018, and the share
 * of the map's mass inside the pattern).
 */

/** Ranks 1..n, tied values sharing the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => (values[a] ?? 0) - (values[b] ?? 0));
  const ranks = new Array<number>(values.length).fill(0);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] as number] === values[order[start] as number]) end++;
    for (let i = start; i <= end; i++) ranks[order[i] as number] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return ranks;
}

/**
 * Spearman's ρ: Pearson's correlation of the average ranks. Null when either map is constant (an
 * all-zero CAM has no ranking to compare).
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new Error(`maps of ${a.length} and ${b.length} steps cannot be compared`);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (ra[i] ?? 0) - mean;
    const db = (rb[i] ?? 0) - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/** Steps [from, to) of a window that hold a planted pattern. */
export interface StepRange {
  from: number;
  to: number;
}

/**
 * The pointing game: does the map's highest step fall inside the pattern? A map whose maximum is
 * shared by several steps hits only when all of them are inside (a flat map points nowhere).
 */
export function pointsInside(map: ArrayLike<number>, pattern: StepRange): boolean {
  let max = -Infinity;
  for (let t = 0; t < map.length; t++) max = Math.max(max, map[t] ?? -Infinity);
  let hit = false;
  for (let t = 0; t < map.length; t++) {
    if (map[t] !== max) continue;
    if (t < pattern.from || t >= pattern.to) return false;
    hit = true;
  }
  return hit;
}

/** The share of the map's (non-negative) mass inside the pattern; 0 for an all-zero map. */
export function massInside(map: ArrayLike<number>, pattern: StepRange): number {
  let inside = 0;
  let total = 0;
  for (let t = 0; t < map.length; t++) {
    const v = Math.max(0, map[t] ?? 0);
    total += v;
    if (t >= pattern.from && t < pattern.to) inside += v;
  }
  return total > 0 ? inside / total : 0;
}
