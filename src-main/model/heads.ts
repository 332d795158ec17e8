/**
 * The heads on the conv trunk and where their outputs sit in the model's output row, pure. The
 * row is every head's raw outputs in HEAD_NAMES order: direction logits, the log realized
 * volatility, the VaR quantiles (log returns, ordered by the network: ./var-order), the sharp-move logit. A spec without `heads` has
 * the direction head only. Pure: zod only.
 */
import { z } from 'zod';
import type { HeadForecasts } from '../../src-shared/domain/forecasts';

/** The sharp-move head's k: a move beyond k·σ·√H is sharp. */
export const DEFAULT_SHARP_K = 2;

/** A head's weight in the multi-task training loss. */
const LossWeight = z.number().nonnegative().max(1000).default(1);

/** A VaR quantile level: a lower tail of the return distribution, strictly between 0 and 0.5. */
export const VarQuantile = z
  .number()
  .gt(0, { message: 'a VaR quantile must lie strictly between 0 and 0.5 (e.g. 0.01)' })
  .lt(0.5, { message: 'a VaR quantile must lie strictly between 0 and 0.5 (e.g. 0.01)' });

/**
 * Where the volatility head starts from: the window's own trailing realized volatility, ½·log of the
 * mean of r² over the window, r its 1-candle log returns: input channel `channel` de-normalized
 * (·std + mean). The head's dense output is then the log change from it, so that its level follows
 * the market the window comes from (a calmer period, a symbol it never saw) rather than the level of
 * its training period. Training sets it on the close-to-close return channel.
 */
export const VolatilityAnchor = z.object({
  channel: z.number().int().nonnegative(),
  mean: z.number(),
  std: z.number().positive(),
});
export type VolatilityAnchorValue = z.output<typeof VolatilityAnchor>;

/**
 * The heads on the shared conv trunk, each optional (their outputs: headLayout below). The direction
 * head is `fc.*` with `num_classes` logits, as in a spec without `heads`; the others are named
 * `heads.<name>.*`. Every head reads the next H candles (the label horizon).
 */
export const HeadsSpec = z
  .object({
    /** buy/hold/sell logits, class-weighted cross-entropy. */
    direction: z.object({ loss_weight: LossWeight }).optional(),
    /**
     * Log realized volatility of the next H candles; trained by QLIKE of the variance it gives
     * (../training/losses), or by the squared error of the log.
     */
    volatility: z
      .object({ loss_weight: LossWeight, loss: z.enum(['qlike', 'squared_log']).default('qlike'), anchor: VolatilityAnchor.optional() })
      .optional(),
    /** Quantiles of the next-H-candle log return, pinball loss. */
    var: z
      .object({
        loss_weight: LossWeight,
        quantiles: z.array(VarQuantile).min(1).max(8).default([0.01, 0.05]),
        /**
         * The quantiles' unit, in log return: the head's ordered outputs times this. Training sets it
         * to the spread of its training returns, so that the dense layer works at about unit size, as
         * on standardized labels (at 1 its outputs, a few thousandths, drown in its initial weights'
         * noise); 1, a model trained elsewhere, reads the outputs as log returns.
         */
        scale: z.number().positive().max(1000).default(1),
        /**
         * The quantiles are in units of the volatility head's forecast of the same H candles: scale
         * × the ordered outputs × e^(log volatility), so that they widen and narrow with it as a
         * risk desk's volatility-scaled VaR does. Needs the volatility head.
         */
        per_volatility: z.boolean().default(false),
      })
      .optional(),
    /** Logit of |next-H-candle log return| > k · σ · √H (σ of the window's 1-candle returns), cross-entropy. */
    sharp: z.object({ loss_weight: LossWeight, k: z.number().positive().max(100).default(DEFAULT_SHARP_K) }).optional(),
  })
  .refine((h) => Object.values(h).some((head) => head !== undefined), { message: 'a model needs at least one head' })
  .refine((h) => !(h.var?.per_volatility ?? false) || h.volatility !== undefined, {
    message: 'a VaR head in units of the volatility forecast (per_volatility) needs the volatility head',
  });
export type HeadsSpecValue = z.output<typeof HeadsSpec>;

/** What of a model spec the heads depend on (./spec's ModelSpec has it). */
export interface HeadedSpec {
  num_classes: number;
  heads?: HeadsSpecValue;
}

export const HEAD_NAMES = ['direction', 'volatility', 'var', 'sharp'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

export function isHeadName(name: string): name is HeadName {
  return (HEAD_NAMES as readonly string[]).includes(name);
}

/** One head's outputs in the output row: columns offset .. offset + size − 1. */
export interface HeadSlot {
  name: HeadName;
  offset: number;
  size: number;
}

/** A head asked for (to explain, forecast or import) that the model does not have. */
export class MissingHeadError extends Error {
  override name = 'MissingHeadError';
}

/** The spec's heads; the direction head alone when it names none. */
export function headsOf(spec: HeadedSpec): HeadsSpecValue {
  return spec.heads ?? { direction: { loss_weight: 1 } };
}

function headSize(spec: HeadedSpec, name: HeadName): number | undefined {
  const heads = headsOf(spec);
  switch (name) {
    case 'direction':
      return heads.direction === undefined ? undefined : spec.num_classes;
    case 'volatility':
      return heads.volatility === undefined ? undefined : 1;
    case 'var':
      return heads.var?.quantiles.length;
    case 'sharp':
      return heads.sharp === undefined ? undefined : 1;
  }
}

/** The spec's heads in output-row order. */
export function headLayout(spec: HeadedSpec): HeadSlot[] {
  const slots: HeadSlot[] = [];
  let offset = 0;
  for (const name of HEAD_NAMES) {
    const size = headSize(spec, name);
    if (size === undefined) continue;
    slots.push({ name, offset, size });
    offset += size;
  }
  return slots;
}

/** Outputs per window: the length of the output row. */
export function outputCount(spec: HeadedSpec): number {
  return headLayout(spec).reduce((n, s) => n + s.size, 0);
}

/** The slot of head `name`; a MissingHeadError naming the heads the model has otherwise. */
export function headSlot(spec: HeadedSpec, name: HeadName): HeadSlot {
  const layout = headLayout(spec);
  const slot = layout.find((s) => s.name === name);
  if (slot === undefined) {
    throw new MissingHeadError(`the model has no ${name} head (it has: ${layout.map((s) => s.name).join(', ')})`);
  }
  return slot;
}

/** Column of output `index` of head `name`; out of range is an error naming the valid indices. */
export function outputColumn(spec: HeadedSpec, name: HeadName, index: number): number {
  const slot = headSlot(spec, name);
  if (!Number.isInteger(index) || index < 0 || index >= slot.size)
    throw new RangeError(`the ${name} head has outputs 0..${slot.size - 1}, got ${index}`);
  return slot.offset + index;
}

function logistic(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** One window's output row as forecasts (every head but direction, whose logits the signal carries). */
export function headForecasts(spec: HeadedSpec, row: ArrayLike<number>): HeadForecasts {
  const forecasts: HeadForecasts = {};
  const heads = headsOf(spec);
  for (const slot of headLayout(spec)) {
    const value = (i: number) => row[slot.offset + i] ?? NaN;
    if (slot.name === 'volatility') forecasts.volatility = Math.exp(value(0));
    else if (slot.name === 'sharp') forecasts.sharpMove = logistic(value(0));
    else if (slot.name === 'var') {
      const levels = heads.var?.quantiles ?? [];
      forecasts.var = levels.map((quantile, i) => ({ quantile, logReturn: value(i) }));
      for (const { quantile, logReturn } of forecasts.var) {
        if (quantile === 0.01) forecasts.var01 = logReturn;
        if (quantile === 0.05) forecasts.var05 = logReturn;
      }
    }
  }
  return forecasts;
}
