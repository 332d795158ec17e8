/** Option parsing shared by the model commands: data source, backend, conv blocks. */
import { readFileSync } from 'node:fs';
import { CsvError, parseCandleCsv } from '../market/candle-csv';
import type { Candle } from '../../src-shared/domain/market';
import type { Interval } from '../../src-shared/domain/intervals';
import { BACKENDS, useBackend, type BackendName, type BackendOptions } from '../model/backend';
import { loadModel, type LoadedModel } from '../model/model-file';
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
