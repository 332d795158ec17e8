import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import type { FiredAlert } from '../../src-shared/domain/alerts';
import type { Signal } from '../../src-shared/domain/signal';
import { callEngine, tempDir } from '../helpers';

const signal = (over: Partial<Signal> = {}): Signal => ({
  id: 1,
  exchange: 'bybit',
  category: 'linear',
  symbol: 'BTCUSDT',
  interval: '1',
  candleStart: 600_000,
  confirmed: true,
  modelVersion: 'v1',
  predicted: 'sell',
  probabilities: [0.1, 0.2, 0.7],
  method: 'gradcam',
  windowStarts: Array.from({ length: 10 }, (_, i) => i * 60_000),
  // top 2 of 10 candles hold all the attention: concentration 1
  cam: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1],
  features: [],
  inputHash: 'h',
  createdAt: 1,
  ...over,
});

let engine: Engine;
let fired: FiredAlert[];
beforeEach(() => {
  engine = createEngine({ storePath: join(tempDir(), 'store.db'), seedSample: false, market: false });
  fired = [];
  engine.events.listen((name, payload) => {
    if (name === 'alert.fired') fired.push(payload as FiredAlert);
  });
});
afterEach(() => engine.close());

const settled = () => new Promise((resolve) => setImmediate(resolve));

const call = (name: string, payload: unknown) => callEngine(engine, name, payload);

describe('alerts', () => {
  it('fire once per rule on a live signal that reaches the probability, and are stored', async () => {
    await call('alerts.add', { symbol: 'BTCUSDT', class: 'sell', minProbability: 0.6 });
    await call('alerts.add', { symbol: 'BTCUSDT', class: 'sell', minProbability: 0.8 });
    await call('alerts.add', { symbol: 'ETHUSDT', class: 'sell', minProbability: 0.1 });
    engine.bus.emit('signal.stored', signal());
    engine.bus.emit('signal.stored', signal());
    await settled();
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ signalId: 1, probability: 0.7, concentration: 1, rule: { minProbability: 0.6 }, thumbnail: null });
    expect(await call('alerts.fired', {})).toEqual(fired);
  });

  it('honour the attention-concentration filter and the class', async () => {
    await call('alerts.add', { symbol: 'BTCUSDT', class: 'sell', minProbability: 0.5, minConcentration: 0.5 });
    engine.bus.emit('signal.stored', signal({ cam: Array(10).fill(1) }));
    engine.bus.emit('signal.stored', signal({ id: 2, probabilities: [0.7, 0.2, 0.1], predicted: 'buy' }));
    await settled();
    expect(fired).toEqual([]);
  });

  it('keep a PNG thumbnail, refuse anything else, and go when their rule is removed', async () => {
    const rule = (await call('alerts.add', { symbol: 'BTCUSDT', class: 'sell', minProbability: 0.5 })) as { id: number };
    engine.bus.emit('signal.stored', signal());
    await settled();
    const firedId = fired[0]?.id;
    expect(await call('alerts.thumbnail', { firedId, png: 'data:image/png;base64,iVBORw0KGgo=' })).toEqual({ stored: true });
    const refused = await engine.dispatch('alerts.thumbnail', { firedId, png: 'javascript:alert(1)' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await engine.dispatch('alerts.add', { symbol: 'BTCUSDT', class: 'moon', minProbability: 2 })).toMatchObject({ ok: false });
    expect(await call('alerts.remove', { id: rule.id })).toEqual({ removed: true });
    expect(await call('alerts.fired', {})).toEqual([]);
  });
});
