/**
 * Class-activation-map arithmetic. `A` and `g` are a conv block's output and the gradient of the
 * target output (a class logit, or a forecast head's output) with respect to it, time-major: [B, T, K] tensors for the gradient methods (batched
 * on the tfjs backend, so that the block's output is never copied out), value (t, k) at t·K + k of
 * one window for Score-CAM's masks. Definitions follow ../shared/golden/README.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { CamMethodName } from '../../src-shared/domain/signal';
import { meanOverTime } from '../model/network';

/** One window's feature maps, time-major. */
export interface FeatureMaps {
  /** Time steps. */
  T: number;
  /** Feature maps (filters of the conv block). */
  K: number;
  A: ArrayLike<number>;
}

/** A, g [B, T, K] → [B, 1, K], a weight per map, or [B, T, K], a weight per position. */
export type GradientWeights = (A: tf.Tensor3D, g: tf.Tensor3D) => tf.Tensor3D;

/**
 * How one CAM method weighs a conv block's feature maps A: the only part that differs between
 * methods. The weighted sum over maps and its ReLU (gradientCams, weightedCam) and the
 * normalization (normalizeCam) are the same for all.
 */
export type CamWeighting =
  | {
      /** Reads g, the gradient of the target output with respect to A (autodiff over the heads). */
      needs: 'gradients';
      weights: GradientWeights;
    }
  | {
      /**
       * Reads, per map k, the target's score on the window masked by map k (scoreCamMasks): a
       * class's softmax probability, or a forecast head's score (../explainer's headScores);
       * forward passes only, window by window.
       */
      needs: 'maskedScores';
      /** One window's K scores → its K map weights. */
      weights(scores: Float32Array): ArrayLike<number>;
    };

/** The CAM methods by name; a method offered in the domain without an entry here does not compile. */
export const CAM_WEIGHTINGS = {
  /** Grad-CAM: α_k = mean over t of g[k,t]. */
  gradcam: { needs: 'gradients', weights: (_A, g) => tf.reshape(meanOverTime(g), [g.shape[0], 1, g.shape[2]]) },
  /**
   * Grad-CAM++ in 1-D form: a[k,t] = g² / (2g² + (Σ_t A[k,t])·g³ + 1e-7), which is 0 where g = 0;
   * w_k = Σ_t a[k,t] · ReLU(g[k,t]).
   */
  gradcampp: {
    needs: 'gradients',
    weights: (A, g) => {
      const g2 = tf.square(g);
      const a = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(tf.sum(A, 1, true), tf.mul(g2, g))), 1e-7));
      return tf.sum(tf.mul(a, tf.relu(g)), 1, true);
    },
  },
  /** Score-CAM: w_k = the target's score on the window masked by map k. */
  scorecam: { needs: 'maskedScores', weights: (scores) => scores },
  /** LayerCAM: w[k,t] = ReLU(g[k,t]), a weight per position instead of per map. */
  layercam: { needs: 'gradients', weights: (_A, g) => tf.relu(g) },
} as const satisfies Record<CamMethodName, CamWeighting>;

/** cam[b,t] = ReLU(Σ_k w[b,k(,t)] · A[b,t,k]) for a batch on the tfjs backend: [B, T, K] → [B, T]. */
export function gradientCams(A: tf.Tensor3D, weights: tf.Tensor3D): tf.Tensor2D {
  return tf.relu(tf.sum(tf.mul(A, weights), 2)) as tf.Tensor2D;
}

/**
 * cam_t = ReLU(Σ_k w_k · A[k,t]) for one window, in double precision: Score-CAM's weights come window
 * by window, off the backend, and its maps have always been summed this way (a sum on the backend
 * would round its values to float32).
 */
export function weightedCam({ T, K, A }: FeatureMaps, weights: ArrayLike<number>): Float64Array {
  const cam = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += (weights[k] ?? 0) * (A[t * K + k] ?? 0);
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
export function scoreCamMasks({ T, K, A }: FeatureMaps): Float32Array[] {
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
