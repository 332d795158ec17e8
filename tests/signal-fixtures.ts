/** Stored signals made up for tests of the audit: many, over streams, models and classes, in one transaction. */
import type { StreamKeyValue } from '../src-shared/domain/market';
import { SIGNAL_CLASSES, type Signal } from '../src-shared/domain/signal';
import type { SignalStore } from '../src-main/store/signals';

export const FIXTURE_STREAMS: StreamKeyValue[] = [
  { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' },
  { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '5' },
];
export const FIXTURE_MODELS = ['model-a', 'model-b'];

/** The i-th fixture signal: streams, models and classes cycle at different strides so every combination occurs. */
export function fixtureSignal(i: number, firstCandle = 1_700_000_000_000): Omit<Signal, 'id'> {
  const stream = FIXTURE_STREAMS[i % FIXTURE_STREAMS.length];
  if (stream === undefined) throw new Error('no fixture stream');
  const predicted = SIGNAL_CLASSES[Math.floor(i / 2) % SIGNAL_CLASSES.length] ?? 'hold';
  const step = stream.interval === '5' ? 300_000 : 60_000;
  return {
    ...stream,
    // One signal per candle of each stream; the two streams share some candle starts (ties are ordered by id).
    candleStart: firstCandle + Math.floor(i / FIXTURE_STREAMS.length) * step,
    confirmed: true,
    modelVersion: FIXTURE_MODELS[Math.floor(i / 3) % FIXTURE_MODELS.length] ?? 'model-a',
    predicted,
    probabilities: predicted === 'buy' ? [0.6, 0.3, 0.1] : predicted === 'sell' ? [0.1, 0.3, 0.6] : [0.2, 0.6, 0.2],
    method: 'gradcam',
    windowStarts: [firstCandle],
    cam: [1],
    features: [{ name: 'close', attribution: 0.5 }],
    inputHash: `hash-${i}`,
    createdAt: firstCandle,
  };
}

/** Stores `count` fixture signals and returns them with their ids, in insertion order. */
export function storeFixtureSignals(signals: SignalStore, count: number): Signal[] {
  return signals.db.transaction(() => Array.from({ length: count }, (_, i) => signals.insert(fixtureSignal(i))))();
}
