/**
 * The planted-pattern benchmark's data, pure and seeded: candle series rebuilt from blocks of a real
 * series' returns, candle shapes and volumes, with a pattern a trader knows planted at a random
 * place in half of the windows: two falling candles, then a hammer (small body at the top, a lower
 * wick four times the move) on a volume spike six times the trailing average. The label says
 * whether the pattern is there, so a model that learns the task must look at it, and an explanation
 * that does not point at it is wrong.
 */
import type { Candle } from '../../src-shared/domain/market';
import type { FeatureSpec } from '../../src-shared/domain/feature-spec';
import { seededRandom } from '../model/random';
import { historyLength, unbrokenRuns, windowFeatures } from '../features/windows';

/** Candles the planted pattern spans: two falling candles and the hammer. */
export const PATTERN_LENGTH = 3;
/** The hammer's volume against the mean of the 20 candles before it. */
const VOLUME_SPIKE = 6;

/** One candle as changes from the previous close (logs), so that any block can be chained at any price. */
interface CandleShape {
  /** ln(open / previous close). */
  gap: number;
  /** ln(close / previous close). */
  move: number;
  /** ln(high / max(open, close)) ≥ 0. */
  upper: number;
  /** ln(min(open, close) / low) ≥ 0. */
  lower: number;
  volume: number;
}

function shapesOf(run: readonly Candle[]): CandleShape[] {
  return run.slice(1).map((c, i) => {
    const previous = (run[i] as Candle).close;
    return {
      gap: Math.log(c.open / previous),
      move: Math.log(c.close / previous),
      upper: Math.log(c.high / Math.max(c.open, c.close)),
      lower: Math.log(Math.min(c.open, c.close) / c.low),
      volume: c.volume,
    };
  });
}

function candlesOf(shapes: readonly CandleShape[], stepMs: number): Candle[] {
  let close = 100;
  return shapes.map((s, i) => {
    const open = close * Math.exp(s.gap);
    close = close * Math.exp(s.move);
    return {
      time: i * stepMs,
      open,
      close,
      high: Math.max(open, close) * Math.exp(s.upper),
      low: Math.min(open, close) * Math.exp(-s.lower),
      volume: s.volume,
      confirmed: true,
    };
  });
}

/** Overwrites shapes[at .. at + 2] with the pattern, sized by the block's own volatility and volume. */
function plant(shapes: CandleShape[], at: number): void {
  const moves = shapes.map((s) => s.move);
  const mean = moves.reduce((a, b) => a + b, 0) / moves.length;
  const sigma = Math.max(1e-5, Math.sqrt(moves.reduce((a, m) => a + (m - mean) ** 2, 0) / moves.length));
  const before = shapes.slice(Math.max(0, at + 2 - 20), at + 2);
  const volume = before.reduce((a, s) => a + s.volume, 0) / Math.max(1, before.length);
  for (const i of [at, at + 1])
    shapes[i] = { gap: 0, move: -2 * sigma, upper: 0.2 * sigma, lower: 0.2 * sigma, volume: shapes[i]?.volume ?? volume };
  shapes[at + 2] = {
    gap: -0.5 * sigma,
    move: -0.2 * sigma,
    upper: 0.1 * sigma,
    lower: 4 * sigma,
    volume: VOLUME_SPIKE * Math.max(volume, 1e-9),
  };
}

export interface PlantedData {
  /** The windows' inputs as the encoding writes them (features: flat [N, T, C], not normalized). */
  inputs: Float32Array;
  /** 1 where the pattern is planted, 0 elsewhere. */
  labels: Int32Array;
  /** The window steps the pattern spans, or null. */
  patterns: ({ from: number; to: number } | null)[];
  /** Each window's candles, its history (what the encoding read) with the window last: for removing candles in candle space. */
  histories: Candle[][];
}

/** How the benchmark's windows become a model's inputs: by default the feature channels (a model kind's encoding otherwise). */
export interface PlantedEncoding {
  /** Candles per input, the window's last (warm-up + T). */
  historyLength: number;
  rowSize: number;
  encode(history: readonly Candle[]): Float32Array;
}

/**
 * `windows` windows of the feature spec's length, each from its own block of the longest unbroken
 * run of `candles`; the even-numbered ones hold the pattern, at a position drawn uniformly over the
 * window. Encoded as the feature channels unless `options.encoding` says otherwise.
 */
export function plantedWindows(
  candles: readonly Candle[],
  stepMs: number,
  features: FeatureSpec,
  options: { windows: number; seed: number; encoding?: PlantedEncoding },
): PlantedData {
  const T = features.windowLength;
  const encoding = options.encoding ?? {
    historyLength: historyLength(features),
    rowSize: T * features.channels.length,
    encode: (history) => windowFeatures(history, features, stepMs),
  };
  const run = unbrokenRuns(candles, stepMs).reduce<Candle[]>((a, b) => (b.length > a.length ? b : a), []);
  const needed = encoding.historyLength;
  const shapes = shapesOf(run);
  if (shapes.length < needed)
    throw new Error(`the planted-pattern benchmark needs ${needed + 1} unbroken candles, the longest run has ${run.length}`);
  const size = encoding.rowSize;
  const random = seededRandom(options.seed);
  const inputs = new Float32Array(options.windows * size);
  const labels = new Int32Array(options.windows);
  const patterns: PlantedData['patterns'] = [];
  const histories: Candle[][] = [];
  for (let n = 0; n < options.windows; n++) {
    const start = Math.floor(random() * (shapes.length - needed + 1));
    const block = shapes.slice(start, start + needed);
    const planted = n % 2 === 0;
    const from = Math.floor(random() * (T - PATTERN_LENGTH + 1));
    // The window is the block's last T candles, after its warm-up.
    if (planted) plant(block, needed - T + from);
    const history = candlesOf(block, stepMs);
    inputs.set(encoding.encode(history), n * size);
    labels[n] = planted ? 1 : 0;
    patterns.push(planted ? { from, to: from + PATTERN_LENGTH } : null);
    histories.push(history);
  }
  return { inputs, labels, patterns, histories };
}
