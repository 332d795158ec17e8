/**
 * `risk-baselines --csv FILE`: the risk report of the baselines alone (volatility, VaR, sharp move),
 * fitted on the training period of the same walk-forward split training uses and judged on its
 * test period, as JSON.
 */
import { intervalMs } from '../../src-shared/domain/intervals';
import type { Candle } from '../../src-shared/domain/market';
import { DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import { DEFAULT_SHARP_K, DEFAULT_TRAILING_WINDOW, evaluateRiskForecasts } from '../evaluation/risk-evaluation';
import { TrainSettingsSchema } from '../training/job';
import { walkForwardSplit } from '../training/split';
import { parse, UsageError } from './args';
import { positiveInt, readCandles } from './model-args';

/** The longest run of candles each `stepMs` after the one before. */
export function longestUnbrokenRun(candles: readonly Candle[], stepMs: number): Candle[] {
  let best = { from: 0, to: 0 };
  let from = 0;
  candles.forEach((c, i) => {
    if (i > 0 && c.time - (candles[i - 1]?.time ?? 0) !== stepMs) from = i;
    if (i + 1 - from > best.to - best.from) best = { from, to: i + 1 };
  });
  return candles.slice(best.from, best.to);
}

/**
 * Training's walk-forward split (the default fractions, an embargo of H candles) over the windows
 * ending at each candle with a trailing window before it and H candles after: the last candle a
 * training target reads, and the first test window's last candle.
 */
export function baselineSplit(candles: readonly Candle[], stepMs: number, horizon: number, trailingWindow: number) {
  const samples = candles.slice(trailingWindow, candles.length - horizon).map((c, j) => {
    const t = trailingWindow + j;
    return {
      windowFrom: candles[t - trailingWindow + 1]?.time ?? 0,
      windowTo: c.time,
      labelFrom: candles[t + 1]?.time ?? 0,
      labelTo: candles[t + horizon]?.time ?? 0,
      label: 0,
    };
  });
  const { trainFraction, validationFraction } = TrainSettingsSchema.parse({});
  const split = walkForwardSplit(samples, { train: trainFraction, validation: validationFraction }, horizon * stepMs);
  const trainTo = Math.max(...split.train.map((i) => samples[i]?.labelTo ?? -Infinity));
  const testFrom = Math.min(...split.test.map((i) => samples[i]?.windowTo ?? Infinity));
  if (!Number.isFinite(trainTo) || !Number.isFinite(testFrom))
    throw new Error(`${candles.length} candles give no training or no test windows at a horizon of ${horizon}`);
  return { trainTo, testFrom };
}

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value))) throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

export function commandRiskBaselines(args: string[]): void {
  const { values } = parse(args, {
    csv: { type: 'string' },
    interval: { type: 'string' },
    horizon: { type: 'string' },
    'sharp-k': { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const { candles: all, interval } = readCandles({ csv: values.csv, interval: values.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const stepMs = intervalMs(interval);
  const horizon = positiveInt('horizon', values.horizon, DEFAULT_LABEL_SPEC.horizon);
  const sharpK = positiveNumber('sharp-k', values['sharp-k'], DEFAULT_SHARP_K);
  const candles = longestUnbrokenRun(all, stepMs);
  if (candles.length < all.length)
    console.error(`${values.csv} breaks: evaluating its longest unbroken run, ${candles.length} of ${all.length} candles`);
  if (horizon >= candles.length) throw new Error(`a horizon of ${horizon} candles is longer than the data (${candles.length} candles)`);
  const { trainTo, testFrom } = baselineSplit(candles, stepMs, horizon, DEFAULT_TRAILING_WINDOW);
  const report = evaluateRiskForecasts({ candles, stepMs, trainTo, testFrom, horizon, sharpK });
  for (const sentence of report.var?.flatMap((v) => v.coverage) ?? []) console.error(sentence);
  console.log(JSON.stringify({ csv: values.csv, interval, ...report }, null, 1));
}
