import { describe, expect, it } from 'vitest';
import { DEFAULT_INDICATORS, IndicatorConfigSchema } from '../../src-shared/domain/indicator-config';
import { PreferencesSchema } from '../../src-shared/domain/preferences';
import { rsi } from '../../src-shared/indicators/indicators';
import { attributionColour, channelAttribution, channelCells } from '../../src-renderer/src/lib/attribution/channel-attribution';
import { addIndicator, moveIndicator, removeIndicator, withChannelPane } from '../../src-renderer/src/lib/indicators/indicator-list';
import { indicatorLabel, indicatorLines, paneChannel } from '../../src-renderer/src/lib/indicators/indicator-series';
import { resampledIntervals, resampledStream } from '../../src-renderer/src/lib/state/resampled-stream';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { sharedCsvHead } from '../helpers';
import { fixtureSignal } from '../signal-fixtures';

const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');

describe('indicator settings', () => {
  it('adds, reorders and removes indicators, each with its kind default parameters, and keeps them valid preferences', () => {
    let list = addIndicator(DEFAULT_INDICATORS, 'rsi');
    list = addIndicator(list, 'rsi');
    list = addIndicator(list, 'channel', 'macd_hist');
    expect(list.map((c) => c.id)).toEqual(['volume', 'rsi', 'rsi-2', 'channel-macd-hist']);
    expect(list[1]?.params).toEqual([14]);
    expect(moveIndicator(list, 'rsi-2', -1).map((c) => c.id)).toEqual(['volume', 'rsi-2', 'rsi', 'channel-macd-hist']);
    expect(moveIndicator(list, 'volume', -1)).toEqual(list);
    expect(removeIndicator(list, 'rsi').map((c) => c.id)).toEqual(['volume', 'rsi-2', 'channel-macd-hist']);
    expect(PreferencesSchema.parse({ indicators: list }).indicators).toEqual(list);
    expect(PreferencesSchema.parse({}).indicators).toEqual(DEFAULT_INDICATORS);
  });

  it('refuses parameters that do not fit the kind, and a channel pane without its channel', () => {
    expect(IndicatorConfigSchema.safeParse({ id: 'm', kind: 'macd', params: [12, 26] }).success).toBe(false);
    expect(IndicatorConfigSchema.safeParse({ id: 'c', kind: 'channel', params: [] }).success).toBe(false);
    expect(IndicatorConfigSchema.safeParse({ id: 'bad id!', kind: 'vwap' }).success).toBe(false);
  });

  it("shows a model channel's pane once: an RSI(14) pane stands for the rsi14 channel, RSI(7) does not", () => {
    const withRsi = addIndicator([], 'rsi');
    expect(paneChannel(withRsi[0]!)).toBe('rsi14');
    expect(paneChannel({ ...withRsi[0]!, params: [7] })).toBeUndefined();
    expect(withChannelPane(withRsi, 'rsi14')).toEqual(withRsi);
    expect(withChannelPane(withRsi, 'bollinger_pct_b').at(-1)).toMatchObject({ kind: 'channel', channel: 'bollinger_pct_b' });
    expect(indicatorLabel(withRsi[0]!)).toBe('RSI 14');
  });

  it('draws the shared maths: an RSI pane is rsi() of the closes, from its 15th candle', () => {
    const [line] = indicatorLines(addIndicator([], 'rsi')[0]!, candles);
    expect(Array.from(line?.values ?? [])).toEqual(
      Array.from(
        rsi(
          candles.map((c) => c.close),
          14,
        ),
      ),
    );
    expect(line?.from).toBe(14);
    expect(indicatorLines(addIndicator([], 'macd')[0]!, candles).map((l) => l.name)).toEqual(['histogram', 'MACD', 'signal']);
  });
});

describe('channel × candle attribution', () => {
  it("gives each channel's cells on one signed scale, warm toward the call and purple against", () => {
    const signal = {
      ...fixtureSignal(0),
      id: 1,
      windowStarts: [0, 60_000, 120_000],
      cam: [0, 0.5, 1],
      features: [
        { name: 'rsi14', attribution: 0.3 },
        { name: 'macd_hist', attribution: -0.1 },
      ],
      candleFeatures: [
        [0.1, -0.05],
        [0.2, 0],
        [0.4, -0.1],
      ],
    };
    const attribution = channelAttribution(signal);
    expect(attribution).toBeDefined();
    expect(channelCells(attribution!, 'rsi14').map((c) => c.weight)).toEqual([0.25, 0.5, 1]);
    expect(channelCells(attribution!, 'macd_hist')).toEqual([
      { time: 0, value: -0.05, weight: -0.125 },
      { time: 60_000, value: 0, weight: 0 },
      { time: 120_000, value: -0.1, weight: -0.25 },
    ]);
    expect(channelCells(attribution!, 'no such channel')).toEqual([]);
    expect(channelAttribution({ ...signal, candleFeatures: undefined })).toBeUndefined();
    expect(attributionColour(1)).toBe('rgba(244,67,54,1.000)');
    expect(attributionColour(-1)).toBe('rgba(126,87,194,1.000)');
    expect(attributionColour(0)).toBe('rgba(255,179,0,0.250)');
  });
});

describe('resampled timeframes on the chart', () => {
  const stored = [
    { category: 'linear', symbol: 'BTCUSDT', interval: '1' },
    { category: 'linear', symbol: 'BTCUSDT', interval: '5' },
    { category: 'linear', symbol: 'ETHUSDT', interval: '5' },
  ] as const;

  it('offers the timeframes not stored of a symbol whose 1m stream is, and reads them from that stream', () => {
    expect(resampledIntervals([...stored], 'BTCUSDT')).toEqual(['3', '15', '30', '60', '240', 'D', 'W']);
    expect(resampledIntervals([...stored], 'ETHUSDT')).toEqual([]);
    expect(resampledStream([...stored], { category: 'linear', symbol: 'BTCUSDT', interval: '15' })).toEqual({
      source: { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' },
      interval: '15',
    });
    expect(resampledStream([...stored], { category: 'linear', symbol: 'BTCUSDT', interval: '5' })).toBeUndefined(); // stored itself
    expect(resampledStream([...stored], { category: 'linear', symbol: 'ETHUSDT', interval: '15' })).toBeUndefined(); // no 1m
  });
});
