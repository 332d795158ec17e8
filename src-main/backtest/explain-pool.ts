/**
 * Explains backtest batches on several worker threads at once (src-main/backtest/explain-worker.ts),
 * each with its own copy of the model: the batched Grad-CAM is the backtest's cost, and one thread
 * uses one core.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BACKEND_NAMES } from '../../src-shared/domain/model';
import { WorkerCalls } from '../threads/calls';
import { spawnWorker } from '../threads/spawn';
import type { BatchExplainer, WindowCall } from './run';

export const ExplainPoolSetupSchema = z.object({ modelPath: z.string(), backends: z.array(z.enum(BACKEND_NAMES)).min(1) });
export const ExplainRequestSchema = z.object({
  id: z.number().int(),
  inputs: z.instanceof(Float32Array),
  batch: z.number().int().positive(),
});
const ReadySchema = z.object({ kind: z.literal('ready'), backend: z.enum(BACKEND_NAMES) });
const ExplainResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('result'),
    id: z.number().int(),
    predicted: z.instanceof(Int32Array),
    probabilities: z.instanceof(Float64Array),
    cam: z.instanceof(Float64Array),
    /** Per window: volatility, 1 % VaR, 5 % VaR; NaN where the model has no such head. */
    forecasts: z.instanceof(Float64Array),
  }),
  z.object({ kind: z.literal('error'), id: z.number().int(), message: z.string() }),
]);
export type ExplainReply = z.output<typeof ReadySchema> | z.output<typeof ExplainResultSchema>;
type Helper = WorkerCalls<z.output<typeof ExplainResultSchema>>;

export class ExplainPool {
  readonly #helpers: Helper[];

  private constructor(helpers: Helper[]) {
    this.#helpers = helpers;
  }

  /** Starts `size` helpers (default: one per core) with the model; resolves once all have loaded it. */
  static async start(
    modelPath: string,
    backends: z.input<typeof ExplainPoolSetupSchema>['backends'],
    size = availableParallelism(),
  ): Promise<ExplainPool> {
    const helpers = Array.from(
      { length: Math.max(1, size) },
      () =>
        new WorkerCalls(
          spawnWorker('explain-worker', 'src-main/backtest/explain-worker.ts', { modelPath, backends }),
          ExplainResultSchema,
          'explain worker',
        ),
    );
    const pool = new ExplainPool(helpers);
    try {
      await Promise.all(helpers.map(loaded));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.#helpers.length;
  }

  /** Explains a batch on the least busy helper. */
  readonly explain: BatchExplainer = (inputs, batch) => {
    const helper = this.#helpers.reduce((a, b) => (b.open < a.open ? b : a));
    const request = { id: helper.nextId(), inputs, batch } satisfies z.input<typeof ExplainRequestSchema>;
    return helper.call<WindowCall[]>(
      request,
      (reply, resolve, reject) => {
        if (reply.kind === 'error') reject(new Error(reply.message));
        else resolve(windowCalls(reply));
        return true;
      },
      [inputs.buffer as ArrayBuffer],
    );
  };

  async close(): Promise<void> {
    await Promise.all(this.#helpers.map((h) => h.worker.terminate()));
  }
}

/** Resolves when the helper has loaded the model; rejects if its thread fails first. */
async function loaded(helper: Helper): Promise<void> {
  const ready = new Promise<void>((resolve) => {
    const onMessage = (raw: unknown) => {
      if (!ReadySchema.safeParse(raw).success) return;
      helper.worker.off('message', onMessage); // the replies that follow are WorkerCalls' to route
      resolve();
    };
    helper.worker.on('message', onMessage);
  });
  const failure = await Promise.race([ready, helper.failed]);
  if (failure instanceof Error) throw failure;
}

/** The order of a window's forecasts in the reply. */
export const FORECAST_FIELDS = ['volatility', 'var01', 'var05'] as const;

function windowCalls({
  predicted,
  probabilities,
  cam,
  forecasts,
}: {
  predicted: Int32Array;
  probabilities: Float64Array;
  cam: Float64Array;
  forecasts: Float64Array;
}): WindowCall[] {
  const classes = probabilities.length / predicted.length;
  const T = cam.length / predicted.length;
  return Array.from(predicted, (p, b) => ({
    predicted: p,
    probabilities: Array.from(probabilities.subarray(b * classes, (b + 1) * classes)),
    cam: Array.from(cam.subarray(b * T, (b + 1) * T)),
    forecasts: Object.fromEntries(
      FORECAST_FIELDS.flatMap((field, f) => {
        const value = forecasts[b * FORECAST_FIELDS.length + f] ?? NaN;
        return Number.isNaN(value) ? [] : [[field, value]];
      }),
    ),
  }));
}
