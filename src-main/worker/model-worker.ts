/**
 * The model worker thread: owns the tfjs engine, the loaded model, inference, explanations and
 * training, so that none of them runs on the UI's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { ExplainPool } from '../backtest/explain-pool';
import { equityPoints, localExplainer, runBacktest, tradesWithSignals } from '../backtest/run';
import { varBacktest } from '../backtest/var-backtest';
import { useBackend, type BackendName } from '../model/backend';
import { loadModel, type ModelMetadata } from '../model/model-file';
import { createNetwork, modelKind } from '../model/kinds';
import type { ModelWindow } from '../model/kinds/kind';
import type { FinancialCnn } from '../model/network';
import { checkOneWindow } from '../explain/explainer';
import { explainWindow } from '../scoring/explained-window';
import { modelView } from '../scoring/model-view';
import { trainAndSave } from '../training/pipeline';
import type { TrainProgress } from '../../src-shared/domain/model';
import { WorkerRequestSchema, type BacktestResultValue, type WorkerReply, type WorkerRequestValue } from './protocol';

const port = parentPort;
if (port === null) throw new Error('model-worker must run in a worker thread');

type Loaded = { model: FinancialCnn; metadata: ModelMetadata; path: string };
let current: Loaded | undefined;
/** The last model asked for other than the active one (a backtest's or a replay's), kept for its next windows. */
let other: Loaded | undefined;
const cancelled = new Set<number>();

/** The model folder at `path`, built in full (a bad file throws before anything is replaced). */
function open(path: string): Loaded & { weightsHash: string } {
  const file = loadModel(path);
  return { model: createNetwork(file.metadata.spec, file.weights), metadata: file.metadata, path, weightsHash: file.weightsHash };
}

/** The model folder at `path`: the active one, the other one kept, or loaded now (replacing that one). */
function modelAt(path: string | undefined): Loaded | undefined {
  if (path === undefined || path === current?.path) return current;
  if (path !== other?.path) {
    const opened = open(path);
    other?.model.dispose();
    other = opened;
  }
  return other;
}

function reply(message: WorkerReply): void {
  port?.postMessage(message);
}

/** The loaded model, with its window; a model that cannot read candles is refused with the reason. */
function requireScoring(loaded: Loaded | undefined): { model: FinancialCnn; pipeline: ModelMetadata; window: ModelWindow } {
  if (loaded === undefined) throw new Error('no model is loaded');
  return { model: loaded.model, pipeline: loaded.metadata, window: modelKind(loaded.metadata.spec).window(loaded.metadata) };
}

const POOL_FROM_CANDLES = 5_000;
let backend: BackendName | undefined;

/** A backtest over the request's candles with the loaded model (or another one loaded for the run). */
async function backtestRange(
  request: Extract<WorkerRequestValue, { type: 'backtest' }>,
  onProgress: (done: number, total: number) => void,
): Promise<BacktestResultValue> {
  try {
    const { model, pipeline, window } = requireScoring(modelAt(request.modelPath));
    const horizon = pipeline.labels?.horizon;
    const { candles, stepMs } = request;
    // A long range is worth starting a helper thread per core for; a short one runs here (the
    // candles before it only warm windows up or fit the VaR backtest's baselines).
    const traded =
      candles.length -
      Math.max(
        0,
        candles.findIndex((c) => c.time >= request.from),
      );
    const pool = traded > POOL_FROM_CANDLES && backend !== undefined ? await ExplainPool.start(request.modelPath, [backend]) : undefined;
    const run = await runBacktest(pool?.explain ?? localExplainer(model), candles, stepMs, pipeline, request.rules, {
      from: request.from,
      onProgress,
      cancelled: () => cancelled.has(request.id),
      parallel: pool?.size ?? 1,
      horizon,
    }).finally(() => pool?.close());
    const indexOf = new Map(candles.map((c, i) => [c.time, i]));
    const needed = window.historyLength;
    return {
      modelVersion: pipeline.version,
      candles: run.bars.length,
      strategy: run.strategy,
      buyAndHold: run.buyAndHold,
      periodsPerYear: run.periodsPerYear,
      equity: equityPoints(run),
      // Each entry signal again by the live path, with the attribution the batched run skips.
      trades: tradesWithSignals(run).map((trade) => {
        const end = indexOf.get(trade.signal.candleStart) ?? -1;
        const history = candles.slice(end + 1 - needed, end + 1);
        return { ...trade, explanation: explainWindow({ model, ...pipeline }, { history, stepMs, method: 'gradcam' }) };
      }),
      signals: run.windows.map(({ candleStart, predicted, probabilities, concentration }) => ({
        candleStart,
        predicted,
        probabilities,
        concentration,
      })),
      varBacktest: varBacktest({
        candles,
        stepMs,
        from: request.from,
        horizon,
        trailingWindow: window.windowLength,
        windows: run.windows,
      }),
    };
  } finally {
    cancelled.delete(request.id);
  }
}

async function handle(raw: unknown): Promise<void> {
  const parsed = WorkerRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : 0;
    reply({ id, kind: 'error', message: `malformed request: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return;
  }
  const request = parsed.data;
  try {
    switch (request.type) {
      case 'init':
        backend = await useBackend(request.backends, { threads: request.threads });
        reply({ id: request.id, kind: 'result', value: { backend } });
        return;
      case 'load': {
        // Built fully before it replaces the current model: a bad file leaves the old one in use.
        const opened = open(request.path);
        current?.model.dispose();
        current = opened;
        reply({
          id: request.id,
          kind: 'result',
          value: { metadata: opened.metadata, weightsHash: opened.weightsHash, path: request.path },
        });
        return;
      }
      case 'check': {
        const { model } = open(request.path);
        try {
          checkOneWindow(model);
        } finally {
          model.dispose();
        }
        reply({ id: request.id, kind: 'result', value: {} });
        return;
      }
      case 'score': {
        const { model, pipeline } = requireScoring(modelAt(request.modelPath));
        reply({ id: request.id, kind: 'result', value: explainWindow({ model, ...pipeline }, request) });
        return;
      }
      case 'backtest': {
        const value = await backtestRange(request, (done, total) => reply({ id: request.id, kind: 'backtest-progress', done, total }));
        reply({ id: request.id, kind: 'result', value });
        return;
      }
      case 'train': {
        const progress = (p: TrainProgress) => reply({ id: request.id, kind: 'progress', progress: p });
        const outcome = await trainAndSave(request.job, request.candles, {
          onStage: (stage) => progress({ stage }),
          // Each batch says its epoch too: a bar drawn from this event alone then moves through the whole run.
          onBatch: (batch, batches, epoch) => progress({ epoch, epochs: request.job.settings.epochs, batch, batches }),
          onEpoch: (p) => progress({ epoch: p.epoch, epochs: p.epochs, trainLoss: p.trainLoss, validationLoss: p.validationLoss }),
        });
        reply({ id: request.id, kind: 'result', value: outcome });
        return;
      }
      case 'view': {
        const { model, pipeline } = requireScoring(modelAt(request.modelPath));
        reply({ id: request.id, kind: 'result', value: modelView({ model, ...pipeline }, request) });
        return;
      }
      case 'cancel':
        cancelled.add(request.job);
        reply({ id: request.id, kind: 'result', value: {} });
        return;
    }
  } catch (err) {
    reply({ id: request.id, kind: 'error', message: (err as Error).message });
  }
}

port.on('message', (message: unknown) => void handle(message));
