/**
 * Bybit v5 public market data, pure: endpoints, frame schemas, kline topics, subscription batching
 * and the validation that turns a raw WebSocket frame into candles or classified rejects.
 * No I/O here, so the client, the fake server and the tests share one reading of the protocol.
 */
import { z } from 'zod';
import type { Candle } from '../../../src-shared/domain/market';
import { CLOCK_SKEW_MS, clockProblem, readCandleValues } from '../candle-validation';
import { INTERVALS, isCandleStart, nextCandleStart, type Category, type Interval } from '../../../src-shared/domain/intervals';

export const MAINNET = { ws: 'wss://stream.bybit.com', rest: 'https://api.bybit.com' } as const;
export const TESTNET = { ws: 'wss://stream-testnet.bybit.com', rest: 'https://api-testnet.bybit.com' } as const;

/** Public stream URL of a category under a WebSocket base (`wss://stream.bybit.com` → `.../v5/public/linear`). */
export function publicStreamUrl(wsBase: string, category: Category): string {
  return `${wsBase.replace(/\/+$/, '')}/v5/public/${category}`;
}

/** Bybit's cap on one spot subscribe request (the fake exchange enforces it). */
export const SPOT_TOPICS_PER_REQUEST = 10;
export const ARGS_CHARS_PER_CONNECTION = 21_000;
export const KLINE_PAGE_LIMIT = 1000;

// ---- topics ----------------------------------------------------------------------------------

export function klineTopic(interval: Interval, symbol: string): string {
  return `kline.${interval}.${symbol}`;
}

const TOPIC = /^kline\.([0-9]+|[DWM])\.([A-Z0-9]{2,30})$/;

export function parseKlineTopic(topic: string): { interval: Interval; symbol: string } | undefined {
  const match = TOPIC.exec(topic);
  const interval = INTERVALS.find((i) => i === match?.[1]);
  return interval === undefined || match?.[2] === undefined ? undefined : { interval, symbol: match[2] };
}

/**
 * Splits topics into connections, each a list of subscribe requests of one topic each: Bybit refuses
 * a whole request when any of its topics is unknown, so a topic of its own keeps one refusal from
 * taking the others down. The args of one connection total at most 21,000 characters (counted as
 * sent in JSON).
 */
export function planSubscriptions(topics: readonly string[]): string[][][] {
  const connections: string[][][] = [];
  let requests: string[][] = [];
  let chars = 0;
  for (const topic of topics) {
    const cost = JSON.stringify(topic).length + 1;
    if (chars + cost > ARGS_CHARS_PER_CONNECTION && requests.length > 0) {
      connections.push(requests);
      requests = [];
      chars = 0;
    }
    requests.push([topic]);
    chars += cost;
  }
  if (requests.length > 0) connections.push(requests);
  return connections;
}

// ---- frames ----------------------------------------------------------------------------------

const Decimal = z.string();

export const KlineWireCandle = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  interval: z.string(),
  open: Decimal,
  close: Decimal,
  high: Decimal,
  low: Decimal,
  volume: Decimal,
  turnover: Decimal,
  confirm: z.boolean(),
  timestamp: z.number().int().nonnegative(),
});
export type KlineWireCandleValue = z.output<typeof KlineWireCandle>;

export const KlinePush = z.object({
  topic: z.string(),
  type: z.string(),
  ts: z.number(),
  data: z.array(z.unknown()),
});

/** Reply to subscribe/unsubscribe; a failure has `success: false` and the reason in `ret_msg`. */
export const OpReply = z.object({
  success: z.boolean(),
  ret_msg: z.string(),
  conn_id: z.string().optional(),
  req_id: z.string().optional(),
  op: z.string(),
});

/** Pong in its three documented shapes: linear/inverse and spot answer `op: "ping"`, option/spread `op: "pong"`. */
export const Pong = z.union([
  OpReply.extend({ op: z.literal('ping'), success: z.literal(true) }),
  z.object({ op: z.literal('pong'), args: z.array(z.string()).optional() }),
]);

export const SubscribeRequest = z.object({
  req_id: z.string().optional(),
  op: z.enum(['subscribe', 'unsubscribe']),
  args: z.array(z.string()),
});

export const PingRequest = z.object({ req_id: z.string().optional(), op: z.literal('ping') });

export function restEnvelope<T extends z.ZodType>(result: T) {
  return z.object({
    retCode: z.number().int(),
    retMsg: z.string(),
    result: z.union([result, z.object({}).strict()]),
    retExtInfo: z.unknown().optional(),
    time: z.number().int(),
  });
}

/** `/v5/market/kline` rows: `[startTime, open, high, low, close, volume, turnover]`, NEWEST FIRST. */
export const KlineResult = z.object({
  symbol: z.string(),
  category: z.string(),
  list: z.array(z.tuple([z.string(), Decimal, Decimal, Decimal, Decimal, Decimal, Decimal])),
});
export const KlineEnvelope = restEnvelope(KlineResult);
export type KlineRow = z.output<typeof KlineResult>['list'][number];

export const Instrument = z.object({
  symbol: z.string(),
  status: z.string(),
  baseCoin: z.string(),
  quoteCoin: z.string(),
});
export type InstrumentValue = z.output<typeof Instrument>;
export const InstrumentsResult = z.object({
  category: z.string(),
  list: z.array(z.looseObject(Instrument.shape)),
  nextPageCursor: z.string().optional(),
});
export const InstrumentsEnvelope = restEnvelope(InstrumentsResult);

/** Codes the client treats as "slow down": Bybit's too-many-requests retCode. */
export const RET_CODE_TOO_MANY_REQUESTS = 10006;

// ---- validation ------------------------------------------------------------------------------

export const REJECT_KINDS = [
  'malformed_json',
  'wrong_type',
  'non_finite',
  'impossible_candle',
  'unknown_topic',
  'out_of_order',
  'far_future',
  'early_confirmation',
  /** A confirmed candle confirmed again with other values: the first confirmation stays (see CandleWriter). */
  'conflicting_confirmation',
] as const;
export type RejectKind = (typeof REJECT_KINDS)[number];

export interface Reject {
  kind: RejectKind;
  /** The topic the frame named, when it named one we could read. */
  topic?: string;
  reason: string;
}

export interface ValidationContext {
  /** Whether this connection subscribed to the topic. */
  isSubscribed(topic: string): boolean;
  /** Start of the newest candle accepted on the topic so far, if any. */
  lastStart(topic: string): number | undefined;
  /** The market clock in ms (injectable so replays can run on a virtual clock). */
  now: number;
}

export type Frame =
  | { kind: 'kline'; topic: string; symbol: string; interval: Interval; candles: Candle[]; rejects: Reject[] }
  | { kind: 'pong' }
  | { kind: 'op'; op: string; success: boolean; message: string; reqId: string | undefined }
  | { kind: 'rejected'; rejects: Reject[] };

/**
 * The exchange's clock for a push: its `ts`, but never later than our market clock, so that a frame
 * stamped in the future cannot vouch for candles that have not begun. Whether a candle may be
 * confirmed is judged on `ts` alone: a machine clock running behind must not refuse confirmations.
 */
interface PushClock {
  now: number;
  ts: number;
}

function readCandle(raw: unknown, topic: string, interval: Interval, clock: PushClock, previous: number | undefined): Candle | Reject {
  const wire = KlineWireCandle.safeParse(raw);
  if (!wire.success) return { kind: 'wrong_type', topic, reason: z.prettifyError(wire.error).split('\n')[0] ?? 'bad candle' };
  const c = wire.data;
  if (c.interval !== interval || !isCandleStart(interval, c.start)) {
    return { kind: 'wrong_type', topic, reason: `candle ${c.start} (interval ${c.interval}) does not belong to ${topic}` };
  }
  const values = readCandleValues(c);
  if ('kind' in values) return { ...values, topic };
  if (previous !== undefined && c.start < previous) {
    return { kind: 'out_of_order', topic, reason: `candle ${c.start} arrived after ${previous}` };
  }
  const candle = { time: c.start, ...values, confirmed: c.confirm };
  const late = clockProblem(interval, candle, Math.min(clock.now, clock.ts), clock.ts);
  return late === null ? candle : { ...late, topic };
}

/** A push element's start, for ordering; one without a numeric start sorts first (and is rejected). */
const startOf = (element: unknown) =>
  typeof element === 'object' && element !== null && 'start' in element && typeof element.start === 'number'
    ? element.start
    : Number.MIN_SAFE_INTEGER;

/** Parses and validates one text frame from a public stream. Never throws. */
export function readFrame(text: string, ctx: ValidationContext): Frame {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'rejected', rejects: [{ kind: 'malformed_json', reason: `not JSON: ${text.slice(0, 60)}` }] };
  }
  if (typeof json === 'object' && json !== null && 'topic' in json) {
    const push = KlinePush.safeParse(json);
    const topic = typeof json.topic === 'string' ? json.topic : undefined;
    if (!push.success) return { kind: 'rejected', rejects: [{ kind: 'wrong_type', topic, reason: 'push without topic/type/ts/data[]' }] };
    const parsed = parseKlineTopic(push.data.topic);
    if (parsed === undefined || !ctx.isSubscribed(push.data.topic)) {
      return {
        kind: 'rejected',
        rejects: [{ kind: 'unknown_topic', topic: push.data.topic, reason: `not subscribed: ${push.data.topic}` }],
      };
    }
    const candles: Candle[] = [];
    const rejects: Reject[] = [];
    let previous = ctx.lastStart(push.data.topic);
    // Oldest first: the docs do not say in which order `data` lists candles, and a confirmation of the
    // previous candle listed after the next one's first update must not be taken as out of order.
    for (const element of push.data.data.toSorted((a, b) => startOf(a) - startOf(b))) {
      const read = readCandle(element, push.data.topic, parsed.interval, { now: ctx.now, ts: push.data.ts }, previous);
      if ('kind' in read) rejects.push(read);
      else {
        candles.push(read);
        previous = read.time;
      }
    }
    return { kind: 'kline', topic: push.data.topic, ...parsed, candles, rejects };
  }
  if (Pong.safeParse(json).success) return { kind: 'pong' };
  const op = OpReply.safeParse(json);
  if (op.success) return { kind: 'op', op: op.data.op, success: op.data.success, message: op.data.ret_msg, reqId: op.data.req_id };
  return { kind: 'rejected', rejects: [{ kind: 'wrong_type', reason: `unrecognised frame: ${text.slice(0, 60)}` }] };
}

/**
 * Turns a REST kline page (newest first) into ascending candles; a row that fails the checks is
 * returned as a reject. The exchange's clock is the server's `time`, never later than our market
 * clock `now` (give or take CLOCK_SKEW_MS): a candle is confirmed once its end has passed on it.
 */
export function readKlinePage(
  list: readonly KlineRow[],
  interval: Interval,
  serverTime: number,
  now: number,
): { candles: Candle[]; rejects: Reject[] } {
  const candles: Candle[] = [];
  const rejects: Reject[] = [];
  const clock = Math.min(serverTime, now);
  const closedBy = Math.min(serverTime, now + CLOCK_SKEW_MS);
  for (let i = list.length - 1; i >= 0; i--) {
    const [startText, open, high, low, close, volume] = list[i] as KlineRow;
    const start = Number(startText);
    if (!/^\d+$/.test(startText) || !isCandleStart(interval, start)) {
      rejects.push({ kind: 'wrong_type', reason: `REST row start "${startText}" is not a ${interval} candle start` });
      continue;
    }
    const values = readCandleValues({ open, high, low, close, volume });
    if ('kind' in values) {
      rejects.push(values);
      continue;
    }
    const candle = { time: start, ...values, confirmed: nextCandleStart(interval, start) <= closedBy };
    const late = clockProblem(interval, candle, clock);
    if (late === null) candles.push(candle);
    else rejects.push(late);
  }
  return { candles, rejects };
}
