/**
 * The risk report of a model's forecast heads: their forecasts on the test windows (batched), judged
 * by evaluateRiskForecasts against the baselines fitted on the training period. Undefined for a
 * model without a forecast head.
 */
import type { Candle } from '../../src-shared/domain/market';
import type { RiskReport, WindowForecast } from '../../src-shared/domain/risk-report';
import { forecastsOf, predictOutputs } from '../explain/explainer';
import type { Sample } from '../features/labels';
import { headsOf, outputCount } from '../model/heads';
import type { FinancialCnn } from '../model/network';
import { evaluateRiskForecasts } from './risk-evaluation';

const BATCH = 256;

export interface ModelRiskInput {
  /** The test windows' normalized features (flat [N, T, C]) and their samples, in the same order. */
  inputs: Float32Array;
  samples: readonly Sample[];
  /** One unbroken series holding the training period and the test windows with their next H candles. */
  candles: readonly Candle[];
  stepMs: number;
  horizon: number;
  trainTo: number;
  testFrom: number;
}

export function hasForecastHeads(model: FinancialCnn): boolean {
  const heads = headsOf(model.spec);
  return heads.volatility !== undefined || heads.var !== undefined || heads.sharp !== undefined;
}

/** The model's forecasts, one per window, by the start of the window's last candle. */
export function windowForecasts(model: FinancialCnn, inputs: Float32Array, samples: readonly Sample[]): WindowForecast[] {
  const size = model.positions * model.spec.input_channels;
  const width = outputCount(model.spec);
  const forecasts: WindowForecast[] = [];
  for (let from = 0; from < samples.length; from += BATCH) {
    const count = Math.min(BATCH, samples.length - from);
    const outputs = predictOutputs(model, inputs.subarray(from * size, (from + count) * size), count);
    for (let n = 0; n < count; n++) {
      const { volatility, var01, var05, sharpMove } = forecastsOf(model.spec, outputs.subarray(n * width, (n + 1) * width));
      forecasts.push({
        candleStart: samples[from + n]?.windowTo ?? NaN,
        ...(volatility === undefined ? {} : { volatility }),
        ...(var01 === undefined ? {} : { var01 }),
        ...(var05 === undefined ? {} : { var05 }),
        ...(sharpMove === undefined ? {} : { sharpMove }),
      });
    }
  }
  return forecasts;
}

export function modelRiskReport(model: FinancialCnn, input: ModelRiskInput): RiskReport | undefined {
  if (!hasForecastHeads(model)) return undefined;
  const heads = headsOf(model.spec);
  return evaluateRiskForecasts({
    candles: input.candles,
    stepMs: input.stepMs,
    trainTo: input.trainTo,
    testFrom: input.testFrom,
    horizon: input.horizon,
    // The sharp label's trailing volatility is the window's own, at the head's k.
    trailingWindow: model.spec.sequence_length,
    ...(heads.sharp === undefined ? {} : { sharpK: heads.sharp.k }),
    forecasts: windowForecasts(model, input.inputs, input.samples),
  });
}
