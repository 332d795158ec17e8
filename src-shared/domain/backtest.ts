/** A backtest's rules and what it reports: performance, trades and the windows' calls. */
import { z } from 'zod';
import { EpochMs } from './market';
import { RiskReportSchema } from './risk-report';
import { SignalClass } from './signal';

/** The trading rules of a backtest (see backtest/simulate); every field has the CLI's default. */
export const BacktestRulesSchema = z
  .object({
    /** Enter on buy or sell when its probability is at least this. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** Skip signals whose attention concentration is below this (diffuse explanations). */
    minConcentration: z.number().min(0).max(1).default(0),
    /** Exit after this many candles... */
    holdCandles: z.number().int().min(1).max(100_000).default(15),
    /** ...or earlier on an opposite signal that passes the filters. */
    exitOnOpposite: z.boolean().default(true),
    allowShort: z.boolean().default(true),
    /** Taker fee per side, in basis points of the traded notional. */
    feeBps: z.number().min(0).max(1000).default(5.5),
    /** Slippage per side, in basis points against the trader. */
    slippageBps: z.number().min(0).max(1000).default(1),
    /**
     * Volatility-targeted sizing: each position is this annualised volatility over the model's
     * volatility forecast at entry (capped at maxPosition); null trades a fixed size of 1.
     */
    volatilityTarget: z.number().gt(0).max(100).nullable().default(null),
    /** The largest position volatility targeting may take, in multiples of the account. */
    maxPosition: z.number().gt(0).max(100).default(2),
  })
  .strict();
export type BacktestRules = z.output<typeof BacktestRulesSchema>;

export const PerformanceReportSchema = z.object({
  totalReturn: z.number(),
  sharpe: z.number(),
  sortino: z.number(),
  maxDrawdown: z.number(),
  winRate: z.number(),
  /** Gross profit over gross loss; null when nothing was lost (infinite). */
  profitFactor: z.number().nullable(),
  trades: z.number().int(),
  exposure: z.number(),
});
export type PerformanceReport = z.output<typeof PerformanceReportSchema>;

/** A backtest window's call, as the signals CSV lists it. */
export const BacktestSignalSchema = z.object({
  candleStart: EpochMs,
  predicted: SignalClass,
  probabilities: z.array(z.number()),
  concentration: z.number(),
});
export type BacktestSignal = z.output<typeof BacktestSignalSchema>;

export const EquityPointSchema = z.object({ time: EpochMs, equity: z.number(), hold: z.number(), drawdown: z.number() });
export type EquityPoint = z.output<typeof EquityPointSchema>;

export const BacktestTradeSchema = z.object({
  side: z.enum(['long', 'short']),
  entryTime: EpochMs,
  exitTime: EpochMs,
  entryPrice: z.number(),
  exitPrice: z.number(),
  /** Net of fees and slippage on both sides. */
  return: z.number(),
  exit: z.enum(['horizon', 'opposite', 'end']),
  /** The position in multiples of the account: 1 at fixed size, target / forecast volatility with volatility targeting. */
  size: z.number().positive(),
  /** The entry signal in short, as the trades CSV lists it. */
  signal: z.object({
    candleStart: EpochMs,
    confidence: z.number(),
    concentration: z.number(),
    topCandles: z.array(z.object({ start: EpochMs, weight: z.number() })),
  }),
});
export type BacktestTrade = z.output<typeof BacktestTradeSchema>;

export const VarBacktestSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('done'), report: RiskReportSchema }),
  z.object({ status: z.literal('unavailable'), reason: z.string() }),
]);
export type VarBacktest = z.output<typeof VarBacktestSchema>;

/**
 * A backtest's outcome, but for how each trade's entry is explained: the model worker sends its raw
 * scores, the bridge a Signal. Both extend this one shape with their `trades`.
 */
export const BacktestOutcomeSchema = z.object({
  modelVersion: z.string(),
  candles: z.number().int(),
  strategy: PerformanceReportSchema,
  buyAndHold: PerformanceReportSchema,
  /** Candles a year, by which Sharpe and Sortino of per-candle returns are annualised (× its square root). */
  periodsPerYear: z.number().positive(),
  /**
   * Strategy equity (starts at 1), buy-and-hold equity and the strategy's drawdown (≤ 0) after each
   * candle, thinned to a few thousand points.
   */
  equity: z.array(EquityPointSchema),
  signals: z.array(BacktestSignalSchema),
  /**
   * The VaR backtest of the model's VaR head over the range, against historical simulation and
   * EWMA-normal (fitted on the candles before the tested windows), or why there is none.
   */
  varBacktest: VarBacktestSchema.optional(),
});

/** The outcome with each trade's entry explained by `explanation`. */
export function backtestOutcomeWith<E extends z.ZodType>(explanation: E) {
  return BacktestOutcomeSchema.extend({ trades: z.array(BacktestTradeSchema.extend({ explanation })) });
}
