/**
 * Gramian angular fields (Wang & Oates, 2015) and their decoding onto time, pure arithmetic as in
 * ../shared/golden/README.md: a series rescaled to [−1, 1] by min-max (all zeros when flat),
 * φ = arccos(x), GASF[i][j] = cos(φi + φj), GADF[i][j] = sin(φi − φj). A cell (i, j) relates steps
 * i and j, so a map over the T × T cells decodes onto step t by its row and column (cellsToSteps).
 */

/** One series' GASF and GADF, each T × T row-major, in double precision. */
export function gramianAngularFields(series: ArrayLike<number>): { gasf: Float64Array; gadf: Float64Array } {
  const T = series.length;
  let min = Infinity;
  let max = -Infinity;
  for (let t = 0; t < T; t++) {
    min = Math.min(min, series[t] ?? NaN);
    max = Math.max(max, series[t] ?? NaN);
  }
  const angles = Float64Array.from({ length: T }, (_, t) => {
    const x = max === min ? 0 : (2 * (series[t] ?? 0) - max - min) / (max - min);
    return Math.acos(Math.min(1, Math.max(-1, x)));
  });
  const gasf = new Float64Array(T * T);
  const gadf = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      gasf[i * T + j] = Math.cos((angles[i] ?? 0) + (angles[j] ?? 0));
      gadf[i * T + j] = Math.sin((angles[i] ?? 0) - (angles[j] ?? 0));
    }
  }
  return { gasf, gadf };
}

/**
 * The network input of one window, [T·T, 2·S] position-major (cell (i, j) at position i·T + j):
 * for each series in order its GASF then its GADF channel, as float32.
 */
export function gafImage(series: readonly ArrayLike<number>[], T: number): Float32Array {
  const C = 2 * series.length;
  const out = new Float32Array(T * T * C);
  series.forEach((values, s) => {
    if (values.length !== T) throw new RangeError(`a GAF of ${T} steps needs ${T} values, got ${values.length}`);
    const { gasf, gadf } = gramianAngularFields(values);
    for (let p = 0; p < T * T; p++) {
      out[p * C + 2 * s] = gasf[p] ?? 0;
      out[p * C + 2 * s + 1] = gadf[p] ?? 0;
    }
  });
  return out;
}

/**
 * A map over the T × T cells → one value per step: step t gets (Σ_j cells[t][j] + Σ_i cells[i][t]) / 2,
 * the mean of its row and column times T. That scale is the golden's: its normalization adds 1e-8 to
 * the range, which the plain mean (T times smaller) would let weigh T times more on a flat map.
 */
export function cellsToSteps(cells: ArrayLike<number>, T: number): number[] {
  if (cells.length !== T * T) throw new RangeError(`a ${T} × ${T} map has ${T * T} cells, got ${cells.length}`);
  const steps = new Array<number>(T).fill(0);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const v = cells[i * T + j] ?? 0;
      steps[i] = (steps[i] ?? 0) + v;
      steps[j] = (steps[j] ?? 0) + v;
    }
  }
  return steps.map((sum) => sum / 2);
}

/** The cells of rows and columns `steps`, one window of [T·T, C] position-major. */
export function blankStepCells(window: Float32Array, channels: number, T: number, steps: readonly number[]): Float32Array {
  const out = Float32Array.from(window);
  for (const t of steps) {
    for (let k = 0; k < T; k++) {
      out.fill(0, (t * T + k) * channels, (t * T + k + 1) * channels);
      out.fill(0, (k * T + t) * channels, (k * T + t + 1) * channels);
    }
  }
  return out;
}
