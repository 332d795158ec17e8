/** `backtest --model M --csv FILE [rules]`: trade a model's explained signals over a file; the report as JSON. */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ExplainPool } from '../backtest/explain-pool';
import { signalsCsv, tradesCsv } from '../../src-shared/domain/backtest-csv';
import { runBacktest, tradesWithSignals } from '../backtest/run';
import { varBacktest } from '../backtest/var-backtest';
import type { BacktestRules } from '../../src-shared/domain/backtest';
import { DEFAULT_RULES } from '../backtest/simulate';
import { intervalMs } from '../../src-shared/domain/intervals';
import { parse, UsageError } from './args';
import { modelKind } from '../model/kinds';
import { positiveInt, readCandles, requireModel, startBackend } from './model-args';

function fraction(name: string, text: string | undefined, fallback: number, max = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max)
    throw new UsageError(`--${name} must be a number from 0 to ${max}, got "${text}"`);
  return value;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!(value > 0 && value <= 100)) throw new UsageError(`--${name} must be a number above 0 and at most 100, got "${text}"`);
  return value;
}

export async function commandBacktest(args: string[]): Promise<void> {
  const { values } = parse(args, {
    model: { type: 'string' },
    csv: { type: 'string' },
    interval: { type: 'string' },
    threshold: { type: 'string' },
    'min-concentration': { type: 'string' },
    hold: { type: 'string' },
    'no-opposite-exit': { type: 'boolean' },
    'long-only': { type: 'boolean' },
    'fee-bps': { type: 'string' },
    'slippage-bps': { type: 'string' },
    'vol-target': { type: 'string' },
    'max-position': { type: 'string' },
    'trades-csv': { type: 'string' },
    'signals-csv': { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const rules: BacktestRules = {
    threshold: fraction('threshold', values.threshold, DEFAULT_RULES.threshold),
    minConcentration: fraction('min-concentration', values['min-concentration'], DEFAULT_RULES.minConcentration),
    holdCandles: positiveInt('hold', values.hold, DEFAULT_RULES.holdCandles),
    exitOnOpposite: !values['no-opposite-exit'],
    allowShort: !values['long-only'],
    feeBps: fraction('fee-bps', values['fee-bps'], DEFAULT_RULES.feeBps, 1000),
    slippageBps: fraction('slippage-bps', values['slippage-bps'], DEFAULT_RULES.slippageBps, 1000),
    volatilityTarget: values['vol-target'] === undefined ? null : positive('vol-target', values['vol-target']),
    maxPosition: values['max-position'] === undefined ? DEFAULT_RULES.maxPosition : positive('max-position', values['max-position']),
  };
  const loaded = requireModel(values.model);
  // Refused here, before the threads start, when the model cannot read candles.
  const { windowLength } = modelKind(loaded.metadata.spec).window(loaded.metadata);
  const backend = await startBackend(values.backend);
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval ?? loaded.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const threads = positiveInt('threads', values.threads, availableParallelism());
  const started = performance.now();
  // The model is loaded on each helper thread; this one builds the features and trades.
  const pool = await ExplainPool.start(values.model as string, [backend], threads);
  let shown = 0;
  const run = await runBacktest(pool.explain, candles, intervalMs(interval), loaded.metadata, rules, {
    parallel: pool.size,
    horizon: loaded.metadata.labels?.horizon,
    onProgress: (done, total) => {
      if (done - shown >= total / 20 || done === total) {
        shown = done;
        process.stderr.write(`\rbacktest: ${done}/${total} windows explained`);
      }
    },
  }).finally(() => pool.close());
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`\n`);
  if (values['signals-csv'] !== undefined) writeFileSync(values['signals-csv'], signalsCsv(run.windows));
  const trades = tradesWithSignals(run);
  if (values['trades-csv'] !== undefined) writeFileSync(values['trades-csv'], tradesCsv(trades));
  const report = {
    model: loaded.metadata.version,
    backend,
    threads,
    source: values.csv,
    candles: candles.length,
    windows: run.windows.length,
    explainedWindowsPerSecond: Math.round(run.windows.length / seconds),
    rules,
    strategy: run.strategy,
    buyAndHold: run.buyAndHold,
    verdict:
      run.strategy.totalReturn > run.buyAndHold.totalReturn
        ? 'The strategy returned more than buy-and-hold over this range.'
        : 'The strategy did NOT return more than buy-and-hold over this range.',
    trades,
    varBacktest: varBacktest({
      candles,
      stepMs: intervalMs(interval),
      from: candles[0]?.time ?? 0,
      horizon: loaded.metadata.labels?.horizon,
      trailingWindow: windowLength,
      windows: run.windows,
    }),
  };
  // Infinity (a profit factor with no losing trade) is not JSON: written as a string.
  console.log(JSON.stringify(report, (_key, value: unknown) => (value === Infinity ? 'Infinity' : value), 1));
}
