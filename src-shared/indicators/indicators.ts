/**
 * Causal technical indicators over a price series: value i reads inputs 0..i only. Pure. The model's
 * features (src-main/features) and the chart's indicator panes both compute with these, so a pane
 * shows what the model saw.
 */

/** Exponential moving average seeded with the first value, α = 2 / (n + 1). */
export function ema(values: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(values.length);
  const alpha = 2 / (n + 1);
  let value = values[0] ?? 0;
  for (let i = 0; i < values.length; i++) {
    value = i === 0 ? value : alpha * (values[i] ?? 0) + (1 - alpha) * value;
    out[i] = value;
  }
  return out;
}

/** Trailing mean and population standard deviation over the last n values (fewer at the start). */
export function rollingMeanStd(values: ArrayLike<number>, n: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(values.length);
  const std = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const from = Math.max(0, i - n + 1);
    let sum = 0;
    for (let j = from; j <= i; j++) sum += values[j] ?? 0;
    const m = sum / (i - from + 1);
    let squares = 0;
    for (let j = from; j <= i; j++) squares += ((values[j] ?? 0) - m) ** 2;
    mean[i] = m;
    std[i] = Math.sqrt(squares / (i - from + 1));
  }
  return { mean, std };
}

/** Simple moving average over the last n values (the mean of fewer at the start, as rollingMeanStd). */
export function sma(values: ArrayLike<number>, n: number): Float64Array {
  return rollingMeanStd(values, n).mean;
}

/** Wilder's RSI(n) in 0..100; 50 until n changes are seen, and where nothing moved. */
export function rsi(closes: ArrayLike<number>, n = 14): Float64Array {
  const out = new Float64Array(closes.length).fill(50);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < closes.length; i++) {
    const change = (closes[i] ?? 0) - (closes[i - 1] ?? 0);
    const up = Math.max(change, 0);
    const down = Math.max(-change, 0);
    if (i <= n) {
      gain += up / n;
      loss += down / n;
      if (i < n) continue;
    } else {
      gain = (gain * (n - 1) + up) / n;
      loss = (loss * (n - 1) + down) / n;
    }
    out[i] = gain + loss === 0 ? 50 : loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

/** MACD: the fast EMA minus the slow one, its signal EMA, and the histogram (line minus signal). */
export function macd(
  closes: ArrayLike<number>,
  fast = 12,
  slow = 26,
  signalLength = 9,
): { line: Float64Array; signal: Float64Array; histogram: Float64Array } {
  const fastEma = ema(closes, fast);
  const slowEma = ema(closes, slow);
  // Plain loops: a typed array's map is several times slower, and the backtest calls this per window.
  const line = new Float64Array(closes.length);
  for (let i = 0; i < line.length; i++) line[i] = (fastEma[i] ?? 0) - (slowEma[i] ?? 0);
  const signal = ema(line, signalLength);
  const histogram = new Float64Array(closes.length);
  for (let i = 0; i < line.length; i++) histogram[i] = (line[i] ?? 0) - (signal[i] ?? 0);
  return { line, signal, histogram };
}

/** MACD(12, 26, 9) histogram: MACD line minus its signal line. */
export function macdHistogram(closes: ArrayLike<number>): Float64Array {
  return macd(closes).histogram;
}

/** Bollinger bands(n, width): the n-candle mean and width population standard deviations either side. */
export function bollingerBands(
  closes: ArrayLike<number>,
  n = 20,
  width = 2,
): { middle: Float64Array; upper: Float64Array; lower: Float64Array } {
  const { mean, std } = rollingMeanStd(closes, n);
  const upper = new Float64Array(closes.length);
  const lower = new Float64Array(closes.length);
  for (let i = 0; i < closes.length; i++) {
    upper[i] = (mean[i] ?? 0) + width * (std[i] ?? 0);
    lower[i] = (mean[i] ?? 0) - width * (std[i] ?? 0);
  }
  return { middle: mean, upper, lower };
}

/** Bollinger %B(20, 2): where the close sits between the bands (0.5 when the bands collapse). */
export function bollingerPercentB(closes: ArrayLike<number>, n = 20, width = 2): Float64Array {
  const { mean, std } = rollingMeanStd(closes, n);
  return Float64Array.from({ length: closes.length }, (_, i) => {
    const band = 2 * width * (std[i] ?? 0);
    return band > 0 ? ((closes[i] ?? 0) - ((mean[i] ?? 0) - width * (std[i] ?? 0))) / band : 0.5;
  });
}

const DAY_MS = 86_400_000;

/**
 * Volume-weighted average price of the typical price (high + low + close) / 3, anchored at each UTC
 * day (as TradingView's session VWAP on a 24-hour market). A candle with no volume so far in the day
 * gives its typical price.
 */
export function vwap(candles: readonly { time: number; high: number; low: number; close: number; volume: number }[]): Float64Array {
  const out = new Float64Array(candles.length);
  let day = NaN;
  let priceVolume = 0;
  let volume = 0;
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i] as (typeof candles)[number];
    const candleDay = Math.floor(c.time / DAY_MS);
    if (candleDay !== day) {
      day = candleDay;
      priceVolume = 0;
      volume = 0;
    }
    const typical = (c.high + c.low + c.close) / 3;
    priceVolume += typical * c.volume;
    volume += c.volume;
    out[i] = volume > 0 ? priceVolume / volume : typical;
  }
  return out;
}
