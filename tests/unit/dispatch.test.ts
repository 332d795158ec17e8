import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgeError, createBridge } from '../../src-renderer/src/lib/bridge';
import { CALL_NAMES } from '../../src-shared/contract/bridge';
import type { RawBridge } from '../../src-shared/contract/transport';
import { createEngine } from '../../src-main/engine/engine';
import { EventHub } from '../../src-main/ipc/dispatch';
import { tempDir } from '../helpers';

const engine = createEngine({ storePath: join(tempDir(), 'store.db'), market: false, modelPath: false });
afterAll(() => engine.close());
const sample = { symbol: 'BTCUSDT', interval: '1' };

describe('dispatch', () => {
  it('answers a valid call, filling defaults', async () => {
    expect(await engine.dispatch('candles.count', sample)).toEqual({ ok: true, value: { count: 4320 } });
  });

  it.each([
    ['an unknown call', 'candles.delete', {}, 'unknown_call'],
    ['a prototype key', 'constructor', {}, 'unknown_call'],
    ['a missing name', undefined, {}, 'unknown_call'],
    ['a name that cannot be turned into text', Object.create(null) as unknown, {}, 'unknown_call'],
    ['a wrong type', 'candles.count', { symbol: 42, interval: '1' }, 'bad_request'],
    ['an unknown interval', 'candles.count', { symbol: 'BTCUSDT', interval: '2' }, 'bad_request'],
    ['an extra field', 'app.info', { admin: true }, 'bad_request'],
    ['a payload that is not an object', 'candles.range', 'DROP TABLE candles', 'bad_request'],
  ])('refuses %s with a typed error', async (_name, call, payload, code) => {
    const reply = await engine.dispatch(call, payload);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe(code);
  });

  it('keeps preferences, and falls back to defaults for missing fields', async () => {
    const defaults = await engine.dispatch('preferences.get', {});
    expect(defaults).toMatchObject({
      ok: true,
      // Direction markers by default only for calls of 50% or more, of a model that beats its baselines.
      value: {
        theme: 'dark',
        heatmap: { visible: true, method: 'gradcam' },
        markers: { minConfidence: 0.5, showUnproven: false, noticeDismissed: false },
      },
    });
    await engine.dispatch('preferences.set', { theme: 'light', stream: { category: 'linear', ...sample } });
    expect(await engine.dispatch('preferences.get', {})).toMatchObject({
      ok: true,
      value: { theme: 'light', stream: { symbol: 'BTCUSDT' } },
    });
    // The marker filter is kept with the layout; a confidence outside 0..1 is refused, the saved one stays.
    await engine.dispatch('preferences.set', { markers: { minConfidence: 0.7 } });
    expect(await engine.dispatch('preferences.get', {})).toMatchObject({ value: { markers: { minConfidence: 0.7 } } });
    expect(await engine.dispatch('preferences.set', { markers: { minConfidence: 1.5 } })).toMatchObject({ ok: false });
    expect(await engine.dispatch('preferences.get', {})).toMatchObject({ value: { markers: { minConfidence: 0.7 } } });
  });

  it('gives the renderer typed errors and checks replies against the contract', async () => {
    const calls = Object.fromEntries(CALL_NAMES.map((name) => [name, (request: unknown) => engine.dispatch(name, request)]));
    const raw: RawBridge = {
      calls: { ...(calls as RawBridge['calls']), 'streams.list': async () => ({ ok: true, value: [{ nonsense: true }] }) },
      subscribe: () => () => {},
    };
    const bridge = createBridge(raw);
    await expect(bridge.invoke('candles.count', { symbol: 'ETHUSDT', interval: '5' })).resolves.toEqual({ count: 0 });
    await expect(bridge.invoke('streams.list', {})).rejects.toMatchObject({ code: 'bad_response' });
    await expect(bridge.invoke('candles.count', { symbol: 'eth', interval: '5' })).rejects.toBeInstanceOf(BridgeError);
  });

  it('reports a failing handler as handler_failed', async () => {
    const broken = createEngine({ storePath: join(tempDir(), 'store.db'), seedSample: false, market: false, modelPath: false });
    broken.close();
    const reply = await broken.dispatch('candles.count', sample);
    expect(reply).toMatchObject({ ok: false, error: { code: 'handler_failed' } });
  });

  it('delivers an event to every listener when one throws, and reports the one that did', () => {
    const failures: string[] = [];
    const hub = new EventHub((err, name) => failures.push(`${name}: ${err.message}`));
    const received: string[] = [];
    hub.listen(() => {
      throw new Error('broken listener');
    });
    hub.listen((name) => received.push(name));
    const candle = { time: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1, confirmed: true };
    hub.emit('candle.updated', { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1', candle });
    expect(received).toEqual(['candle.updated']);
    expect(failures).toEqual(['candle.updated: broken listener']);
  });
});
