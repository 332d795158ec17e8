/**
 * The risk evaluation, pure: from a series' candles, its train/test boundary and the model's
 * forecasts for the test windows (any subset of the heads, or none) to the report and its verdicts.
 * Every baseline is fitted on the training period's candles only, then run forward over the whole
 * series, so a forecast made after candle t reads candles up to t and nothing later.
 */
import type { Candle } from '../../src-shared/domain/market';
import type {
  BaselineFits,
  WindowForecasts,
  HeadVerdict,
  RiskReport,
  SharpMoveReport,
  VarReport,
  VolatilityReport,
} from '../../src-shared/domain/risk-report';
import { dieboldMariano, qlikeLosses, volatilityFigures } from './forecast-tests';
import {
  fitLogisticRegression,
  logisticProbability,
  probabilityFigures,
  sharpMoveBaselineFeatures,
  type LogisticFit,
} from './probability-metrics';
import { coverageSentence, intervalVerdict, lossVerdict } from './risk-verdict';
import { riskTargets, checkTargetSettings, type RiskTargets } from './risk-targets';
import {
  checkVarLevel,
  ewmaNormalVar,
  historicalSimulationVar,
  pinballLosses,
  varFigures,
  varViolations,
  type QuantileForecasts,
} from './var-tests';
import {
  checkHorizon,
  ewmaForecasts,
  fitEwma,
  fitGarch,
  fitHar,
  garchForecasts,
  harForecasts,
  logReturns,
  RISKMETRICS_LAMBDA,
  type EwmaFit,
  type GarchFit,
  type HarFit,
  type HorizonForecasts,
} from './volatility-baselines';

export const DEFAULT_SHARP_K = 2;
/** The direction model's window length: the trailing volatility is the window's own. */
export const DEFAULT_TRAILING_WINDOW = 60;
/** Historical simulation looks back 250 horizons, as daily VaR looks back 250 trading days (or the training period, when shorter). */
export const HISTORICAL_WINDOW_HORIZONS = 250;
const VAR_HEADS = [
  { key: 'var01', level: 0.01 },
  { key: 'var05', level: 0.05 },
] as const;
const HEADS = ['volatility', 'var01', 'var05', 'sharpMove'] as const;

export interface RiskEvaluationInput {
  /** One unbroken series of closed candles, ascending. */
  candles: readonly Candle[];
  stepMs: number;
  /** Start of the training period's last candle (the last its labels read): the baselines read nothing later. */
  trainTo: number;
  /** Test windows end at candles starting here or later. */
  testFrom: number;
  horizon: number;
  sharpK?: number;
  trailingWindow?: number;
  /** Without model forecasts: the VaR levels to report the baselines at (default 1% and 5%). With them, the levels are their heads'. */
  varLevels?: readonly number[];
  /** One per test window; without them the report holds the baselines alone. */
  forecasts?: WindowForecasts;
  seed?: number;
}

function checkSeries(candles: readonly Candle[], stepMs: number): void {
  candles.forEach((c, i) => {
    const previous = candles[i - 1];
    if (previous !== undefined && c.time - previous.time !== stepMs)
      throw new Error(
        `the series breaks between candles ${previous.time} and ${c.time} (not ${stepMs} ms apart): evaluate one unbroken run at a time`,
      );
  });
}

/** The forecasts checked (finite, a variance and a probability where they must be, one per window, every head in all or none), with the heads they carry. */
function checkForecasts(forecasts: WindowForecasts): Set<(typeof HEADS)[number]> {
  if (forecasts.length === 0) throw new Error('no model forecasts were given: leave them out to report the baselines alone');
  const heads = new Set(HEADS.filter((head) => forecasts.some((f) => f[head] !== undefined)));
  const seen = new Set<number>();
  forecasts.forEach((f, i) => {
    if (seen.has(f.candleStart)) throw new Error(`forecast ${i}: a second forecast for the window ending at ${f.candleStart}`);
    seen.add(f.candleStart);
    for (const head of heads) {
      const value = f[head];
      if (value === undefined)
        throw new Error(`forecast ${i} (window ending at ${f.candleStart}) has no ${head}, which other forecasts have`);
      if (!Number.isFinite(value))
        throw new Error(`forecast ${i} (window ending at ${f.candleStart}): ${head} is ${value}, not a finite number`);
    }
    const v = f.volatility;
    if (v !== undefined && !(v * v > 0 && Number.isFinite(v * v)))
      throw new Error(`forecast ${i} (window ending at ${f.candleStart}): a volatility of ${v} is no variance a double can hold`);
    const p = f.sharpMove;
    if (p !== undefined && !(p >= 0 && p <= 1))
      throw new Error(`forecast ${i} (window ending at ${f.candleStart}): the sharp-move probability ${p} is not in [0, 1]`);
  });
  return heads;
}

/** The forecast made after candle t (return index t − 1) of baseline forecasts starting at `from`. */
function after(name: string, values: readonly number[], from: number, t: number): number {
  const value = values[t - 1 - from];
  if (value === undefined) throw new Error(`${name} has no forecast after candle ${t}: it starts after candle ${from + 1}`);
  return value;
}

const select = <T>(values: readonly T[], keep: readonly number[]): T[] => keep.map((i) => values[i] as T);

interface Settings {
  horizon: number;
  trailingWindow: number;
  sharpK: number;
  seed: number;
}

interface Context {
  candles: readonly Candle[];
  ends: number[];
  targets: RiskTargets;
  horizon: number;
  /** Consecutive windows whose targets share candles: the Newey–West lag is one less, the VaR coverage stride and the bootstrap block this. */
  overlap: number;
  forecasts: WindowForecasts | undefined;
  verdicts: HeadVerdict[];
}

function volatilitySection(context: Context, baselines: { name: string; fit: string; forecasts: HorizonForecasts }[]): VolatilityReport {
  const { ends, targets, horizon, overlap, forecasts, verdicts } = context;
  const kept = targets.realizedVariance.flatMap((v, i) => (v > 0 ? [i] : []));
  if (kept.length < 2) throw new Error('fewer than two test windows have a price change in their next H candles: no volatility to judge');
  const realized = select(targets.realizedVariance, kept);
  const model = forecasts && select(forecasts, kept).map((f) => (f.volatility ?? NaN) ** 2);
  const modelLosses = model && qlikeLosses(realized, model);
  const modelFigures = model && volatilityFigures(realized, model);
  return {
    n: kept.length,
    withoutPriceChange: ends.length - kept.length,
    horizon,
    ...(modelFigures && { model: modelFigures }),
    baselines: baselines.map(({ name, fit, forecasts: b }) => {
      const variances = select(ends, kept).map((t) => after(name, b.variances, b.from, t));
      const figures = volatilityFigures(realized, variances);
      if (!modelLosses || !modelFigures) return { name, fit, ...figures };
      const test = dieboldMariano(modelLosses, qlikeLosses(realized, variances), overlap - 1);
      verdicts.push(lossVerdict('volatility', name, 'QLIKE', modelFigures.qlike, figures.qlike, test));
      return { name, fit, ...figures, dieboldMariano: test };
    }),
  };
}

function varSection(
  context: Context,
  level: number,
  model: number[] | undefined,
  baselines: { name: string; forecasts: QuantileForecasts }[],
): VarReport {
  const { ends, targets, horizon, overlap, verdicts } = context;
  const realized = targets.futureReturn;
  const percent = `${100 * level}%`;
  const candleStart = (t: number): number => context.candles[t]?.time ?? NaN;
  // The counted windows (every overlap-th) that broke their VaR, by time: what a chart of violations plots.
  const figuresOf = (quantiles: readonly number[]) => ({
    ...varFigures(realized, quantiles, level, overlap),
    violationTimes: varViolations(realized, quantiles).flatMap((broken, i) =>
      broken && i % overlap === 0 ? [candleStart(ends[i] ?? -1)] : [],
    ),
  });
  const modelFigures = model && figuresOf(model);
  const modelLosses = model && pinballLosses(realized, model, level);
  const coverage = modelFigures ? [coverageSentence("The model's VaR", level, modelFigures)] : [];
  return {
    quantile: level,
    horizon,
    ...(modelFigures && { model: modelFigures }),
    baselines: baselines.map(({ name, forecasts: b }) => {
      const quantiles = ends.map((t) => after(name, b.quantiles, b.from, t));
      const figures = figuresOf(quantiles);
      coverage.push(coverageSentence(`${name}'s VaR`, level, figures));
      if (!modelLosses || !modelFigures) return { name, ...figures };
      const test = dieboldMariano(modelLosses, pinballLosses(realized, quantiles, level), overlap - 1);
      verdicts.push(lossVerdict('var', `${name} at ${percent}`, `pinball loss at ${percent}`, modelFigures.pinball, figures.pinball, test));
      return { name, ...figures, dieboldMariano: test };
    }),
    coverage,
  };
}

function sharpMoveSection(
  context: Context,
  settings: Settings,
  baselineProbability: (t: number, trailingVolatility: number) => number,
): SharpMoveReport {
  const { ends, targets, horizon, overlap, forecasts, verdicts } = context;
  // A window whose trailing candles never moved has no scale to call a move sharp against.
  const kept = targets.trailingVolatility.flatMap((sigma, i) => (sigma > 0 ? [i] : []));
  if (kept.length < 2) throw new Error('fewer than two test windows have a price change in their trailing window: no sharp move to judge');
  const outcomes = select(targets.sharpMove, kept);
  const name = 'the logistic baseline (trailing volatility, time of day)';
  const probabilities = kept.map((i) => baselineProbability(ends[i] ?? 0, targets.trailingVolatility[i] ?? 0));
  const baseline = probabilityFigures(outcomes, probabilities, 10, settings.seed, overlap);
  const model =
    forecasts &&
    probabilityFigures(
      outcomes,
      select(forecasts, kept).map((f) => f.sharpMove ?? NaN),
      10,
      settings.seed,
      overlap,
    );
  if (model) verdicts.push(intervalVerdict('sharpMove', name, 'ROC AUC', model.auc, baseline.auc.value));
  return {
    horizon,
    k: settings.sharpK,
    trailingWindow: settings.trailingWindow,
    withoutTrailingPriceChange: ends.length - kept.length,
    ...(model && { model }),
    baselines: [{ name, ...baseline }],
  };
}

interface FittedBaselines {
  ewma: EwmaFit;
  har: HarFit;
  garch: GarchFit;
  logistic: LogisticFit;
}

/** The sharp-move baseline's regressors for the window ending at candle t. */
function sharpMoveRegressors(candles: readonly Candle[], t: number, trailingVolatility: number): number[] {
  return sharpMoveBaselineFeatures(trailingVolatility, candles[t]?.time ?? 0);
}

/** Every baseline fitted on candles 0 … trainEnd alone: returns up to it, and targets wholly inside it. */
function fitBaselines(candles: readonly Candle[], trainEnd: number, settings: Settings): FittedBaselines {
  const { horizon, trailingWindow } = settings;
  const closes = candles.slice(0, trainEnd + 1).map((c) => c.close);
  const returns = logReturns(closes);
  if (returns.length <= horizon)
    throw new Error(`a horizon of ${horizon} candles is longer than the training data (${returns.length} returns)`);
  const ends = Array.from({ length: Math.max(0, trainEnd - horizon - trailingWindow + 1) }, (_, j) => trailingWindow + j);
  const targets = riskTargets(closes, ends, settings);
  const kept = targets.trailingVolatility.flatMap((sigma, i) => (sigma > 0 ? [i] : []));
  if (kept.length < 8)
    throw new Error(`the training period has ${kept.length} windows with their targets inside it: too few to fit the sharp-move baseline`);
  const logistic = fitLogisticRegression(
    kept.map((i) => sharpMoveRegressors(candles, ends[i] ?? 0, targets.trailingVolatility[i] ?? 0)),
    select(targets.sharpMove, kept),
  );
  return { ewma: fitEwma(returns), har: fitHar(returns, horizon), garch: fitGarch(returns), logistic };
}

function baselineFits({ ewma, har, garch, logistic }: FittedBaselines, historicalWindow: number): BaselineFits {
  return {
    ewma: { lambda: ewma.lambda, initialVariance: ewma.initialVariance },
    har: { windows: har.windows, coefficients: har.coefficients, rSquared: har.rSquared },
    garch: { omega: garch.omega, alpha: garch.alpha, beta: garch.beta, initialVariance: garch.initialVariance },
    historicalSimulationWindow: historicalWindow,
    sharpMoveLogistic: { coefficients: logistic.coefficients, converged: logistic.converged },
  };
}

const rounded = (x: number): string => String(Number(x.toPrecision(4)));

/** The volatility baselines' forecasts over the whole series, from their training fits. */
function volatilityBaselines({ ewma, har, garch }: FittedBaselines, returns: readonly number[], horizon: number) {
  return [
    {
      name: 'EWMA (λ fitted)',
      fit: `λ = ${rounded(ewma.lambda)}, fitted on the training period`,
      forecasts: ewmaForecasts(returns, ewma.lambda, ewma.initialVariance, horizon),
    },
    {
      name: `EWMA (λ = ${RISKMETRICS_LAMBDA})`,
      fit: `λ = ${RISKMETRICS_LAMBDA}, RiskMetrics' daily value, for reference`,
      forecasts: ewmaForecasts(returns, RISKMETRICS_LAMBDA, ewma.initialVariance, horizon),
    },
    {
      name: 'HAR-RV',
      fit: `${har.windows.short}/${har.windows.medium}/${har.windows.long}-candle components, coefficients ${har.coefficients.map(rounded).join(', ')}, training R² ${rounded(har.rSquared)}`,
      forecasts: harForecasts(har, returns),
    },
    {
      name: 'GARCH(1,1)',
      fit: `ω = ${rounded(garch.omega)}, α = ${rounded(garch.alpha)}, β = ${rounded(garch.beta)}, by maximum likelihood on the training period`,
      forecasts: garchForecasts(returns, garch, horizon),
    },
  ];
}

interface TestWindows {
  /** The windows' last candles, ascending. */
  ends: number[];
  /** The model's forecasts in the same order. */
  forecasts: WindowForecasts | undefined;
  /** How many consecutive windows' targets share candles: ⌈H / the candles between windows⌉. */
  overlap: number;
}

/**
 * The test windows: the forecasts' (each checked, then put in time order), or without them every
 * candle from testFrom with H after it. They must be evenly spaced, so that how far their targets
 * overlap is one number.
 */
function testWindows(input: RiskEvaluationInput, trailingWindow: number): TestWindows {
  const { candles, testFrom, horizon, forecasts } = input;
  const lastEnd = candles.length - 1 - horizon;
  const index = new Map(candles.map((c, i) => [c.time, i]));
  const given = forecasts?.map((f, i) => {
    const t = index.get(f.candleStart);
    if (t === undefined) throw new Error(`forecast ${i}: no candle starts at ${f.candleStart}`);
    if (f.candleStart < testFrom)
      throw new Error(`forecast ${i}: the window ending at ${f.candleStart} is before the test period (${testFrom})`);
    if (t > lastEnd) throw new Error(`forecast ${i}: the window ending at ${f.candleStart} has fewer than ${horizon} candles after it`);
    if (t < trailingWindow)
      throw new Error(`forecast ${i}: the window ending at ${f.candleStart} has fewer than ${trailingWindow} returns before it`);
    return { t, forecast: f };
  });
  given?.sort((a, b) => a.t - b.t);
  const ends = given
    ? given.map((g) => g.t)
    : Array.from({ length: Math.max(0, lastEnd + 1) }, (_, t) => t).filter(
        (t) => t >= trailingWindow && (candles[t]?.time ?? 0) >= testFrom,
      );
  if (ends.length < 2)
    throw new Error(`the test period has ${ends.length} window(s) with ${horizon} candles after them: at least two are needed`);
  const spacing = (ends[1] ?? 0) - (ends[0] ?? 0);
  ends.forEach((t, i) => {
    const previous = ends[i - 1];
    if (previous !== undefined && t - previous !== spacing)
      throw new Error(
        `the forecasts' windows must be evenly spaced: those ending at ${candles[previous]?.time} and ${candles[t]?.time} are ${t - previous} candles apart, the first two ${spacing}`,
      );
  });
  return { ends, forecasts: given?.map((g) => g.forecast), overlap: Math.ceil(horizon / spacing) };
}

/**
 * The report of the model's forecasts (or of the baselines alone) over the test windows: volatility,
 * VaR at each level and the sharp move, each head's section only when the model forecasts it (all
 * of them without forecasts), with a verdict per head and baseline.
 */
export function evaluateRiskForecasts(input: RiskEvaluationInput): RiskReport {
  const { candles, stepMs, trainTo, testFrom, horizon } = input;
  const settings: Settings = {
    horizon,
    trailingWindow: input.trailingWindow ?? DEFAULT_TRAILING_WINDOW,
    sharpK: input.sharpK ?? DEFAULT_SHARP_K,
    seed: input.seed ?? 7,
  };
  checkTargetSettings(settings);
  checkHorizon(horizon, candles.length - 1);
  checkSeries(candles, stepMs);
  if (!(testFrom > trainTo)) throw new Error(`the test period (from ${testFrom}) must start after the training period (to ${trainTo})`);
  const heads = input.forecasts ? checkForecasts(input.forecasts) : new Set(HEADS);
  if (input.forecasts && input.varLevels) throw new Error("with model forecasts the VaR levels are the heads' (var01: 1%, var05: 5%)");
  const varLevels = input.forecasts
    ? VAR_HEADS.filter((v) => heads.has(v.key)).map((v) => v.level)
    : [...(input.varLevels ?? VAR_HEADS.map((v) => v.level))];
  varLevels.forEach(checkVarLevel);
  const { ends, forecasts, overlap } = testWindows(input, settings.trailingWindow);

  const trainEnd = candles.findLastIndex((c) => c.time <= trainTo);
  const fitted = fitBaselines(candles, trainEnd, settings);
  // A window no longer than the training period's H-candle returns, so it has a forecast for the first test window.
  const historicalWindow = Math.min(HISTORICAL_WINDOW_HORIZONS * horizon, trainEnd + 1 - horizon);
  const closes = candles.map((c) => c.close);
  const returns = logReturns(closes);
  const context: Context = { candles, ends, targets: riskTargets(closes, ends, settings), horizon, overlap, forecasts, verdicts: [] };
  const report: RiskReport = {
    horizon,
    training: { from: candles[0]?.time ?? 0, to: candles[trainEnd]?.time ?? 0 },
    test: { from: candles[Math.min(...ends)]?.time ?? 0, to: candles[Math.max(...ends)]?.time ?? 0, windows: ends.length },
    fits: baselineFits(fitted, historicalWindow),
    verdicts: context.verdicts,
  };
  if (heads.has('volatility')) report.volatility = volatilitySection(context, volatilityBaselines(fitted, returns, horizon));
  if (varLevels.length > 0)
    report.var = varLevels.map((level) => {
      const key = VAR_HEADS.find((v) => v.level === level)?.key;
      const model = forecasts && key ? forecasts.map((f) => f[key] ?? NaN) : undefined;
      const { lambda, initialVariance } = fitted.ewma;
      return varSection(context, level, model, [
        {
          name: 'historical simulation',
          forecasts: historicalSimulationVar(returns, horizon, historicalWindow, level),
        },
        { name: 'EWMA-normal', forecasts: ewmaNormalVar(returns, lambda, initialVariance, horizon, level) },
      ]);
    });
  if (heads.has('sharpMove'))
    report.sharpMove = sharpMoveSection(context, settings, (t, sigma) =>
      logisticProbability(fitted.logistic, sharpMoveRegressors(candles, t, sigma)),
    );
  return report;
}
