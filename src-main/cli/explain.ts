/**
 * `explain --model M --csv FILE --at START_MS`: the explained signal of the window ending at one
 * candle, with the forecasts of the model's heads; `--target-head` explains a forecast head's output.
 */
import { CAM_METHODS, SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import { intervalMs } from '../../src-shared/domain/intervals';
import { headsOf, headSlot, HEAD_NAMES, isHeadName, type HeadName } from '../model/heads';
import { createNetwork, modelKind } from '../model/kinds';
import type { ModelSpec } from '../model/spec';
import { explainWindow, windowSignal } from '../scoring/explained-window';
import { epochOption, parse, UsageError } from './args';
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
    'target-head': { type: 'string' },
    backend: { type: 'string' },
  });
  if (values.csv === undefined) throw new UsageError('--csv FILE is required');
  const at = epochOption('at', values.at);
  if (at === undefined) throw new UsageError('--at START_MS is required');
  const method = CAM_METHODS.find((m) => m === (values.method ?? 'gradcam'));
  if (method === undefined) throw new UsageError(`--method must be one of ${CAM_METHODS.join(', ')}`);
  const headName = values['target-head'];
  if (headName !== undefined && !isHeadName(headName)) throw new UsageError(`--target-head must be one of ${HEAD_NAMES.join(', ')}`);
  const layer = values.layer === undefined ? undefined : Number(values.layer);
  const loaded = requireModel(values.model);
  const { spec } = loaded.metadata;
  if (headName !== undefined) headSlot(spec, headName);
  const target = targetOption(spec, headName, values.target);
  const window = modelKind(spec).window(loaded.metadata);
  const backend = await startBackend(values.backend);
  const { candles, interval } = readCandles({ csv: values.csv, interval: values.interval ?? loaded.metadata.dataRange?.interval });
  if (interval === 'M') throw new UsageError('monthly candles have no fixed length');
  const end = candles.findIndex((c) => c.time === at);
  if (end === -1) throw new Error(`${values.csv} has no candle starting at ${at}`);
  const needed = window.historyLength;
  if (end + 1 < needed) throw new Error(`the window ending at ${at} needs ${needed} candles up to it; the file has ${end + 1}`);
  const history = candles.slice(end + 1 - needed, end + 1);
  const model = createNetwork(loaded.metadata.spec, loaded.weights);
  const result = explainWindow(
    { model, ...loaded.metadata },
    { history, stepMs: intervalMs(interval), method, layer, head: headName, target },
  );
  model.dispose();
  const signal = windowSignal(at, method, { version: loaded.metadata.version, channels: window.channels }, result);
  const { modelVersion, ...explained } = signal;
  console.log(
    JSON.stringify(
      {
        modelVersion,
        backend,
        ...explained,
        forecasts: result.forecasts,
        targetHead: result.head,
        target: result.head === 'direction' ? SIGNAL_CLASSES[result.target] : result.target,
        layer: layer ?? loaded.metadata.spec.convs.length - 1,
      },
      null,
      1,
    ),
  );
}

/**
 * `--target`: a class name for the direction head; for the VaR head an output index or its quantile
 * level (0.01); for the volatility and sharp-move heads, 0 (their one output).
 */
function targetOption(spec: ModelSpec, head: HeadName | undefined, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (head === undefined || head === 'direction') {
    const target = SIGNAL_CLASSES.indexOf(text as (typeof SIGNAL_CLASSES)[number]);
    if (target === -1) throw new UsageError(`--target must be one of ${SIGNAL_CLASSES.join(', ')}`);
    return target;
  }
  const size = headSlot(spec, head).size;
  const byLevel = head === 'var' ? (headsOf(spec).var?.quantiles ?? []).indexOf(Number(text)) : -1;
  const index = byLevel >= 0 && !/^\d+$/.test(text) ? byLevel : Number(text);
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new UsageError(
      `--target of the ${head} head must be 0..${size - 1}${head === 'var' ? ' or one of its quantile levels' : ''}, got "${text}"`,
    );
  }
  return index;
}
