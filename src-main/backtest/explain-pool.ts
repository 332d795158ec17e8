/**
 * Explains backtest batches on several worker threads at once (src-main/backtest/explain-worker.ts),
 * each with its own copy of the model: the batched Grad-CAM is the backtest's cost, and one thread
 * uses one core.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { BACKEND_NAMES } from '../ipc/contract';
import { spawnWorker } from '../worker/spawn';
import type { BatchExplainer, WindowCall } from './run';

export const ExplainPoolSetupSchema = z.object({ modelPath: z.string(), backends: z.array(z.enum(BACKEND_NAMES)).min(1) });
export const ExplainRequestSchema = z.object({
  id: z.number().int(),
  inputs: z.instanceof(Float32Array),
  batch: z.number().int().positive(),
});
const ExplainReplySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), backend: z.enum(BACKEND_NAMES) }),
  z.object({
    kind: z.literal('result'),
    id: z.number().int(),
    predicted: z.instanceof(Int32Array),
    probabilities: z.instanceof(Float64Array),
    cam: z.instanceof(Float64Array),
  }),
  z.object({ kind: z.literal('error'), id: z.number().int(), message: z.string() }),
]);
export type ExplainReply = z.output<typeof ExplainReplySchema>;

interface Helper {
  worker: Worker;
  pending: Map<number, { resolve: (calls: WindowCall[]) => void; reject: (error: Error) => void }>;
}

export class ExplainPool {
  readonly #helpers: Helper[];
  #nextId = 0;

  private constructor(helpers: Helper[]) {
    this.#helpers = helpers;
  }

  /** Starts `size` helpers (default: one per core) with the model; resolves once all have loaded it. */
  static async start(
    modelPath: string,
    backends: z.input<typeof ExplainPoolSetupSchema>['backends'],
    size = availableParallelism(),
  ): Promise<ExplainPool> {
    const helpers = Array.from({ length: Math.max(1, size) }, () => ({
      worker: spawnWorker('explain-worker', 'src-main/backtest/explain-worker.ts', { modelPath, backends }),
      pending: new Map(),
    }));
    const pool = new ExplainPool(helpers);
    try {
      await Promise.all(helpers.map((helper) => pool.#listen(helper)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.#helpers.length;
  }

  /** Resolves when the helper has loaded the model; then routes its replies to their callers. */
  #listen(helper: Helper): Promise<void> {
    return new Promise((ready, failed) => {
      const fail = (error: Error) => {
        failed(error);
        for (const p of helper.pending.values()) p.reject(error);
        helper.pending.clear();
      };
      helper.worker.on('error', (err) => fail(new Error(`explain worker failed: ${err.message}`)));
      helper.worker.on('exit', (code) => fail(new Error(`explain worker exited (code ${code})`)));
      helper.worker.on('message', (raw: unknown) => {
        const reply = ExplainReplySchema.safeParse(raw);
        if (!reply.success) return;
        if (reply.data.kind === 'ready') return ready();
        const pending = helper.pending.get(reply.data.id);
        helper.pending.delete(reply.data.id);
        if (reply.data.kind === 'error') pending?.reject(new Error(reply.data.message));
        else pending?.resolve(windowCalls(reply.data));
      });
    });
  }

  /** Explains a batch on the least busy helper. */
  readonly explain: BatchExplainer = (inputs, batch) => {
    const helper = this.#helpers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      helper.pending.set(id, { resolve, reject });
      helper.worker.postMessage({ id, inputs, batch } satisfies z.input<typeof ExplainRequestSchema>, [inputs.buffer]);
    });
  };

  async close(): Promise<void> {
    await Promise.all(this.#helpers.map((h) => h.worker.terminate()));
  }
}

function windowCalls({
  predicted,
  probabilities,
  cam,
}: {
  predicted: Int32Array;
  probabilities: Float64Array;
  cam: Float64Array;
}): WindowCall[] {
  const classes = probabilities.length / predicted.length;
  const T = cam.length / predicted.length;
  return Array.from(predicted, (p, b) => ({
    predicted: p,
    probabilities: Array.from(probabilities.subarray(b * classes, (b + 1) * classes)),
    cam: Array.from(cam.subarray(b * T, (b + 1) * T)),
  }));
}
