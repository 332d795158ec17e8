/** Option parsing shared by the model commands: data source, backend, conv blocks, heads. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CsvError, parseCandleCsv } from '../market/candle-csv';
import type { Candle } from '../../src-shared/domain/market';
import type { Interval } from '../../src-shared/domain/intervals';
import { BACKENDS, useBackend, type BackendName, type BackendOptions } from '../model/backend';
import { HEAD_NAMES, HeadsSpec, isHeadName, type HeadName, type HeadsSpecValue } from '../model/heads';
import { loadModel, type LoadedModel } from '../model/model-file';
import { GAF_SERIES, MODEL_KINDS, type GafSeries, type ModelKindName } from '../model/spec';
import { wasmThreads } from '../model/wasm-threads';
import { openStore, streamKey, UsageError } from './args';

export function parseBackend(text: string | undefined): BackendName[] {
  if (text === undefined) return [...BACKENDS];
  if (!(BACKENDS as readonly string[]).includes(text))
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${text}"`);
  return [text as BackendName];
}

/** Starts the `--backend` asked for (or the first that starts); `threads` as in useBackend. */
export async function startBackend(text: string | undefined, options: BackendOptions = {}): Promise<BackendName> {
  return useBackend(parseBackend(text), options);
}

/** The backend's name, with its thread count for wasm. */
export function backendLabel(backend: BackendName): string {
  return backend === 'wasm' ? `wasm (${wasmThreads()} thread${wasmThreads() === 1 ? '' : 's'})` : backend;
}

/** `--convs 32:5,64:5,128:3` → conv blocks (filters:kernel, odd kernels, 'same' padding). */
export function parseConvs(text: string): { filters: number; kernel_size: number; padding: number }[] {
  return text.split(',').map((part) => {
    const match = /^(\d+):(\d+)$/.exec(part.trim());
    const filters = Number(match?.[1]);
    const kernel = Number(match?.[2]);
    if (!match || filters < 1 || kernel < 1 || kernel % 2 === 0) throw new UsageError(`--convs takes FILTERS:ODD_KERNEL,…, got "${part}"`);
    return { filters, kernel_size: kernel, padding: (kernel - 1) / 2 };
  });
}

/** `--kind` (default the FinancialCNN) and, for a gaf-cnn, `--series` (the series it images). */
export function parseKind(values: { kind?: string; series?: string }): { kind: ModelKindName; series?: GafSeries[] } {
  const kind = MODEL_KINDS.find((k) => k === (values.kind ?? 'financial-cnn'));
  if (kind === undefined) throw new UsageError(`--kind must be one of ${MODEL_KINDS.join(', ')}, got "${values.kind}"`);
  const series = values.series?.split(',').map((s) => s.trim());
  if (series === undefined) return { kind };
  if (kind !== 'gaf-cnn') throw new UsageError('--series is for --kind gaf-cnn (the series it images)');
  const unknown = series.find((s) => !(GAF_SERIES as readonly string[]).includes(s));
  if (unknown !== undefined) throw new UsageError(`--series takes ${GAF_SERIES.join(', ')} separated by commas, got "${unknown}"`);
  return { kind, series: series as GafSeries[] };
}

export function positiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive whole number, got "${text}"`);
  return value;
}

/** Closed candles from `--csv FILE` (checked whole; a bad row names its line) or from the store. */
export function readCandles(values: { csv?: string; db?: string; symbol?: string; interval?: string; category?: string }): {
  candles: Candle[];
  interval: Interval;
  source: string;
} {
  if (values.csv !== undefined) {
    const interval = (values.interval ?? '1') as Interval;
    streamKey({ symbol: values.symbol ?? 'CSV', interval });
    try {
      return { candles: parseCandleCsv(readFileSync(values.csv, 'utf8'), interval), interval, source: values.csv };
    } catch (err) {
      if (err instanceof CsvError) throw new Error(`${values.csv}: ${err.message}`);
      throw err;
    }
  }
  if (values.db === undefined) throw new UsageError('give --csv FILE, or --db PATH with --symbol and --interval');
  const key = streamKey(values);
  const store = openStore(values.db);
  try {
    return {
      candles: [...store.closed(key)],
      interval: key.interval,
      source: `${values.db} ${key.category} ${key.symbol} ${key.interval}`,
    };
  } finally {
    store.db.close();
  }
}

export function requireModel(path: string | undefined): LoadedModel {
  if (path === undefined) throw new UsageError('--model PATH is required (a model folder, its model.json, or a PyTorch-format JSON)');
  return loadModel(path);
}

function numberList(name: string, text: string): number[] {
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} takes numbers separated by commas, got "${text}"`);
    return value;
  });
}

/**
 * `--heads direction,volatility,var,sharp` with `--loss-weights volatility=0.5,…`, `--sharp-k K` and
 * `--var-quantiles 0.01,0.05` → the spec's heads; undefined for the direction head alone (the
 * spec of every model before the forecast heads).
 */
export function parseHeads(values: {
  heads?: string;
  'loss-weights'?: string;
  'sharp-k'?: string;
  'var-quantiles'?: string;
}): HeadsSpecValue | undefined {
  const names = (values.heads ?? 'direction').split(',').map((n) => n.trim());
  for (const name of names)
    if (!isHeadName(name)) throw new UsageError(`--heads takes ${HEAD_NAMES.join(', ')} separated by commas, got "${name}"`);
  const chosen = new Set(names as HeadName[]);
  const weights = new Map<HeadName, number>();
  for (const pair of values['loss-weights']?.split(',') ?? []) {
    const [name = '', weight = ''] = pair.split('=').map((p) => p.trim());
    if (!isHeadName(name) || !chosen.has(name)) throw new UsageError(`--loss-weights names a head not in --heads: "${pair}"`);
    const [value] = numberList('loss-weights', weight);
    weights.set(name, value ?? NaN);
  }
  if (values['sharp-k'] !== undefined && !chosen.has('sharp')) throw new UsageError('--sharp-k needs the sharp head in --heads');
  if (values['var-quantiles'] !== undefined && !chosen.has('var')) throw new UsageError('--var-quantiles needs the var head in --heads');
  if (chosen.size === 1 && chosen.has('direction') && weights.size === 0) return undefined;
  const head = (name: HeadName, extra: Record<string, unknown> = {}) =>
    chosen.has(name) ? { loss_weight: weights.get(name) ?? 1, ...extra } : undefined;
  const parsed = HeadsSpec.safeParse({
    direction: head('direction'),
    volatility: head('volatility'),
    var: head('var', values['var-quantiles'] === undefined ? {} : { quantiles: numberList('var-quantiles', values['var-quantiles']) }),
    sharp: head('sharp', values['sharp-k'] === undefined ? {} : { k: Number(values['sharp-k']) }),
  });
  if (!parsed.success) throw new UsageError(`bad heads: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
