import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineBus } from '../../src-main/bus/bus';
import { createEngine } from '../../src-main/engine/engine';
import type { EventName } from '../../src-shared/contract/bridge';
import type { Signal } from '../../src-shared/domain/signal';
import { callEngine, tempDir } from '../helpers';

const key = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' } as const;
const candle = { time: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1, confirmed: true };

describe('engine bus', () => {
  it('delivers an event to the listeners of its name, in order, when one throws, and reports the one that did', () => {
    const failures: string[] = [];
    const bus = createEngineBus((line) => failures.push(line));
    const received: string[] = [];
    bus.listen('candle.updated', ({ candle }) => received.push(`first ${candle.time}`));
    bus.listen('candle.updated', () => {
      throw new Error('broken listener');
    });
    bus.listen('candle.updated', ({ symbol }) => received.push(`third ${symbol}`));
    bus.listen('signal.stored', () => received.push('not a candle'));
    bus.emit('candle.updated', { ...key, candle });
    expect(received).toEqual(['first 60000', 'third BTCUSDT']);
    expect(failures).toEqual(["a 'candle.updated' listener failed: broken listener"]);
  });

  it('stops delivering to a listener that stopped, without changing a delivery under way', () => {
    const bus = createEngineBus();
    const received: string[] = [];
    const stopSecond = bus.listen('candle.updated', () => {
      received.push('first');
      stopSecond();
    });
    bus.listen('candle.updated', () => received.push('second'));
    bus.emit('candle.updated', { ...key, candle });
    bus.emit('candle.updated', { ...key, candle });
    expect(received).toEqual(['first', 'second', 'second']);
  });

  it('carries a stored signal to the alerts, and renderers get the signal before the alert it fired', async () => {
    const engine = createEngine({ storePath: join(tempDir(), 'store.db'), seedSample: false, market: false, modelPath: false });
    try {
      await callEngine(engine, 'alerts.add', { symbol: 'BTCUSDT', class: 'sell', minProbability: 0.5 });
      const pushed: EventName[] = [];
      engine.events.listen((name) => pushed.push(name));
      const fired: number[] = [];
      engine.bus.listen('alert.fired', ({ signalId }) => fired.push(signalId));
      const signal: Signal = {
        id: 7,
        ...key,
        candleStart: 60_000,
        confirmed: true,
        modelVersion: 'test',
        predicted: 'sell',
        probabilities: [0.1, 0.2, 0.7],
        method: 'gradcam',
        windowStarts: [0, 60_000],
        cam: [0, 1],
        features: [],
        inputHash: 'x',
        createdAt: 1,
      };
      engine.bus.emit('signal.stored', signal);
      engine.bus.emit('candle.updated', { ...key, candle });
      await new Promise((resolve) => setImmediate(resolve));
      expect(fired).toEqual([7]);
      expect(pushed).toEqual(['signal.created', 'candle.updated', 'alert.fired']);
    } finally {
      engine.close();
    }
  });
});
