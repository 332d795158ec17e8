/**
 * A backtest helper thread: loads one model on one backend and explains the batches it is sent
 * (Grad-CAM), so that a backtest can use every core. Messages are checked with zod both ways.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explainBatch } from '../explain/explainer';
import { useBackend } from '../model/backend';
import { loadModel } from '../model/model-file';
import { createNetwork } from '../model/kinds';
import { ExplainPoolSetupSchema, ExplainRequestSchema, FORECAST_FIELDS, type ExplainReply } from './explain-pool';

const port = parentPort;
if (port === null) throw new Error('explain-worker must run in a worker thread');

const setup = ExplainPoolSetupSchema.parse(workerData);
const backend = await useBackend(setup.backends);
const loaded = loadModel(setup.modelPath);
const model = createNetwork(loaded.metadata.spec, loaded.weights);
port.postMessage({ kind: 'ready', backend } satisfies ExplainReply);

port.on('message', (raw: unknown) => {
  const request = ExplainRequestSchema.safeParse(raw);
  if (!request.success) return;
  const { id, inputs, batch } = request.data;
  try {
    const explained = explainBatch(model, inputs, batch, { method: 'gradcam' });
    // Float64 carries the numbers exactly as the local path would give them.
    const reply: ExplainReply = {
      kind: 'result',
      id,
      predicted: Int32Array.from(explained, (e) => e.predicted),
      probabilities: Float64Array.from(explained.flatMap((e) => e.probabilities)),
      cam: Float64Array.from(explained.flatMap((e) => e.cam)),
      // NaN for a head the model lacks (a forecast itself is always finite).
      forecasts: Float64Array.from(explained.flatMap((e) => FORECAST_FIELDS.map((field) => e.forecasts[field] ?? NaN))),
    };
    port.postMessage(reply, [reply.predicted.buffer, reply.probabilities.buffer, reply.cam.buffer, reply.forecasts.buffer]);
  } catch (err) {
    port.postMessage({ kind: 'error', id, message: (err as Error).message } satisfies ExplainReply);
  }
});
