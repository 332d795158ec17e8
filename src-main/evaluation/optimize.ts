/** Deterministic derivative-free minimizers for fitting the baselines, pure. */

const INVERSE_GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Golden-section search for the minimum of a unimodal f on [low, high], to the given width. */
export function goldenSectionMinimize(f: (x: number) => number, low: number, high: number, tolerance = 1e-9): { x: number; value: number } {
  let a = low;
  let b = high;
  let c = b - INVERSE_GOLDEN * (b - a);
  let d = a + INVERSE_GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INVERSE_GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INVERSE_GOLDEN * (b - a);
      fd = f(d);
    }
  }
  const x = (a + b) / 2;
  return { x, value: f(x) };
}

export interface NelderMeadOptions {
  /** The initial simplex: x0 and x0 + step along each axis. */
  step?: number;
  /** Stop when the simplex's values differ by less than this. */
  tolerance?: number;
  maxIterations?: number;
}

/** Nelder–Mead with the standard coefficients (reflect 1, expand 2, contract ½, shrink ½); non-finite values count as +∞. */
export function nelderMead(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  { step = 0.5, tolerance = 1e-10, maxIterations = 2000 }: NelderMeadOptions = {},
): { x: number[]; value: number; iterations: number } {
  const evaluate = (x: number[]): { x: number[]; value: number } => {
    const value = f(x);
    return { x, value: Number.isFinite(value) ? value : Infinity };
  };
  const n = start.length;
  let simplex = [evaluate([...start])];
  for (let i = 0; i < n; i++) simplex.push(evaluate(start.map((v, j) => (i === j ? v + step : v))));
  const along = (from: readonly number[], to: readonly number[], t: number): number[] => from.map((v, j) => v + t * ((to[j] ?? 0) - v));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0];
    const worst = simplex[n];
    const secondWorst = simplex[n - 1];
    if (!best || !worst || !secondWorst) break;
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (const p of simplex.slice(0, n)) p.x.forEach((v, j) => (centroid[j] = (centroid[j] ?? 0) + v / n));
    const reflected = evaluate(along(centroid, worst.x, -1));
    if (reflected.value < best.value) {
      const expanded = evaluate(along(centroid, worst.x, -2));
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < secondWorst.value) {
      simplex[n] = reflected;
    } else {
      const contracted =
        reflected.value < worst.value ? evaluate(along(centroid, reflected.x, 0.5)) : evaluate(along(centroid, worst.x, 0.5));
      if (contracted.value < Math.min(reflected.value, worst.value)) simplex[n] = contracted;
      else simplex = simplex.map((p, i) => (i === 0 ? p : evaluate(along(best.x, p.x, 0.5))));
    }
  }
  simplex.sort((p, q) => p.value - q.value);
  const best = simplex[0] ?? evaluate([...start]);
  return { x: best.x, value: best.value, iterations };
}
