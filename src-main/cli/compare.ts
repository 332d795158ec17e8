/**
 * `compare --models M,M,… --csv FILE`: models of several kinds side by side on the same test
 * windows and baselines (../evaluation/compare-kinds), printed as one table with its verdicts; the
 * report (src-shared/domain/kind-comparison) as JSON with `--out`.
 */
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { intervalMs } from '../../src-shared/domain/intervals';
import { EvaluationReportSchema } from '../../src-shared/domain/evaluation';
import type { KindComparison } from '../../src-shared/domain/kind-comparison';
import { commonEnds, measureOnWindows, type ComparisonPeriod } from '../evaluation/compare-kinds';
import { compareModels, comparisonTable } from '../evaluation/kind-comparison';
import type { LoadedModel } from '../model/model-file';
import type { Candle } from '../../src-shared/domain/market';
import { parse, UsageError } from './args';
import { positiveInt, readCandles, requireModel, startBackend } from './model-args';

/** Grad-CAM's faithfulness is measured on this many of the common windows, evenly spaced. */
const TRUST_WINDOWS = 64;

function epochMs(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} takes a time in ms since 1970, got "${text}"`);
  return value;
}

/** The period no model trained on: the overlap of the test periods saved with the models. */
function overlapOfTestPeriods(models: readonly LoadedModel[]): { from: number; to: number } {
  const periods = models.map((m) => {
    const report = EvaluationReportSchema.safeParse((m.metadata.metrics as { test?: unknown } | null)?.test);
    const period = report.success ? report.data.period : null;
    if (period === null)
      throw new UsageError(
        `model ${m.metadata.version} has no saved test period (an imported model): give the period with --from and --to`,
      );
    return period;
  });
  const from = Math.max(...periods.map((p) => p.from));
  const to = Math.min(...periods.map((p) => p.to));
  if (from > to) throw new UsageError("the models' saved test periods do not overlap: give the period with --from and --to");
  return { from, to };
}

/** The comparison of `models` on `candles` (the CLI's and `train-kinds`' common part); progress on stderr. */
export function compareOnCandles(
  models: readonly LoadedModel[],
  candles: readonly Candle[],
  stepMs: number,
  options: { from?: number; to?: number; stride: number; trustWindows: number; reference?: string },
): KindComparison {
  const overlap = options.from === undefined || options.to === undefined ? overlapOfTestPeriods(models) : undefined;
  const period: ComparisonPeriod = {
    candles,
    stepMs,
    from: options.from ?? overlap?.from ?? 0,
    to: options.to ?? overlap?.to ?? 0,
  };
  const ends = commonEnds(models, period, options.stride);
  console.error(
    `comparing ${models.length} models on ${ends.length} windows ending ${new Date(ends[0] ?? 0).toISOString()} to ${new Date(ends.at(-1) ?? 0).toISOString()}`,
  );
  const entries = models.map((m) => {
    console.error(`measuring ${m.metadata.version}`);
    return measureOnWindows(m, period, ends, options.trustWindows);
  });
  return compareModels(entries, options.reference);
}

export async function commandCompare(args: string[]): Promise<void> {
  const { values } = parse(args, {
    models: { type: 'string' },
    csv: { type: 'string' },
    interval: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    stride: { type: 'string' },
    'trust-windows': { type: 'string' },
    reference: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const paths = values.models?.split(',').map((p) => p.trim()) ?? [];
  if (paths.length < 2) throw new UsageError('--models takes two or more model folders, separated by commas');
  const models = paths.map(requireModel);
  const interval = values.interval ?? models[0]?.metadata.dataRange?.interval;
  const backend = await startBackend(values.backend, { threads: availableParallelism() });
  const { candles, interval: read } = readCandles({ csv: values.csv, interval });
  if (read === 'M') throw new UsageError('monthly candles have no fixed length');
  const comparison = compareOnCandles(models, candles, intervalMs(read), {
    from: epochMs('from', values.from),
    to: epochMs('to', values.to),
    stride: positiveInt('stride', values.stride, 1),
    trustWindows: positiveInt('trust-windows', values['trust-windows'], TRUST_WINDOWS),
    reference: values.reference,
  });
  if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify({ backend, csv: values.csv, ...comparison }, null, 1)}\n`);
  console.log(comparisonTable(comparison));
}
