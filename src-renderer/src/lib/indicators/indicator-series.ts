/**
 * What each indicator draws, computed from the candles shown by the shared indicator maths (the same
 * code as the model's features), and the model channel its pane stands for. Pure.
 */
import type { FeatureChannel } from '../../../../src-shared/domain/feature-spec';
import { INDICATOR_PARAMS, type IndicatorConfig } from '../../../../src-shared/domain/indicator-config';
import type { Candle } from '../../../../src-shared/domain/market';
import { channelSeries } from '../../../../src-shared/indicators/channels';
import { bollingerBands, ema, macd, rsi, sma, vwap } from '../../../../src-shared/indicators/indicators';
import { featureLabel } from '../signals';

/** One drawn series of an indicator: its values per candle, from index `from` on (before it, still warming up). */
export interface IndicatorLine {
  name: string;
  style: 'line' | 'histogram';
  values: ArrayLike<number>;
  from: number;
  colour: string;
}

const param = (config: IndicatorConfig, i: number): number => config.params[i] ?? INDICATOR_PARAMS[config.kind][i]?.value ?? 1;

/** A lighter shade of a #rrggbb colour, for an indicator's second and third lines. */
export function shade(colour: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** The lines of an indicator over the candles; none for volume, which the chart draws itself. */
export function indicatorLines(config: IndicatorConfig, candles: readonly Candle[]): IndicatorLine[] {
  const close = Float64Array.from(candles, (c) => c.close);
  const colour = config.colour;
  switch (config.kind) {
    case 'sma':
    case 'ema': {
      const n = param(config, 0);
      return [
        { name: config.kind.toUpperCase(), style: 'line', values: (config.kind === 'sma' ? sma : ema)(close, n), from: n - 1, colour },
      ];
    }
    case 'bollinger': {
      const n = param(config, 0);
      const { middle, upper, lower } = bollingerBands(close, n, param(config, 1));
      return [
        { name: 'basis', style: 'line', values: middle, from: n - 1, colour: shade(colour, 0.6) },
        { name: 'upper', style: 'line', values: upper, from: n - 1, colour },
        { name: 'lower', style: 'line', values: lower, from: n - 1, colour },
      ];
    }
    case 'vwap':
      return [{ name: 'VWAP', style: 'line', values: vwap(candles), from: 0, colour }];
    case 'rsi': {
      const n = param(config, 0);
      return [{ name: 'RSI', style: 'line', values: rsi(close, n), from: n, colour }];
    }
    case 'macd': {
      const { line, signal, histogram } = macd(close, param(config, 0), param(config, 1), param(config, 2));
      const from = param(config, 1) - 1;
      return [
        { name: 'histogram', style: 'histogram', values: histogram, from, colour: shade(colour, 0.5) },
        { name: 'MACD', style: 'line', values: line, from, colour },
        { name: 'signal', style: 'line', values: signal, from, colour: '#ff9800' },
      ];
    }
    case 'channel':
      return config.channel === undefined
        ? []
        : [{ name: config.channel, style: 'line', values: channelSeries(candles, config.channel), from: 0, colour }];
    case 'volume':
      return [];
  }
}

/**
 * The model input channel a pane shows, whose attribution strip it carries: a channel pane's own, and
 * RSI and MACD at the model's settings (RSI(14), MACD(12, 26, 9)).
 */
export function paneChannel(config: IndicatorConfig): FeatureChannel | undefined {
  if (config.kind === 'channel') return config.channel;
  if (config.kind === 'rsi' && param(config, 0) === 14) return 'rsi14';
  if (config.kind === 'macd' && [0, 1, 2].map((i) => param(config, i)).join() === '12,26,9') return 'macd_hist';
  if (config.kind === 'volume') return 'volume_vs_ma';
  return undefined;
}

/** The indicator's name as its legend and the menu show it. */
export function indicatorLabel(config: IndicatorConfig): string {
  if (config.kind === 'channel') return `${featureLabel(config.channel ?? '')} (model input)`;
  const name = { sma: 'SMA', ema: 'EMA', bollinger: 'BB', vwap: 'VWAP', volume: 'Volume', rsi: 'RSI', macd: 'MACD' }[config.kind];
  return config.params.length === 0 ? name : `${name} ${config.params.join(' ')}`;
}
