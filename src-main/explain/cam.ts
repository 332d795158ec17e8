/**
 * Class-activation-map arithmetic over one window, pure. `A` and `g` are a conv block's output and
 * the gradient of the target logit with respect to it, time-major: value (t, k) at t·K + k.
 * Definitions follow ../shared/golden/README.md.
 */

export interface LayerMaps {
  /** Time steps. */
  T: number;
  /** Feature maps (filters of the conv block). */
  K: number;
  A: ArrayLike<number>;
  g: ArrayLike<number>;
}

/** cam_t = ReLU(Σ_k w_k · A[k,t]). */
export function weightedCam({ T, K, A }: Pick<LayerMaps, 'T' | 'K' | 'A'>, weights: ArrayLike<number>): Float64Array {
  const cam = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += (weights[k] ?? 0) * (A[t * K + k] ?? 0);
    cam[t] = Math.max(0, sum);
  }
  return cam;
}

/** Grad-CAM: α_k = mean over t of g[k,t]. */
export function gradCamRaw(maps: LayerMaps): Float64Array {
  const { T, K, g } = maps;
  const alpha = new Float64Array(K);
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) alpha[k] = (alpha[k] ?? 0) + (g[t * K + k] ?? 0) / T;
  return weightedCam(maps, alpha);
}

/**
 * Grad-CAM++ in 1-D form: a[k,t] = g² / (2g² + (Σ_t A[k,t])·g³ + 1e-7), 0 where g = 0;
 * w_k = Σ_t a[k,t] · ReLU(g[k,t]).
 */
export function gradCamPlusPlusRaw(maps: LayerMaps): Float64Array {
  const { T, K, A, g } = maps;
  const sumA = new Float64Array(K);
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) sumA[k] = (sumA[k] ?? 0) + (A[t * K + k] ?? 0);
  const w = new Float64Array(K);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < K; k++) {
      const grad = g[t * K + k] ?? 0;
      if (grad === 0) continue;
      const g2 = grad * grad;
      const a = g2 / (2 * g2 + (sumA[k] ?? 0) * g2 * grad + 1e-7);
      w[k] = (w[k] ?? 0) + a * Math.max(0, grad);
    }
  }
  return weightedCam(maps, w);
}

/** LayerCAM: cam_t = ReLU(Σ_k ReLU(g[k,t]) · A[k,t]), a per-position weight instead of a per-map one. */
export function layerCamRaw({ T, K, A, g }: LayerMaps): Float64Array {
  const cam = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.max(0, g[t * K + k] ?? 0) * (A[t * K + k] ?? 0);
    cam[t] = Math.max(0, sum);
  }
  return cam;
}

/** (cam − min) / (max − min + 1e-8): an all-zero map stays all zero. */
export function normalizeCam(cam: ArrayLike<number>): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (let t = 0; t < cam.length; t++) {
    const v = cam[t] ?? 0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Array.from(cam, (v) => (v - min) / (max - min + 1e-8));
}

/** Score-CAM masks: map k min-max normalized over time, [K][T]. */
export function scoreCamMasks({ T, K, A }: Pick<LayerMaps, 'T' | 'K' | 'A'>): Float32Array[] {
  return Array.from({ length: K }, (_, k) => {
    const column = Float64Array.from({ length: T }, (_, t) => A[t * K + k] ?? 0);
    let min = Infinity;
    let max = -Infinity;
    for (const v of column) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return Float32Array.from(column, (v) => (max > min ? (v - min) / (max - min) : 0));
  });
}

export function softmax(logits: ArrayLike<number>): number[] {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const exp = values.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
