/**
 * The model's input channels as series over candles, before normalization: the features compute a
 * window's input from them, and the chart draws a channel's pane from them. Pure.
 */
import type { FeatureChannel } from '../domain/feature-spec';
import type { Candle } from '../domain/market';
import { bollingerPercentB, macdHistogram, rollingMeanStd, rsi } from './indicators';

const Z_WINDOW = 60;
const VOLUME_MA = 20;
const BOLLINGER = 20;
/** The longest trailing window a finite-memory channel reads (see finiteChannels). */
export const LONGEST_TRAILING = Math.max(Z_WINDOW, VOLUME_MA, BOLLINGER);

export type ChannelSeries = Partial<Record<FeatureChannel, Float64Array>>;

type PricedCandle = Pick<Candle, 'open' | 'high' | 'low' | 'close' | 'volume'>;

/**
 * Channels whose value at i reads at most the last LONGEST_TRAILING candles (and the previous
 * close): the same wherever the series starts, once that many candles are behind i.
 */
export function finiteChannels(history: readonly PricedCandle[]): ChannelSeries {
  const close = Float64Array.from(history, (c) => c.close);
  const previous = (i: number) => history[Math.max(0, i - 1)]?.close ?? 1;
  const logReturn = (pick: (c: PricedCandle) => number) => Float64Array.from(history, (c, i) => Math.log(pick(c) / previous(i)));
  const logVolume = Float64Array.from(history, (c) => Math.log1p(c.volume));
  const { mean: lvMean, std: lvStd } = rollingMeanStd(logVolume, Z_WINDOW);
  const { mean: volumeMa } = rollingMeanStd(
    Float64Array.from(history, (c) => c.volume),
    VOLUME_MA,
  );
  return {
    ret_open: logReturn((c) => c.open),
    ret_high: logReturn((c) => c.high),
    ret_low: logReturn((c) => c.low),
    ret_close: logReturn((c) => c.close),
    log_volume_z: Float64Array.from({ length: history.length }, (_, i) =>
      (lvStd[i] ?? 0) > 1e-12 ? ((logVolume[i] ?? 0) - (lvMean[i] ?? 0)) / (lvStd[i] ?? 1) : 0,
    ),
    bollinger_pct_b: bollingerPercentB(close, BOLLINGER),
    volume_vs_ma: Float64Array.from(history, (c, i) => {
      const ma = volumeMa[i] ?? 0;
      return Math.log(Math.min(1e3, Math.max(1e-3, ma > 0 ? c.volume / ma : 1)));
    }),
  };
}

/** Channels seeded at the first candle of their history (EMA, Wilder's RSI): they depend on where it starts. */
export function seededChannels(close: Float64Array): ChannelSeries {
  const rsi14 = rsi(close, 14);
  // Divided by the close so that the scale does not depend on the price level.
  const macdHist = macdHistogram(close);
  for (let i = 0; i < close.length; i++) {
    rsi14[i] = (rsi14[i] ?? 0) / 100;
    macdHist[i] = (macdHist[i] ?? 0) / (close[i] ?? 1);
  }
  return { rsi14, macd_hist: macdHist };
}

/**
 * One channel over a run of candles, the seeded channels seeded at its first candle. The model reads
 * a window's seeded channels from its own warm-up, so they match a pane's values closely once the
 * seed has faded (the warm-up is 100 candles), not bit for bit.
 */
export function channelSeries(candles: readonly PricedCandle[], channel: FeatureChannel): Float64Array {
  const seeded = channel === 'rsi14' || channel === 'macd_hist';
  const series = seeded ? seededChannels(Float64Array.from(candles, (c) => c.close))[channel] : finiteChannels(candles)[channel];
  return series ?? new Float64Array(candles.length);
}
