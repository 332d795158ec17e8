/**
 * The one recipe from a window of candles to an explained signal, used by the model worker (live,
 * replay, re-explanation and a backtest's trades), the `explain` CLI and the engine: features of the
 * window, the model's probabilities, the CAM and the channel attribution, then the signal that says
 * them. Computation only; no store, file or thread.
 */
import { z } from 'zod';
import { ExplainedOutputSchema, type ForecastExplanation } from '../../src-shared/domain/forecast-explanation';
import { HeadForecastsSchema } from '../../src-shared/domain/forecasts';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import { SIGNAL_CLASSES, SignalDeletionSchema, type CamMethodName, type Signal } from '../../src-shared/domain/signal';
import { explainTargets } from '../explain/explainer';
import { IMPUTATION_NOISE } from '../explain/perturbation';
import { reencodedWithout, windowDeletion } from '../explain/trust';
import { HEAD_NAMES, headLayout, headSlot, type HeadName } from '../model/heads';
import { modelKind, positionsAreCandles } from '../model/kinds';
import type { ModelPipeline } from '../model/kinds/kind';
import type { ModelMetadata } from '../model/model-file';
import type { FinancialCnn } from '../model/network';
import { inputHash } from './input-hash';

/** A scored, explained window: what the recipe gives and the model worker sends back. */
export const ScoreResultSchema = z.object({
  logits: z.array(z.number()),
  probabilities: z.array(z.number()),
  /** The predicted direction class; −1 for a model without the direction head. */
  predicted: z.number().int(),
  /** Every forecast head's forecast of the next H candles. */
  forecasts: HeadForecastsSchema,
  /** The head whose output `target` the CAM and attributions explain. */
  head: z.enum(HEAD_NAMES),
  target: z.number().int(),
  cam: z.array(z.number()),
  attribution: z.array(z.number()),
  attributionByCandle: z.array(z.array(z.number())),
  windowStarts: z.array(z.number().int()),
  inputHash: z.string(),
  /** With `explainForecasts`: each forecast head's output explained by the same method and layer. */
  forecastExplanations: z.array(ExplainedOutputSchema.extend({ cam: z.array(z.number()), attribution: z.array(z.number()) })).optional(),
  /** This signal's own deletion test (../explain/trust's windowDeletion), its candles removed in candle space for an image kind; absent from older results. */
  deletion: SignalDeletionSchema.optional(),
});
export type ScoreResult = z.output<typeof ScoreResultSchema>;

/** A model's network and what its kind's encoding reads besides its spec (../model/kinds). */
export interface ScoringModel extends Omit<ModelPipeline, 'spec'> {
  model: FinancialCnn;
}

export interface WindowRequest {
  /** Exactly the model's history length (warm-up + T) of closed candles, the window's last candle last. */
  history: readonly Candle[];
  stepMs: number;
  method: CamMethodName;
  layer?: number;
  /** The head explained (default direction, or the model's first head without it). */
  head?: HeadName;
  /** Output of that head (a class for direction, default the predicted one; else default 0). */
  target?: number;
  /** Also explain every forecast head's output (a VaR head's first quantile), as stored with a live signal. */
  explainForecasts?: boolean;
}

/**
 * Scores and explains one window, encoded by the model's kind, with every head's forecast and the
 * attribution per channel and per candle (decoded onto the candles by the kind).
 */
export function explainWindow({ model, ...pipeline }: ScoringModel, request: WindowRequest): ScoreResult {
  const inputs = modelKind(model.spec).encode({ ...pipeline, spec: model.spec }, request.history, request.stepMs);
  const forecastHeads = request.explainForecasts ? headLayout(model.spec).flatMap(({ name }) => (name === 'direction' ? [] : [name])) : [];
  // The asked output and every forecast head's first, in one pass over the window repeated.
  const [e, ...forecasts] = explainTargets(
    model,
    inputs,
    [{ head: request.head, target: request.target }, ...forecastHeads.map((head) => ({ head, target: 0 }))],
    { method: request.method, layer: request.layer, attribution: true },
  );
  if (e === undefined) throw new Error('no explanation');
  const forecastExplanations = forecasts.map((f) => {
    if (f.head === 'direction') throw new Error('a forecast explanation of the direction head');
    return { head: f.head, target: f.target, cam: f.cam, attribution: f.attribution };
  });
  return {
    logits: e.logits,
    probabilities: e.probabilities,
    predicted: e.predicted,
    forecasts: e.forecasts,
    head: e.head,
    target: e.target,
    cam: e.cam,
    attribution: e.attribution,
    attributionByCandle: e.attributionByStep,
    windowStarts: request.history.slice(-model.spec.sequence_length).map((c) => c.time),
    inputHash: inputHash(request.history),
    ...(request.explainForecasts ? { forecastExplanations } : {}),
    deletion: windowDeletion(
      model,
      inputs,
      e.cam,
      headSlot(model.spec, e.head).offset + e.target,
      // An image's cells are not its candles: they are removed from the window's candles, which are encoded again.
      positionsAreCandles(model.spec)
        ? undefined
        : (removed, random) =>
            reencodedWithout(
              { pipeline: { ...pipeline, spec: model.spec }, stepMs: request.stepMs },
              request.history,
              removed,
              IMPUTATION_NOISE,
              random,
            ),
    ),
  };
}

/** What a scored window says, whatever the stream: a signal without its stream, row and time of issue. */
export type WindowSignal = Omit<Signal, 'id' | keyof StreamKeyValue | 'confirmed' | 'createdAt'>;

/** The signal of a window `result` scored by the model `modelVersion` with input `channels`. */
export function windowSignal(
  candleStart: number,
  method: CamMethodName,
  model: { version: string; channels: readonly string[]; horizon?: number },
  result: ScoreResult,
): WindowSignal {
  return {
    candleStart,
    modelVersion: model.version,
    predicted: SIGNAL_CLASSES[result.predicted] ?? 'hold',
    probabilities: result.probabilities,
    method,
    windowStarts: result.windowStarts,
    cam: result.cam,
    features: model.channels.map((name, i) => ({ name, attribution: result.attribution[i] ?? 0 })),
    candleFeatures: result.attributionByCandle,
    inputHash: result.inputHash,
    ...(Object.keys(result.forecasts).length > 0
      ? { forecasts: { ...result.forecasts, ...(model.horizon === undefined ? {} : { horizon: model.horizon }) } }
      : {}),
    ...(result.head === 'direction' ? {} : { explains: { head: result.head, target: result.target } }),
    ...(result.deletion === undefined ? {} : { deletion: result.deletion }),
  };
}

/** The stored form of a scored window's forecast explanations, channels named as the model names them. */
export function forecastExplanationsOf(channels: readonly string[], result: ScoreResult): ForecastExplanation[] {
  return (result.forecastExplanations ?? []).map(({ head, target, cam, attribution }) => ({
    head,
    target,
    cam,
    features: channels.map((name, i) => ({ name, attribution: attribution[i] ?? 0 })),
  }));
}

/** The signal of a window `result` scored by `metadata`'s model, on stream `key`, confirmed. */
export function signalOf(
  key: StreamKeyValue,
  candleStart: number,
  method: CamMethodName,
  metadata: ModelMetadata,
  result: ScoreResult,
  createdAt: number,
): Omit<Signal, 'id'> {
  const model = {
    version: metadata.version,
    channels: modelKind(metadata.spec).window(metadata).channels,
    horizon: metadata.labels?.horizon,
  };
  return { ...key, confirmed: true, ...windowSignal(candleStart, method, model, result), createdAt };
}
