/**
 * The model worker thread: owns the tfjs engine, the loaded model, inference, explanations and
 * training, so that none of them runs on the UI's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { explainBatch } from '../explain/explainer';
import { windowFeatures } from '../features/windows';
import { useBackend } from '../model/backend';
import { loadModel, type ModelMetadata } from '../model/model-file';
import { FinancialCnn } from '../model/network';
import { inputHash } from '../signals/input-hash';
import { trainAndSave } from '../training/pipeline';
import type { TrainProgress } from '../ipc/contract';
import { WorkerRequestSchema, type ScoreResult, type WorkerReply } from './protocol';

const port = parentPort;
if (port === null) throw new Error('model-worker must run in a worker thread');

let current: { model: FinancialCnn; metadata: ModelMetadata } | undefined;
const cancelled = new Set<number>();

function reply(message: WorkerReply): void {
  port?.postMessage(message);
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
        reply({ id: request.id, kind: 'result', value: { backend: await useBackend(request.backends) } });
        return;
      case 'load': {
        // Built fully before it replaces the current model: a bad file leaves the old one in use.
        const loaded = loadModel(request.path);
        const model = new FinancialCnn(loaded.metadata.spec, loaded.weights);
        current?.model.dispose();
        current = { model, metadata: loaded.metadata };
        reply({
          id: request.id,
          kind: 'result',
          value: { metadata: loaded.metadata, weightsHash: loaded.weightsHash, path: request.path },
        });
        return;
      }
      case 'score': {
        if (current === undefined) throw new Error('no model is loaded');
        const { features, normalization } = current.metadata;
        if (features === null || normalization === null)
          throw new Error(`model ${current.metadata.version} has no feature pipeline; it cannot score candles`);
        const inputs = windowFeatures(request.history, features, request.stepMs, normalization);
        const [e] = explainBatch(current.model, inputs, 1, {
          method: request.method,
          layer: request.layer,
          target: request.target,
          attribution: true,
        });
        if (e === undefined) throw new Error('no explanation');
        const value: ScoreResult = {
          logits: e.logits,
          probabilities: e.probabilities,
          predicted: e.predicted,
          target: e.target,
          cam: e.cam,
          attribution: e.attribution,
          attributionByCandle: e.attributionByStep,
          windowStarts: request.history.slice(-features.windowLength).map((c) => c.time),
          inputHash: inputHash(request.history),
        };
        reply({ id: request.id, kind: 'result', value });
        return;
      }
      case 'train': {
        const progress = (p: TrainProgress) => reply({ id: request.id, kind: 'progress', progress: p });
        const outcome = await trainAndSave(request.job, request.candles, {
          onStage: (stage) => progress({ stage }),
          onBatch: (batch, batches) => progress({ batch, batches }),
          onEpoch: (p) => progress({ epoch: p.epoch, epochs: p.epochs, trainLoss: p.trainLoss, validationLoss: p.validationLoss }),
          cancelled: () => cancelled.has(request.id),
        });
        reply({ id: request.id, kind: 'result', value: outcome });
        return;
      }
      case 'cancel':
        cancelled.add(request.training);
        reply({ id: request.id, kind: 'result', value: {} });
        return;
    }
  } catch (err) {
    reply({ id: request.id, kind: 'error', message: (err as Error).message });
  }
}

port.on('message', (message: unknown) => void handle(message));
