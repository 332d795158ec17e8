import { describe, expect, it } from 'vitest';
import { BridgeError, CALL_NAMES, createBridge, type RawBridge } from '../../src-main/ipc/contract';
import { createDispatch, type Handlers } from '../../src-main/ipc/dispatch';

// Calls this test does not exercise answer with an error, so the test holds as the contract grows.
const unused = () => {
  throw new Error('not used in this test');
};
const handlers: Handlers = {
  ...(Object.fromEntries(CALL_NAMES.map((name) => [name, unused])) as unknown as Handlers),
  'app.info': () => ({ name: 'Candle Lens', version: '0', storePath: '/x', storeBytes: 1 }),
  'streams.list': () => [],
  'candles.range': () => {
    throw new Error('disk on fire');
  },
  'candles.count': ({ symbol }) => ({ count: symbol.length }),
};
const dispatch = createDispatch(handlers);

describe('dispatch', () => {
  it('answers a valid call, filling defaults', async () => {
    expect(await dispatch('candles.count', { symbol: 'BTCUSDT', interval: '1' })).toEqual({ ok: true, value: { count: 7 } });
  });

  it.each([
    ['an unknown call', 'candles.delete', {}, 'unknown_call'],
    ['a prototype key', 'constructor', {}, 'unknown_call'],
    ['a wrong type', 'candles.count', { symbol: 42, interval: '1' }, 'bad_request'],
    ['an unknown interval', 'candles.count', { symbol: 'BTCUSDT', interval: '2' }, 'bad_request'],
    ['an extra field', 'app.info', { admin: true }, 'bad_request'],
    ['a failing handler', 'candles.range', { symbol: 'BTCUSDT', interval: '1' }, 'handler_failed'],
  ])('refuses %s with a typed error', async (_name, call, payload, code) => {
    const reply = await dispatch(call, payload);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe(code);
  });

  it('gives the renderer typed errors and checks replies against the contract', async () => {
    const raw: RawBridge = {
      calls: {
        ...(Object.fromEntries(CALL_NAMES.map((name) => [name, (request: unknown) => dispatch(name, request)])) as RawBridge['calls']),
        'streams.list': async () => ({ ok: true, value: [{ nonsense: true }] }),
      },
      subscribe: () => () => {},
    };
    const bridge = createBridge(raw);
    await expect(bridge.invoke('candles.count', { symbol: 'ETHUSDT', interval: '5' })).resolves.toEqual({ count: 7 });
    await expect(bridge.invoke('streams.list', {})).rejects.toMatchObject({ code: 'bad_response' });
    await expect(bridge.invoke('candles.range', { symbol: 'BTCUSDT', interval: '1' })).rejects.toBeInstanceOf(BridgeError);
  });
});
