/**
 * An image model's own view of one window (../../src-shared/domain/model-view): the window encoded
 * by the model's kind, as the recipe (./explained-window) encodes it, its CAM over the picture's
 * cells by the same explanation, and the candles each row and column relates to. Computation only.
 */
import { MAX_VIEW_CELLS, MAX_VIEW_CHANNELS, type ModelView } from '../../src-shared/domain/model-view';
import { explainBatch } from '../explain/explainer';
import { modelKind } from '../model/kinds';
import type { WindowRequest, ScoringModel } from './explained-window';

/** What a window's view asks: the explanation's method, layer, head and target, as a signal's explanation. */
export type ViewRequest = Omit<WindowRequest, 'explainForecasts'>;

export function modelView({ model, ...pipeline }: ScoringModel, request: ViewRequest): Omit<ModelView, 'modelVersion'> {
  const { spec } = model;
  const kind = modelKind(spec);
  const layer = request.layer ?? model.layerCount - 1;
  const windowStarts = request.history.slice(-spec.sequence_length).map((c) => c.time);
  const layout = kind.image;
  if (layout === undefined)
    return {
      kind: kind.name,
      method: request.method,
      layer,
      windowStarts,
      cam: [],
      image: null,
      note: `a ${kind.name} reads its candles along time: it has no picture of its own`,
    };
  const { height, width } = layout.size(spec);
  const channels = layout.channels(spec);
  // Checked before any work: the answer carries every cell.
  if (height * width > MAX_VIEW_CELLS || channels.length > MAX_VIEW_CHANNELS)
    throw new RangeError(
      `the model's picture is ${height} × ${width} cells of ${channels.length} channels; the view shows at most ${MAX_VIEW_CELLS} cells of ${MAX_VIEW_CHANNELS} channels`,
    );
  const inputs = kind.encode({ ...pipeline, spec }, request.history, request.stepMs);
  const [e] = explainBatch(model, inputs, 1, { method: request.method, layer, head: request.head, target: request.target });
  if (e === undefined) throw new Error('no explanation');
  return {
    kind: kind.name,
    method: request.method,
    layer,
    windowStarts,
    cam: e.cam,
    image: {
      height,
      width,
      channels,
      // The picture is the input's first cells; a kind may read more after them (a cnn-lstm's LSTM steps).
      pixels: Array.from(inputs.subarray(0, height * width * channels.length)),
      cam: Array.from(e.inputCamRaw).slice(0, height * width),
      rowCandles: Array.from({ length: height }, (_, row) => layout.rowCandles(spec, row)),
      columnCandles: Array.from({ length: width }, (_, column) => layout.columnCandles(spec, column)),
      rowMarks: layout.rowMarks?.(spec, request.history.slice(-spec.sequence_length)) ?? [],
    },
  };
}
