/** The small dense linear algebra the baselines need (a handful of unknowns), pure. */

/** Solves A·x = b by Gaussian elimination with partial pivoting; refuses a singular system. */
export function solveLinearSystem(matrix: readonly (readonly number[])[], rhs: readonly number[]): number[] {
  const n = rhs.length;
  if (matrix.length !== n || matrix.some((row) => row.length !== n))
    throw new Error(`a linear system needs an ${n}×${n} matrix for ${n} right-hand values`);
  const a = matrix.map((row, i) => [...row, rhs[i] ?? 0]);
  const scale = Math.max(...a.flatMap((row) => row.slice(0, n).map(Math.abs)), 0);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    const pivotRow = a[pivot] ?? [];
    if (!(Math.abs(pivotRow[col] ?? 0) > 1e-13 * scale))
      throw new Error('the linear system is singular: its columns are linearly dependent (a constant or repeated regressor?)');
    [a[col], a[pivot]] = [pivotRow, a[col] ?? []];
    for (let r = col + 1; r < n; r++) {
      const row = a[r] ?? [];
      const factor = (row[col] ?? 0) / (pivotRow[col] ?? 1);
      for (let c = col; c <= n; c++) row[c] = (row[c] ?? 0) - factor * (pivotRow[c] ?? 0);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r] ?? [];
    let sum = row[n] ?? 0;
    for (let c = r + 1; c < n; c++) sum -= (row[c] ?? 0) * (x[c] ?? 0);
    x[r] = sum / (row[r] ?? 1);
  }
  return x;
}

export interface LeastSquaresFit {
  coefficients: number[];
  /** 1 − residual sum of squares / total sum of squares (about the mean of y). */
  rSquared: number;
}

/**
 * Ordinary least squares by the normal equations (XᵀX)β = Xᵀy; each row of X carries its own
 * intercept column if wanted. The columns are scaled to unit length first, so regressors of very
 * different sizes (an intercept of 1 beside squared minute returns of 1e-8) stay solvable.
 */
export function ordinaryLeastSquares(rows: readonly (readonly number[])[], y: readonly number[]): LeastSquaresFit {
  const k = rows[0]?.length ?? 0;
  if (rows.length !== y.length) throw new Error(`least squares needs one target per row: ${rows.length} rows, ${y.length} targets`);
  if (rows.length < k || k === 0)
    throw new Error(`least squares needs at least as many rows as unknowns: ${rows.length} rows, ${k} unknowns`);
  const bad = rows.findIndex((row) => row.length !== k || row.some((v) => !Number.isFinite(v)));
  if (bad >= 0) throw new Error(`least squares needs ${k} finite regressors in every row: row ${bad} is [${rows[bad]?.join(', ')}]`);
  const norms = Array.from({ length: k }, (_, j) => Math.sqrt(rows.reduce((s, row) => s + (row[j] ?? 0) ** 2, 0)) || 1);
  const xtx = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  rows.forEach((row, t) => {
    const x = row.map((v, j) => v / (norms[j] ?? 1));
    const target = y[t] ?? 0;
    for (let i = 0; i < k; i++) {
      const xi = x[i] ?? 0;
      xty[i] = (xty[i] ?? 0) + xi * target;
      const xtxRow = xtx[i] ?? [];
      for (let j = 0; j < k; j++) xtxRow[j] = (xtxRow[j] ?? 0) + xi * (x[j] ?? 0);
    }
  });
  const coefficients = solveLinearSystem(xtx, xty).map((b, j) => b / (norms[j] ?? 1));
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  let residual = 0;
  let total = 0;
  rows.forEach((row, t) => {
    const fitted = row.reduce((s, x, i) => s + x * (coefficients[i] ?? 0), 0);
    residual += ((y[t] ?? 0) - fitted) ** 2;
    total += ((y[t] ?? 0) - mean) ** 2;
  });
  return { coefficients, rSquared: total > 0 ? 1 - residual / total : 0 };
}
