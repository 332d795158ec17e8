import { describe, expect, it } from 'vitest';
import {
  ARGS_CHARS_PER_CONNECTION,
  InstrumentsEnvelope,
  KlineEnvelope,
  klineTopic,
  parseKlineTopic,
  PingRequest,
  planSubscriptions,
  readFrame,
  readKlinePage,
  SubscribeRequest,
  type ValidationContext,
} from '../../src-main/market/bybit/protocol';
import { sharedBybitExample } from '../helpers';

const PUSH = sharedBybitExample('ws_kline_push_confirm_false.json');
const TOPIC = 'kline.5.BTCUSDT';

function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return { isSubscribed: (t) => t === TOPIC, lastStart: () => undefined, now: 1672324988882, ...overrides };
}

/** The real push with its single candle changed. */
function pushWith(candle: Record<string, unknown>, topic = TOPIC): string {
  const push = JSON.parse(PUSH) as { topic: string; data: Record<string, unknown>[] };
  return JSON.stringify({ ...push, topic, data: [{ ...push.data[0], ...candle }] });
}

describe('Bybit v5 protocol', () => {
  it('reads the real kline push: every element of data, decimal strings as numbers', () => {
    const frame = readFrame(PUSH, context());
    expect(frame).toEqual({
      kind: 'kline',
      topic: TOPIC,
      symbol: 'BTCUSDT',
      interval: '5',
      candles: [{ time: 1672324800000, open: 16649.5, high: 16677, low: 16608, close: 16677, volume: 2.081, confirmed: false }],
      rejects: [],
    });
    const push = JSON.parse(PUSH) as { data: Record<string, unknown>[] };
    const first = push.data[0] ?? {};
    const two = JSON.stringify({
      ...push,
      data: [
        { ...first, confirm: true },
        { ...first, start: 1672325100000, end: 1672325399999 },
      ],
    });
    const read = readFrame(two, context({ now: 1672325100000 }));
    expect(read.kind === 'kline' && read.candles.map((c) => [c.time, c.confirmed])).toEqual([
      [1672324800000, true],
      [1672325100000, false],
    ]);
  });

  it('reads the real subscribe acks, failures and all three pong shapes', () => {
    expect(readFrame(sharedBybitExample('ws_subscribe_ack_linear_inverse.json'), context())).toMatchObject({
      kind: 'op',
      op: 'subscribe',
      success: true,
    });
    expect(readFrame(sharedBybitExample('ws_subscribe_ack_spot.json'), context())).toMatchObject({
      kind: 'op',
      success: true,
      reqId: '10001',
    });
    expect(readFrame(sharedBybitExample('ws_subscribe_fail_spot_args_size.json'), context())).toMatchObject({
      kind: 'op',
      success: false,
      message: 'args size >10',
    });
    expect(readFrame(sharedBybitExample('ws_subscribe_fail_linear_handler_not_found.json'), context())).toMatchObject({
      kind: 'op',
      success: false,
    });
    for (const file of ['ws_pong_linear_inverse.json', 'ws_pong_spot.json', 'ws_pong_option_spread.json']) {
      expect(readFrame(sharedBybitExample(file), context())).toEqual({ kind: 'pong' });
    }
  });

  it('accepts the real client requests as what we send', () => {
    expect(SubscribeRequest.parse(JSON.parse(sharedBybitExample('ws_subscribe_request_multi.json'))).args).toHaveLength(3);
    expect(SubscribeRequest.parse(JSON.parse(sharedBybitExample('ws_unsubscribe_request.json'))).op).toBe('unsubscribe');
    expect(PingRequest.parse(JSON.parse(sharedBybitExample('ws_ping_request.json'))).op).toBe('ping');
  });

  it('classifies every bad frame by kind and never yields a candle from it', () => {
    const kindOf = (text: string, ctx = context()) => {
      const frame = readFrame(text, ctx);
      if (frame.kind === 'kline') expect(frame.candles).toEqual([]);
      return frame.kind === 'kline' || frame.kind === 'rejected' ? frame.rejects.map((r) => r.kind) : [];
    };
    expect(kindOf('{"topic": "kline.5.BTCUSDT", "data": [')).toEqual(['malformed_json']);
    expect(kindOf(pushWith({ open: 16649.5 }))).toEqual(['wrong_type']);
    expect(kindOf(pushWith({ confirm: 'yes' }))).toEqual(['wrong_type']);
    expect(kindOf(pushWith({ start: 1672324860000 }))).toEqual(['wrong_type']);
    expect(kindOf(JSON.stringify({ topic: TOPIC, type: 'snapshot', ts: 1, data: {} }))).toEqual(['wrong_type']);
    expect(kindOf(pushWith({ close: 'NaN' }))).toEqual(['non_finite']);
    expect(kindOf(pushWith({ high: '1e999' }))).toEqual(['non_finite']);
    expect(kindOf(pushWith({ volume: '' }))).toEqual(['non_finite']);
    expect(kindOf(pushWith({ low: '17000' }))).toEqual(['low_above_high']);
    expect(kindOf(pushWith({}, 'kline.5.ETHUSDT'))).toEqual(['unknown_topic']);
    expect(kindOf(pushWith({}, 'orderbook.1.BTCUSDT'))).toEqual(['unknown_topic']);
    expect(kindOf(PUSH, context({ lastStart: () => 1672325100000 }))).toEqual(['out_of_order']);
    expect(kindOf(pushWith({ start: 1672324800000 + 3_600_000 }))).toEqual(['far_future']);
    expect(kindOf('{"hello": 1}')).toEqual(['wrong_type']);
  });

  it("reads a push's candles oldest first, whatever order data lists them in", () => {
    const push = JSON.parse(PUSH) as { data: Record<string, unknown>[] };
    const closing = { ...push.data[0], start: 1672324500000, end: 1672324799999, confirm: true };
    const frame = readFrame(JSON.stringify({ ...push, data: [push.data[0], closing] }), context({ lastStart: () => 1672324500000 }));
    expect(frame).toMatchObject({ kind: 'kline', rejects: [] });
    expect(frame.kind === 'kline' && frame.candles.map((c) => [c.time, c.confirmed])).toEqual([
      [1672324500000, true],
      [1672324800000, false],
    ]);
  });

  it('builds and parses kline topics', () => {
    expect(klineTopic('D', 'SOLUSDT')).toBe('kline.D.SOLUSDT');
    expect(parseKlineTopic('kline.240.BTCUSDT')).toEqual({ interval: '240', symbol: 'BTCUSDT' });
    expect(parseKlineTopic('kline.7.BTCUSDT')).toBeUndefined();
    expect(parseKlineTopic('publicTrade.BTCUSDT')).toBeUndefined();
  });

  it('subscribes each topic in a request of its own and splits connections at 21,000 characters of args', () => {
    const topics = Array.from({ length: 2500 }, (_, i) => klineTopic('1', `SYM${i}USDT`));
    const plan = planSubscriptions(topics);
    expect(plan.flat(2)).toEqual(topics);
    expect(plan.length).toBeGreaterThan(1);
    for (const connection of plan) {
      expect(connection.flat().reduce((n, t) => n + JSON.stringify(t).length + 1, 0)).toBeLessThanOrEqual(ARGS_CHARS_PER_CONNECTION);
      for (const request of connection) expect(request).toHaveLength(1);
    }
    expect(planSubscriptions(['kline.1.BTCUSDT', 'kline.5.BTCUSDT'])).toEqual([[['kline.1.BTCUSDT'], ['kline.5.BTCUSDT']]]);
  });

  it('reads the real REST kline reply newest first into ascending candles', () => {
    const reply = KlineEnvelope.parse(JSON.parse(sharedBybitExample('rest_kline_response.json')));
    expect(reply.retCode).toBe(0);
    const list = 'list' in reply.result ? reply.result.list : [];
    const { candles, rejects } = readKlinePage(list, '60', 1670608800000 + 1_800_000);
    expect(rejects).toEqual([]);
    expect(candles.map((c) => c.time)).toEqual([1670601600000, 1670605200000, 1670608800000]);
    expect(candles.map((c) => c.confirmed)).toEqual([true, true, false]);
    expect(candles[2]).toMatchObject({ open: 17071, high: 17073, low: 17027, close: 17055.5, volume: 268611 });
    const bad = readKlinePage([['1670601600000', '1', '1', '2', '1', '1', '1']], '60', 1670608800000);
    expect(bad.rejects.map((r) => r.kind)).toEqual(['low_above_high']);
  });

  it('reads the real instruments-info reply', () => {
    const reply = InstrumentsEnvelope.parse(JSON.parse(sharedBybitExample('rest_instruments_info_linear_response.json')));
    expect('list' in reply.result && reply.result.list[0]).toMatchObject({ symbol: 'BTCUSDT', status: 'Trading', baseCoin: 'BTC' });
  });
});
