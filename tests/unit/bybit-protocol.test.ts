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
  type KlineRow,
  type ValidationContext,
} from '../../src-main/market/bybit/protocol';
import { CLOCK_SKEW_MS } from '../../src-main/market/candle-validation';
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
      ts: 1672325100000,
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
    expect(kindOf(pushWith({ low: '17000' }))).toEqual(['impossible_candle']);
    expect(kindOf(pushWith({}, 'kline.5.ETHUSDT'))).toEqual(['unknown_topic']);
    expect(kindOf(pushWith({}, 'orderbook.1.BTCUSDT'))).toEqual(['unknown_topic']);
    expect(kindOf(PUSH, context({ lastStart: () => 1672325100000 }))).toEqual(['out_of_order']);
    expect(kindOf(pushWith({ start: 1672324800000 + 3_600_000 }))).toEqual(['far_future']);
    expect(kindOf('{"hello": 1}')).toEqual(['wrong_type']);
  });

  it('refuses impossible candles: negative volume, prices not positive, open or close outside low..high', () => {
    const refused = (candle: Record<string, unknown>) => {
      const frame = readFrame(pushWith(candle), context());
      expect(frame).toMatchObject({ kind: 'kline', candles: [] });
      return frame.kind === 'kline' ? frame.rejects.map((r) => `${r.kind}: ${r.reason}`) : [];
    };
    expect(refused({ volume: '-2.081' })).toEqual(['impossible_candle: volume -2.081 is negative']);
    expect(refused({ open: '0', low: '0' })).toEqual(['impossible_candle: low 0 is not a positive price']);
    expect(refused({ open: '-1', low: '-1', close: '-1', high: '-1' })).toEqual(['impossible_candle: low -1 is not a positive price']);
    expect(refused({ open: '16700' })).toEqual(['impossible_candle: open 16700 lies outside low 16608 .. high 16677']);
    expect(refused({ open: '16600' })).toEqual(['impossible_candle: open 16600 lies outside low 16608 .. high 16677']);
    expect(refused({ close: '16600' })).toEqual(['impossible_candle: close 16600 lies outside low 16608 .. high 16677']);
    expect(refused({ close: '16678' })).toEqual(['impossible_candle: close 16678 lies outside low 16608 .. high 16677']);
  });

  it("refuses a candle that starts after the exchange's clock allows, or is confirmed before its end", () => {
    const start = 1672324800000;
    const kinds = (candle: Record<string, unknown>, ts: number, now: number) => {
      const push = JSON.parse(pushWith(candle)) as object;
      const frame = readFrame(JSON.stringify({ ...push, ts }), context({ now }));
      return frame.kind === 'kline' ? [frame.candles.length, ...frame.rejects.map((r) => r.kind)] : [];
    };
    const next = { start: start + 300_000, end: start + 599_999 };
    // One interval ahead of both clocks: that minute has not begun.
    expect(kinds(next, start + 1000, start + 1000)).toEqual([0, 'far_future']);
    // Within the skew allowance of either clock (they differ a little), it has.
    expect(kinds(next, start + 300_000 - CLOCK_SKEW_MS, start + 299_000)).toEqual([1]);
    // A frame stamped in the future does not vouch for it when our clock says otherwise, nor the reverse.
    expect(kinds(next, start + 300_000, start + 1000)).toEqual([0, 'far_future']);
    expect(kinds(next, start + 1000, start + 300_000)).toEqual([0, 'far_future']);
    // Confirmed while its end is still ahead of the exchange's stamp: not final yet, whatever our clock says.
    expect(kinds({ confirm: true }, start + 200_000, start + 400_000)).toEqual([0, 'early_confirmation']);
    expect(kinds({ confirm: true }, start + 300_000 - CLOCK_SKEW_MS, start + 250_000)).toEqual([1]);
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
    const { candles, rejects } = readKlinePage(list, '60', 1670608800000 + 1_800_000, 1670608800000 + 1_800_000);
    expect(rejects).toEqual([]);
    expect(candles.map((c) => c.time)).toEqual([1670601600000, 1670605200000, 1670608800000]);
    expect(candles.map((c) => c.confirmed)).toEqual([true, true, false]);
    expect(candles[2]).toMatchObject({ open: 17071, high: 17073, low: 17027, close: 17055.5, volume: 268611 });
  });

  it('refuses impossible REST rows and rows after the exchange clock, and reads the good rows beside them', () => {
    const hour = 1670608800000;
    const row = (start: number, o: string, h: string, l: string, c: string, v: string): KlineRow => [String(start), o, h, l, c, v, '1'];
    const list = [
      row(hour + 3_600_000, '10', '11', '9', '10', '1'), // the next hour: it has not begun by either clock
      row(hour, '10', '11', '9', '10', '1'),
      row(hour - 3_600_000, '10', '11', '9', '10', '-1'),
      row(hour - 7_200_000, '10', '9', '11', '10', '1'),
      row(hour - 10_800_000, '0', '11', '0', '10', '1'),
      row(hour - 14_400_000, '12', '11', '9', '10', '1'),
      row(hour - 18_000_000, '10', '11', '9', '8', '1'),
      row(hour - 21_600_000, '10', '11', '9', 'NaN', '1'),
    ]; // newest first, as Bybit lists them
    const { candles, rejects } = readKlinePage(list, '60', hour + 1_800_000, hour + 1_800_000);
    expect(candles.map((c) => [c.time, c.confirmed])).toEqual([[hour, false]]);
    expect(rejects.map((r) => r.kind)).toEqual([
      'non_finite',
      'impossible_candle',
      'impossible_candle',
      'impossible_candle',
      'impossible_candle',
      'impossible_candle',
      'far_future',
    ]);
    // A server clock ten years ahead neither confirms the open hour nor lets the next one in: our clock bounds it.
    const tenYears = 315_576_000_000;
    const lying = readKlinePage(list.slice(0, 2), '60', hour + tenYears, hour + 1_800_000);
    expect(lying.rejects.map((r) => r.kind)).toEqual(['far_future']);
    expect(lying.candles.map((c) => [c.time, c.confirmed])).toEqual([[hour, false]]);
  });

  it('reads the real instruments-info reply', () => {
    const reply = InstrumentsEnvelope.parse(JSON.parse(sharedBybitExample('rest_instruments_info_linear_response.json')));
    expect('list' in reply.result && reply.result.list[0]).toMatchObject({ symbol: 'BTCUSDT', status: 'Trading', baseCoin: 'BTC' });
  });
});
