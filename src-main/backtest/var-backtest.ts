/**
 * The VaR backtest of a strategy backtest's range, pure: the model's 1 % and 5 % VaR forecasts of the
 * windows in the range against what the next H candles did, beside historical simulation and
 * EWMA-normal, by the risk evaluation's own figures (violation rate, Kupiec, Christoffersen, pinball
 * loss, Diebold–Mariano). The baselines are fitted on candles before the tested windows only: the
 * stored candles before the range when there are enough, else the first part of the range, which is
 * then not tested.
 */
import type { VarBacktest } from '../../src-shared/domain/backtest';
import type { Candle } from '../../src-shared/domain/market';
import type { WindowForecasts as RiskWindowForecasts } from '../../src-shared/domain/risk-report';
import { iso } from '../../src-shared/domain/iso-time';
import { evaluateRiskForecasts } from '../evaluation/risk-evaluation';
import { unbrokenRuns } from '../features/windows';
import type { WindowForecasts } from './simulate';

export interface VarBacktestInput {
  /** Closed candles, ascending: the range and the stored candles before it. */
  candles: readonly Candle[];
  stepMs: number;
  /** The range's first candle: tested windows end here or later. */
  from: number;
  /** The model's label horizon H: each VaR is of the next H candles' log return (undefined for a model without labels, imported). */
  horizon: number | undefined;
  /** The model's window length: the first T candles of a run have no window. */
  trailingWindow: number;
  /** The backtest's windows by the start of their last candle, with the model's forecasts. */
  windows: readonly { candleStart: number; forecasts: WindowForecasts }[];
}

/** Fewest candles the baselines are fitted on: HAR's long component (22 H) and a margin, and the sharp-move fit's windows. */
export function minimumFitCandles(horizon: number, trailingWindow: number): number {
  return Math.max(30 * horizon, horizon + trailingWindow + 50);
}

/** Share of a run fitted on when too few candles come before the range. */
export const FIT_SHARE = 1 / 3;

function report(input: VarBacktestInput & { horizon: number }): VarBacktest {
  const { candles, stepMs, from, horizon, trailingWindow } = input;
  const forecastAt = new Map(input.windows.map((w) => [w.candleStart, w.forecasts]));
  const hasVar = input.windows.some((w) => w.forecasts.var01 !== undefined || w.forecasts.var05 !== undefined);
  if (!hasVar) return { status: 'unavailable', reason: 'the model has no VaR head: there is no VaR to backtest' };
  // The unbroken run with the most windows in the range: Kupiec's and Christoffersen's tests read one unbroken series.
  const tested = (run: readonly Candle[]) => run.filter((c) => c.time >= from && forecastAt.has(c.time)).length;
  const run = unbrokenRuns(candles, stepMs).reduce<Candle[]>((best, r) => (tested(r) > tested(best) ? r : best), []);
  const firstInRange = run.findIndex((c) => c.time >= from);
  const minimum = minimumFitCandles(horizon, trailingWindow);
  // Fit before the range when it has the candles; else on the run's first part (at least `minimum`).
  const fitCount = firstInRange >= minimum ? firstInRange : Math.max(minimum, Math.ceil(run.length * FIT_SHARE));
  const trainTo = run[fitCount - 1]?.time;
  const lastTestable = run.length - 1 - horizon;
  const forecasts: RiskWindowForecasts = run.flatMap((c, t) => {
    const f = forecastAt.get(c.time);
    if (f === undefined || c.time < from || t < fitCount || t < trailingWindow || t > lastTestable) return [];
    return [
      { candleStart: c.time, ...(f.var01 === undefined ? {} : { var01: f.var01 }), ...(f.var05 === undefined ? {} : { var05: f.var05 }) },
    ];
  });
  if (trainTo === undefined || forecasts.length < 2)
    return {
      status: 'unavailable',
      reason: `too few candles for a VaR backtest: it fits its baselines on ${minimum} candles (before the range, or the first third of it) and tests at least two windows with ${horizon} candles after them; the longest unbroken run holds ${run.length}`,
    };
  return {
    status: 'done',
    report: evaluateRiskForecasts({
      candles: run,
      stepMs,
      trainTo,
      testFrom: forecasts[0]?.candleStart ?? from,
      horizon,
      trailingWindow,
      forecasts,
    }),
  };
}

/** The range's VaR backtest, or why there is none (no VaR head, too few candles, a baseline that cannot be fitted). */
export function varBacktest(input: VarBacktestInput): VarBacktest {
  const { horizon } = input;
  if (horizon === undefined)
    return { status: 'unavailable', reason: 'the model has no label horizon (it was imported): its VaR has no span to test' };
  try {
    return report({ ...input, horizon });
  } catch (err) {
    return { status: 'unavailable', reason: `no VaR backtest from ${iso(input.from)}: ${(err as Error).message}` };
  }
}
