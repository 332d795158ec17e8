/** `explain --model M --csv FILE --at START_MS`: the explained signal of the window ending at one candle. */
import { explainBatch } from '../explain/explainer';
import { historyLength, windowFeatures } from '../features/windows';
import { CAM_METHODS, SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import { intervalMs } from '../../src-shared/domain/intervals';
import { FinancialCnn } from '../model/network';
import { inputHash } from '../signals/input-hash';
import { epochOption, parse, UsageError } from './args';
import { pipelineOf } from './evaluate';
import { readCandles, requireModel, startBackend } from './model-args';

export async function commandExplain(args: string[]): Promise<void> {
  const { values } = parse(args, {
    model: { type: 'string' },
    csv: { type: 'string' },
    interval: { type: 'string' },
    at: { type: 'string' },
    method: { type: 'string' },
    layer: { type: 'string' },
    target: { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const at = epochOption('at', values.at);
  if (at === undefined) throw new UsageError('--at START_MS is required');
  const method = values.method ?? 'gradcam';
  if (!(CAM_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${CAM_METHODS.join(', ')}`);
  const target = values.target === undefined ? undefined : SIGNAL_CLASSES.indexOf(values.target as (typeof SIGNAL_CLASSES)[number]);
  if (target === -1) throw new UsageError(`--target must be one of ${SIGNAL_CLASSES.join(', ')}`);
  const layer = values.layer === undefined ? undefined : Number(values.layer);
  const loaded = requireModel(values.model);
  const { features, normalization } = pipelineOf(loaded);
  const backend = await startBackend(values.backend);
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval ?? loaded.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const end = candles.findIndex((c) => c.time === at);
  if (end === -1) throw new Error(`${values.csv} has no candle starting at ${at}`);
  const needed = historyLength(features);
  if (end + 1 < needed) throw new Error(`the window ending at ${at} needs ${needed} candles up to it; the file has ${end + 1}`);
  const history = candles.slice(end + 1 - needed, end + 1);
  const inputs = windowFeatures(history, features, intervalMs(interval), normalization);
  const model = new FinancialCnn(loaded.metadata.spec, loaded.weights);
  const [e] = explainBatch(model, inputs, 1, { method: method as (typeof CAM_METHODS)[number], layer, target, attribution: true });
  model.dispose();
  if (e === undefined) throw new Error('no explanation');
  console.log(
    JSON.stringify(
      {
        modelVersion: loaded.metadata.version,
        backend,
        candleStart: at,
        predicted: SIGNAL_CLASSES[e.predicted],
        target: SIGNAL_CLASSES[e.target],
        probabilities: e.probabilities,
        method,
        layer: layer ?? loaded.metadata.spec.convs.length - 1,
        windowStarts: history.slice(-features.windowLength).map((c) => c.time),
        cam: e.cam,
        features: features.channels.map((name, i) => ({ name, attribution: e.attribution[i] ?? 0 })),
        inputHash: inputHash(history),
      },
      null,
      1,
    ),
  );
}
