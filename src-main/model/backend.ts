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
import { BACKEND_NAMES } from '../ipc/contract';
import { appRoot } from '../paths';

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
  const unpacked = dir.replace(`app.asar${'/'}`, 'app.asar.unpacked/');
  if (unpacked !== dir && existsSync(join(unpacked, WASM_FILE))) return unpacked;
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

let wasmRegistered = false;

async function register(name: BackendName): Promise<boolean> {
  if (name === 'tensorflow') return registerNative();
  if (name === 'wasm' && !wasmRegistered) {
    try {
      setWasmPaths(wasmDirectory());
      wasmRegistered = true;
    } catch {
      return false;
    }
  }
  return true;
}

/** Activates the first backend of `order` that initializes here; returns its name. */
export async function useBackend(order: readonly BackendName[] = BACKENDS): Promise<BackendName> {
  // Production mode skips per-op debug checks and the console banner suggesting tfjs-node.
  tf.enableProdMode();
  for (const name of order) {
    if (!(await register(name))) continue;
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // falls through to the next backend
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
