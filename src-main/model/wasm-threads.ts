/**
 * tfjs-backend-wasm's multithreaded SIMD build, started under Node, so that XNNPACK spreads a big
 * convolution over several cores. tfjs 4.22 loads that build only in browsers (tensorflow/tfjs#3830):
 * its loader gives Emscripten's pthread workers their scripts as Blobs, which Node's workers cannot
 * start. Here the same Emscripten module is instantiated with files instead: the workers start from
 * resources/wasm-pthread-worker.cjs and read the build's own main script. The backend object and
 * every kernel are tfjs's (`BackendWasm`, registered under the name 'wasm'), and the outputs are the
 * single-threaded build's bit for bit: XNNPACK splits the output between threads, never a sum.
 *
 * The build caps its thread pool at half the logical cores (it assumes two hyperthreads per core),
 * which is one thread on a 2-core machine; the core count it reads at start is doubled so that the
 * count asked for here is the count used.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { appRoot, unpackedTwin } from '../paths';

const BUILD = 'tfjs-backend-wasm-threaded-simd';
/** tfjs-backend-wasm's own priority for 'wasm'. */
const WASM_PRIORITY = 2;

/** The parts of the Emscripten module that tfjs's BackendWasm and this loader use. */
interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: { terminate(): void }[]; runningWorkers: { unref(): void }[] };
  tfjs?: unknown;
}

interface Instantiated {
  instance: unknown;
  module: unknown;
}

interface EmscriptenConfig {
  locateFile: (file: string) => string;
  mainScriptUrlOrBlob: string;
  instantiateWasm: (imports: { env: Record<string, unknown> }, receive: (instance: unknown, module: unknown) => void) => object;
}

// Main's TypeScript settings have no DOM library, where WebAssembly's types live.
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { instantiate(binary: Uint8Array, imports: object): Promise<Instantiated> };
};

async function startModule(threads: number, wasmDir: string): Promise<EmscriptenModule> {
  const root = appRoot();
  const require = createRequire(join(root, 'package.json'));
  const script = require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${BUILD}.js`);
  const factory = require(script) as (config: EmscriptenConfig) => Promise<EmscriptenModule>;
  const binary = readFileSync(join(wasmDir, `${BUILD}.wasm`));
  return factory({
    // Worker threads start from these two files: in a packaged app, their unpacked copies.
    locateFile: (file) =>
      file.endsWith('.worker.js') ? unpackedTwin(join(root, 'resources', 'wasm-pthread-worker.cjs')) : join(wasmDir, file),
    mainScriptUrlOrBlob: unpackedTwin(script),
    instantiateWasm: (imports, receive) => {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      void WebAssembly.instantiate(binary, imports).then(({ instance, module }) => receive(instance, module));
      return {};
    },
  });
}

/** The same exports as tfjs's own loader gives BackendWasm. */
function withTfjsExports(module: EmscriptenModule): EmscriptenModule {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Makes 'wasm' start the threaded build with `threads` XNNPACK threads, the calling one included.
 * Returns a function that puts tfjs's own (single-threaded) loader back.
 */
export function registerThreadedWasm(threads: number, wasmDir: string): () => void {
  const stock = tf.findBackendFactory('wasm');
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = withTfjsExports(await startModule(threads, wasmDir));
      setThreadsCount(threads);
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      // The build starts 8 workers up front; the pool holds threads − 1 of them, the rest would idle.
      for (const worker of module.PThread.unusedWorkers.splice(0)) worker.terminate();
      // Emscripten holds a running pthread's worker ref'd, which would keep Node from exiting.
      for (const worker of module.PThread.runningWorkers) worker.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
  return () => {
    tf.removeBackend('wasm');
    if (stock !== null) tf.registerBackend('wasm', stock, WASM_PRIORITY);
  };
}

/** XNNPACK threads of the active wasm backend. */
export function wasmThreads(): number {
  return getThreadsCount();
}
