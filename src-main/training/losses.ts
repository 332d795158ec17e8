/**
 * The weighted multi-task loss over the heads a model has (./heads): class-weighted cross-entropy
 * for direction, QLIKE (or the squared error) of the log volatility, pinball loss of the VaR quantiles, binary
 * cross-entropy of the sharp-move logit, each times its weight in the spec. The regression losses
 * are divided by their target's spread on the training part (variance for the squared error,
 * standard deviation for the pinball loss), so that weight 1 means about as much for each head
 * whatever the units.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadOutputs } from '../model/network';
import { headsOf, type HeadName } from '../model/heads';
import type { ModelSpec } from '../model/spec';

/** A batch's labels, one value per window, for the heads the model has. */
export interface HeadTargets {
  labels: tf.Tensor1D;
  logVolatility?: tf.Tensor1D;
  forwardReturn?: tf.Tensor1D;
  sharp?: tf.Tensor1D;
}

/** What the loss needs besides the batch, fitted on the training part. */
export interface LossScales {
  classWeights: tf.Tensor1D;
  /** Variance of the log-volatility labels. */
  volatility: number;
  /** Standard deviation of the H-candle log returns. */
  forwardReturn: number;
}

export function weightedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, classes: number): tf.Scalar {
  const oneHot = tf.oneHot(labels, classes);
  const perWindow = tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
  const w = tf.gather(weights, labels);
  return tf.div(tf.sum(tf.mul(perWindow, w)), tf.sum(w));
}

/** Mean over windows and quantiles of max(q·e, (q − 1)·e), e = y − ŷ, for predictions [B, Q]. */
export function pinballLoss(predictions: tf.Tensor2D, actual: tf.Tensor1D, quantiles: readonly number[]): tf.Scalar {
  const q = tf.tensor1d([...quantiles]);
  const error = tf.sub(tf.reshape(actual, [-1, 1]), predictions);
  return tf.mean(tf.maximum(tf.mul(error, q), tf.mul(error, tf.sub(q, 1))));
}

/** Binary cross-entropy of logits z against 0/1 labels y, stable: max(z, 0) − z·y + log(1 + e^−|z|). */
export function logisticLoss(logits: tf.Tensor1D, labels: tf.Tensor1D): tf.Scalar {
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/** Past this log error (realized volatility e⁴ ≈ 55 times the forecast) QLIKE's exponential is held, so that one window cannot swamp a batch. */
const MAX_QLIKE_LOG_ERROR = 4;

/**
 * Mean QLIKE (Patton, 2011) of variance forecasts e^(2ŷ) against realized variances e^(2y), written in
 * the log error e = y − ŷ: RV/σ̂² − log(RV/σ̂²) − 1 = e^(2e) − 2e − 1. Its minimum is the conditional
 * mean of the variance, where a squared error of the log sits below it (by Jensen), so a forecast
 * fitted by it under-states the variance that QLIKE, EWMA and GARCH are judged by.
 */
export function qlikeLoss(logError: tf.Tensor1D): tf.Scalar {
  const e = tf.minimum(logError, MAX_QLIKE_LOG_ERROR);
  return tf.mean(tf.sub(tf.sub(tf.exp(tf.mul(e, 2)), tf.mul(e, 2)), 1));
}

function column(outputs: HeadOutputs, head: HeadName): tf.Tensor1D {
  return tf.reshape(outputs[head] as tf.Tensor2D, [-1]);
}

function required<T>(value: T | undefined, head: HeadName): T {
  if (value === undefined) throw new Error(`the ${head} head has no labels in this batch`);
  return value;
}

/** The weighted sum of each head's loss. A direction-only model's loss is its cross-entropy, unweighted, as before the heads. */
export function multiTaskLoss(spec: ModelSpec, outputs: HeadOutputs, targets: HeadTargets, scales: LossScales): tf.Scalar {
  const heads = headsOf(spec);
  const terms: tf.Scalar[] = [];
  const add = (loss: tf.Scalar, weight: number) => terms.push(weight === 1 ? loss : tf.mul(loss, weight));
  if (heads.direction !== undefined) {
    add(
      weightedCrossEntropy(outputs.direction as tf.Tensor2D, targets.labels, scales.classWeights, spec.num_classes),
      heads.direction.loss_weight,
    );
  }
  if (heads.volatility !== undefined) {
    const error = tf.sub<tf.Tensor1D>(required(targets.logVolatility, 'volatility'), column(outputs, 'volatility'));
    const loss = heads.volatility.loss === 'qlike' ? qlikeLoss(error) : tf.div<tf.Scalar>(tf.mean(tf.square(error)), scales.volatility);
    add(loss, heads.volatility.loss_weight);
  }
  if (heads.var !== undefined) {
    const loss = pinballLoss(outputs.var as tf.Tensor2D, required(targets.forwardReturn, 'var'), heads.var.quantiles);
    add(tf.div(loss, scales.forwardReturn), heads.var.loss_weight);
  }
  if (heads.sharp !== undefined) add(logisticLoss(column(outputs, 'sharp'), required(targets.sharp, 'sharp')), heads.sharp.loss_weight);
  return terms.length === 1 ? (terms[0] as tf.Scalar) : (tf.addN(terms) as tf.Scalar);
}
