/**
 * What the evaluation report carries for the forecast heads (volatility, Value-at-Risk, sharp move)
 * and their baselines, with a plain verdict per head and baseline.
 */
import { z } from 'zod';
import { HeadForecastsSchema } from './forecasts';
import { Interval95Schema } from './interval';

/** The Diebold–Mariano test of two loss series (negative statistic: the first has the lower loss). */
export const DieboldMarianoSchema = z.object({
  statistic: z.number(),
  pValue: z.number().min(0).max(1),
  /** Mean of loss(first) − loss(second). */
  meanDifference: z.number(),
  /** The Newey–West (Bartlett) lag: H − 1 for overlapping H-candle targets. */
  lag: z.number().int().nonnegative(),
  n: z.number().int(),
});
export type DieboldMariano = z.output<typeof DieboldMarianoSchema>;

/** The regression realized = intercept + slope · forecast; an unbiased forecast has intercept 0 and slope 1. */
export const MincerZarnowitzSchema = z.object({ intercept: z.number(), slope: z.number(), rSquared: z.number() });
export type MincerZarnowitz = z.output<typeof MincerZarnowitzSchema>;

export const VolatilityFiguresSchema = z.object({
  /** Mean QLIKE of the H-candle variance forecasts (Patton 2011: σ²/h − log(σ²/h) − 1). */
  qlike: z.number(),
  /** Mean squared error of log volatility. */
  mseLogVolatility: z.number(),
  mincerZarnowitz: MincerZarnowitzSchema,
});
export type VolatilityFigures = z.output<typeof VolatilityFiguresSchema>;

export const VolatilityReportSchema = z.object({
  n: z.number().int(),
  /** Test windows left out because their next H candles had no price change (QLIKE needs a positive realized variance). */
  withoutPriceChange: z.number().int().nonnegative(),
  horizon: z.number().int().positive(),
  /** Absent when the report holds the baselines alone (no model forecasts). */
  model: VolatilityFiguresSchema.optional(),
  baselines: z.array(
    VolatilityFiguresSchema.extend({
      name: z.string(),
      /** How it was fitted on the training period, e.g. "λ = 0.987 (fitted)", "ω, α, β = …". */
      fit: z.string(),
      /** The model's QLIKE losses against this baseline's; absent without a model. */
      dieboldMariano: DieboldMarianoSchema.optional(),
    }),
  ),
});
export type VolatilityReport = z.output<typeof VolatilityReportSchema>;

export const LikelihoodRatioTestSchema = z.object({ statistic: z.number().nonnegative(), pValue: z.number().min(0).max(1) });
export type LikelihoodRatioTest = z.output<typeof LikelihoodRatioTestSchema>;

/** Kupiec's proportion-of-failures test, with the violation counts it accepts at 95%. */
export const KupiecTestSchema = LikelihoodRatioTestSchema.extend({
  acceptance: z.object({ min: z.number().int(), max: z.number().int() }),
});
export type KupiecTest = z.output<typeof KupiecTestSchema>;

export const VarFiguresSchema = z.object({
  /** The forecasts the coverage figures count: every stride-th (H, so that no two H-candle returns overlap). */
  n: z.number().int(),
  stride: z.number().int().positive(),
  violations: z.number().int(),
  violationRate: z.number(),
  kupiec: KupiecTestSchema,
  christoffersenIndependence: LikelihoodRatioTestSchema,
  conditionalCoverage: LikelihoodRatioTestSchema,
  /** Mean pinball (quantile) loss. */
  pinball: z.number(),
  /** The start of the last candle of each counted window whose return fell below its VaR, ascending (as many as `violations`). */
  violationTimes: z.array(z.number().int()).optional(),
});
export type VarFigures = z.output<typeof VarFiguresSchema>;

export const VarReportSchema = z.object({
  /** The quantile of the next-H-candle log return, in (0, 0.5): 0.01 or 0.05. */
  quantile: z.number().gt(0).lt(0.5),
  horizon: z.number().int().positive(),
  /** Absent when the report holds the baselines alone (no model forecasts). */
  model: VarFiguresSchema.optional(),
  /** The model's pinball losses against each baseline's (Diebold–Mariano); absent without a model. */
  baselines: z.array(VarFiguresSchema.extend({ name: z.string(), dieboldMariano: DieboldMarianoSchema.optional() })),
  /** The backtest of the model (first, when present) and of each baseline, plainly: coverage and clustering of breaks. */
  coverage: z.array(z.string()),
});
export type VarReport = z.output<typeof VarReportSchema>;

/** One equal-width bin of predicted probability; the means are null for an empty bin. */
export const ReliabilityBinSchema = z.object({
  low: z.number(),
  high: z.number(),
  count: z.number().int().nonnegative(),
  meanPredicted: z.number().nullable(),
  observedFrequency: z.number().nullable(),
});
export type ReliabilityBin = z.output<typeof ReliabilityBinSchema>;

export const ProbabilityFiguresSchema = z.object({
  n: z.number().int(),
  positives: z.number().int(),
  auc: Interval95Schema,
  brier: z.number(),
  expectedCalibrationError: z.number(),
  reliability: z.array(ReliabilityBinSchema),
});
export type ProbabilityFigures = z.output<typeof ProbabilityFiguresSchema>;

export const SharpMoveReportSchema = z.object({
  horizon: z.number().int().positive(),
  /** A sharp move: |next-H-candle log return| > k · trailing volatility · √H. */
  k: z.number().positive(),
  /** The 1-candle returns the trailing volatility is the standard deviation of (the window's, ending at its last candle). */
  trailingWindow: z.number().int().min(2),
  /** Test windows left out because their trailing window had no price change (no scale to call a move sharp against). */
  withoutTrailingPriceChange: z.number().int().nonnegative(),
  /** Absent when the report holds the baselines alone (no model forecasts). */
  model: ProbabilityFiguresSchema.optional(),
  baselines: z.array(ProbabilityFiguresSchema.extend({ name: z.string() })),
});
export type SharpMoveReport = z.output<typeof SharpMoveReportSchema>;

export const VerdictWord = z.enum(['beats', 'does not beat', 'cannot tell']);
export type VerdictWord = z.output<typeof VerdictWord>;

export const HeadVerdictSchema = z.object({
  head: z.enum(['direction', 'volatility', 'var', 'sharpMove']),
  baseline: z.string(),
  verdict: VerdictWord,
  /** The verdict as a trader reads it, with the figures behind it. */
  sentence: z.string(),
});
export type HeadVerdict = z.output<typeof HeadVerdictSchema>;

/** The baselines' parameters, each fitted on the training period only. */
export const BaselineFitsSchema = z.object({
  ewma: z.object({ lambda: z.number(), initialVariance: z.number() }),
  har: z.object({
    windows: z.object({ short: z.number().int(), medium: z.number().int(), long: z.number().int() }),
    coefficients: z.array(z.number()),
    rSquared: z.number(),
  }),
  garch: z.object({ omega: z.number(), alpha: z.number(), beta: z.number(), initialVariance: z.number() }),
  /** Historical simulation's rolling window, in H-candle returns ending at consecutive candles. */
  historicalSimulationWindow: z.number().int(),
  /** The logistic sharp-move baseline on [log trailing volatility, sin hour, cos hour]: [intercept, slopes…]. */
  sharpMoveLogistic: z.object({ coefficients: z.array(z.number()), converged: z.boolean() }),
});
export type BaselineFits = z.output<typeof BaselineFitsSchema>;

const PeriodSchema = z.object({ from: z.number().int(), to: z.number().int() });

/**
 * One forecast per test window, by the start of the window's last candle: what the model's heads
 * expect of the next H candles (the heads' own shape). A head the model lacks is left out (of every
 * forecast).
 */
export const WindowForecastSchema = HeadForecastsSchema.pick({ volatility: true, var01: true, var05: true, sharpMove: true }).extend({
  candleStart: z.number().int(),
});
export type WindowForecast = z.output<typeof WindowForecastSchema>;
export const WindowForecastsSchema = z.array(WindowForecastSchema);
export type WindowForecasts = z.output<typeof WindowForecastsSchema>;

export const RiskReportSchema = z.object({
  horizon: z.number().int().positive(),
  /** The candles the baselines were fitted on (window starts and targets), and the test windows' last candles. */
  training: PeriodSchema,
  test: PeriodSchema.extend({ windows: z.number().int() }),
  fits: BaselineFitsSchema,
  volatility: VolatilityReportSchema.optional(),
  var: z.array(VarReportSchema).optional(),
  sharpMove: SharpMoveReportSchema.optional(),
  verdicts: z.array(HeadVerdictSchema),
});
export type RiskReport = z.output<typeof RiskReportSchema>;
