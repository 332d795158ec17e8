/**
 * Messages between the engine and the model worker thread, validated with zod on arrival on both
 * sides (a thread boundary is a process boundary for our rules).
 */
import { z } from 'zod';
import { ScoreResultSchema } from '../scoring/explained-window';
import { BACKEND_NAMES, TrainProgressSchema } from '../../src-shared/domain/model';
import { backtestOutcomeWith, BacktestRulesSchema } from '../../src-shared/domain/backtest';
import { CAM_METHODS } from '../../src-shared/domain/signal';
import { CandleSchema } from '../../src-shared/domain/market';
import { ModelViewSchema } from '../../src-shared/domain/model-view';
import { HEAD_NAMES } from '../model/heads';
import { ModelMetadataSchema } from '../model/model-file';
import { TrainJobSchema } from '../training/job';

const Id = z.number().int().nonnegative();

/** A window to explain: what `score` and `view` are asked (`score` may also explain every forecast head, as a stored live signal keeps). */
const WindowExplanation = z.object({
  /** The model folder to score with; the loaded one by default. */
  modelPath: z.string().optional(),
  /** Exactly warmup + T closed candles, the window last. */
  history: z.array(CandleSchema),
  stepMs: z.number().int().positive(),
  method: z.enum(CAM_METHODS),
  layer: z.number().int().nonnegative().optional(),
  /** The head explained; `target` is an output of it. */
  head: z.enum(HEAD_NAMES).optional(),
  target: z.number().int().nonnegative().optional(),
});

export const WorkerRequestSchema = z.discriminatedUnion('type', [
  z.object({
    id: Id,
    type: z.literal('init'),
    backends: z.array(z.enum(BACKEND_NAMES)).min(1),
    /** XNNPACK threads for wasm (see model/backend): one for live windows, every core for training. */
    threads: z.number().int().min(1).max(64).optional(),
  }),
  z.object({ id: Id, type: z.literal('load'), path: z.string() }),
  /** Builds the model folder at `path` and runs one window through it, without loading it (an import's check). */
  z.object({ id: Id, type: z.literal('check'), path: z.string() }),
  z.object({ id: Id, type: z.literal('score'), ...WindowExplanation.shape, explainForecasts: z.boolean().optional() }),
  z.object({ id: Id, type: z.literal('train'), job: TrainJobSchema, candles: z.array(CandleSchema) }),
  z.object({
    id: Id,
    type: z.literal('backtest'),
    /** The model folder to trade with (the loaded one when it is the same). */
    modelPath: z.string(),
    /** The range's candles, after the warm-up candles the first windows read. */
    candles: z.array(CandleSchema),
    stepMs: z.number().int().positive(),
    from: z.number().int().nonnegative(),
    rules: BacktestRulesSchema,
  }),
  /** Stops a backtest (by its request id) at its next batch. */
  z.object({ id: Id, type: z.literal('cancel'), job: Id }),
  /** An image model's own view of a window (../scoring/model-view), explained as `score` explains it. */
  z.object({ id: Id, type: z.literal('view'), ...WindowExplanation.shape }),
]);
export type WorkerRequest = z.input<typeof WorkerRequestSchema>;
export type WorkerRequestValue = z.output<typeof WorkerRequestSchema>;

export const WorkerReplySchema = z.discriminatedUnion('kind', [
  z.object({ id: Id, kind: z.literal('result'), value: z.unknown() }),
  z.object({ id: Id, kind: z.literal('error'), message: z.string() }),
  z.object({ id: Id, kind: z.literal('progress'), progress: TrainProgressSchema }),
  z.object({ id: Id, kind: z.literal('backtest-progress'), done: z.number().int(), total: z.number().int() }),
]);
export type WorkerReply = z.output<typeof WorkerReplySchema>;

export const InitResultSchema = z.object({ backend: z.enum(BACKEND_NAMES) });
export const LoadResultSchema = z.object({ metadata: ModelMetadataSchema, weightsHash: z.string(), path: z.string() });
export type LoadResult = z.output<typeof LoadResultSchema>;

export const EmptyResultSchema = z.object({});
export const TrainResultSchema = z.object({ dir: z.string(), metadata: ModelMetadataSchema, report: z.record(z.string(), z.unknown()) });
export type TrainResult = z.output<typeof TrainResultSchema>;

/** The backtest's outcome, each trade's entry window explained as live explains it (with the channel attribution). */
export const ViewResultSchema = ModelViewSchema.omit({ modelVersion: true });

export const BacktestResultSchema = backtestOutcomeWith(ScoreResultSchema);
export type BacktestResultValue = z.output<typeof BacktestResultSchema>;
