/**
 * tfjs backend choice, in order: `tensorflow` (native libtensorflow through the optional
 * @tensorflow/tfjs-node, often absent: its install script downloads a binary), `wasm`, then `cpu`.
 * One backend is active per thread (tfjs keeps a global engine). We import @tensorflow/tfjs rather
 * than tfjs-core because only its Node bundle registers the gradient functions autodiff needs.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BACKEND_NAMES } from '../../src-shared/domain/model';
import { appRoot, unpackedTwin } from '../paths';
import { registerThreadedWasm } from './wasm-threads';

export const BACKENDS = BACKEND_NAMES;
export type BackendName = (typeof BACKENDS)[number];

const WASM_FILE = 'tfjs-backend-wasm-simd.wasm';

/**
 * The folder holding tfjs-backend-wasm's .wasm files. Resolved through Node's resolution from the
 * app root (dev, the electron-vite build in out/ and the worker all resolve the same package), with
 * the `app.asar.unpacked` twin preferred in a packaged app, since WebAssembly files are read with
 * plain fs calls that should not go through the archive.
 */
export function wasmDirectory(): string {
  const require = createRequire(join(appRoot(), 'package.json'));
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
  const unpacked = unpackedTwin(dir, (twin) => existsSync(join(twin, WASM_FILE)));
  if (unpacked !== dir) return unpacked;
  if (!existsSync(join(dir, WASM_FILE))) throw new Error(`tfjs wasm files not found in ${dir}`);
  return dir;
}

let nativeTried = false;

async function registerNative(): Promise<boolean> {
  if (nativeTried) return tf.findBackendFactory('tensorflow') !== null;
  nativeTried = true;
  try {
    // A variable specifier keeps bundlers from resolving a package that may not be installed.
    const name = '@tensorflow/tfjs-node';
    await import(/* @vite-ignore */ name);
    return tf.findBackendFactory('tensorflow') !== null;
  } catch {
    return false;
  }
}

let wasmPathsSet = false;
/** XNNPACK threads the 'wasm' factory now starts with: 1 is tfjs's own loader. */
let wasmLoaderThreads = 1;
let restoreStockWasm: (() => void) | undefined;

function useWasmLoader(threads: number): void {
  if (threads === wasmLoaderThreads) return;
  restoreStockWasm?.();
  restoreStockWasm = threads > 1 ? registerThreadedWasm(threads, wasmDirectory()) : undefined;
  wasmLoaderThreads = threads;
}

async function register(name: BackendName, threads: number): Promise<boolean> {
  if (name === 'tensorflow') return registerNative();
  if (name === 'wasm') {
    try {
      if (!wasmPathsSet) setWasmPaths(wasmDirectory());
      wasmPathsSet = true;
      useWasmLoader(threads);
    } catch {
      return false;
    }
  }
  return true;
}

async function start(name: BackendName): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  } catch {
    return false;
  }
}

export interface BackendOptions {
  /**
   * XNNPACK threads for the wasm backend, the calling thread included (default 1). More than one
   * starts tfjs-wasm's threaded build (./wasm-threads): worth it for batches, while a single window
   * is faster on one thread. Falls back to one thread if the threaded build cannot start.
   */
  threads?: number;
}

/** Activates the first backend of `order` that initializes here; returns its name. */
export async function useBackend(order: readonly BackendName[] = BACKENDS, { threads = 1 }: BackendOptions = {}): Promise<BackendName> {
  // Production mode skips per-op debug checks and the console banner suggesting tfjs-node.
  tf.enableProdMode();
  for (const name of order) {
    if (!(await register(name, threads))) continue;
    if (await start(name)) return name;
    if (name === 'wasm' && threads > 1) {
      useWasmLoader(1);
      if (await start(name)) return name;
    }
  }
  throw new Error(`no tfjs backend among ${order.join(', ')} could start`);
}

/** Backends that can start in this process, in preference order (leaves the first one active). */
export async function availableBackends(): Promise<BackendName[]> {
  const present: BackendName[] = [];
  for (const name of BACKENDS) {
    try {
      if ((await useBackend([name])) === name) present.push(name);
    } catch {
      // absent
    }
  }
  const first = present[0];
  if (first !== undefined) await useBackend([first]);
  return present;
}

export function activeBackend(): BackendName {
  const name = tf.getBackend();
  if (!(BACKENDS as readonly string[]).includes(name)) throw new Error(`unexpected tfjs backend ${name}`);
  return name as BackendName;
}
