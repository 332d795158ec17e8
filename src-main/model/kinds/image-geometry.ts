/**
 * The geometry of the image kinds: positions are the cells of an H × W image, row-major; conv2d
 * blocks ('same' padding, ../network's conv2d, trainable on every backend) with PyTorch's
 * [out, in, k, k] weights. Each kind gives its image size and how a map over the cells maps back to candles.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2d, type InputGeometry } from '../network';
import type { ModelSpec } from '../spec';

/** PyTorch conv weight [out, in, k, k] → conv2d filter [k, k, in, out], scaled per output channel. */
function filterFromPytorch(weight: { shape: number[]; data: Float32Array }, scale?: Float64Array): tf.Tensor4D {
  const [out = 0, inC = 0, k = 0] = weight.shape;
  const filter = new Float32Array(k * k * inC * out);
  for (let f = 0; f < out; f++) {
    const s = scale?.[f] ?? 1;
    for (let c = 0; c < inC; c++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) filter[((i * k + j) * inC + c) * out + f] = (weight.data[((f * inC + c) * k + i) * k + j] ?? 0) * s;
  }
  return tf.tensor4d(filter, [k, k, inC, out]);
}

function filterToPytorch(filter: Float32Array, [k = 0, , inC = 0, out = 0]: number[]): { shape: number[]; data: Float32Array } {
  const data = new Float32Array(out * inC * k * k);
  for (let f = 0; f < out; f++)
    for (let c = 0; c < inC; c++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) data[((f * inC + c) * k + i) * k + j] = filter[((i * k + j) * inC + c) * out + f] ?? 0;
  return { shape: [out, inC, k, k], data };
}

/** Two 3 × 3 blocks of 16 and 32 filters: the gaf-cnn golden's trunk, small enough to score live in a few ms. */
export const SMALL_IMAGE_CONVS = [
  { filters: 16, kernel_size: 3, padding: 1 },
  { filters: 32, kernel_size: 3, padding: 1 },
];

export function imageGeometry(
  size: (spec: ModelSpec) => { height: number; width: number },
  mapping: Pick<InputGeometry, 'toCandles' | 'blankCandles'>,
): InputGeometry {
  return {
    positions: (spec) => size(spec).height * size(spec).width,
    toImage: (x, spec) => tf.reshape(x, [x.shape[0], size(spec).height, size(spec).width, x.shape[2]]),
    filterFromPytorch,
    filterToPytorch,
    conv: conv2d,
    ...mapping,
  };
}
