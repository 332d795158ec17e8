/**
 * Property-based checks (fast-check) of what reaches the store: the candle validation against an
 * independent statement of its rule, the frame parser and the REST page reader on random and
 * mutated real messages (never a throw, never a candle the validation refuses), and the writer's
 * confirmation rule under every way of batching the same updates.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CandleWriter } from '../../src-main/feed/candle-writer';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import { createEngineBus } from '../../src-main/bus/bus';
import { readFrame, readKlinePage, type KlineRow, type ValidationContext } from '../../src-main/market/bybit/protocol';
import {
  CANDLE_FIELDS,
  CLOCK_SKEW_MS,
  candleProblem,
  clockProblem,
  readCandleValues,
  type CandleValues,
} from '../../src-main/market/candle-validation';
import { isCandleStart, nextCandleStart, type Interval } from '../../src-shared/domain/intervals';
import { CandleStore, sameValues } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { sharedBybitExample } from '../helpers';

const RUNS = { numRuns: 1000 };
const PUSH = JSON.parse(sharedBybitExample('ws_kline_push_confirm_false.json')) as { ts: number; data: Record<string, unknown>[] };
const ELEMENT = PUSH.data[0] as Record<string, unknown>;
const START = ELEMENT.start as number;
const FIVE_MINUTES = 300_000;

/** The rule, said once more independently: what a candle's values must be to be stored. */
function possible(v: CandleValues): boolean {
  return (
    CANDLE_FIELDS.every((f) => Number.isFinite(v[f])) &&
    v.low > 0 &&
    v.volume >= 0 &&
    v.low <= v.open &&
    v.open <= v.high &&
    v.low <= v.close &&
    v.close <= v.high
  );
}

const anyNumber = fc.oneof(fc.double(), fc.double({ min: 0.5, max: 2 }), fc.constantFrom(0, -0, 1, 1.5, 2));
const decimalText = fc.oneof(
  anyNumber.map(String),
  fc.integer().map(String),
  fc.double({ min: 16_000, max: 17_000, noNaN: true }).map((n) => n.toFixed(2)),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e999', '-1', '0', '', ' 1', '0x10', '+.5', '.', '-', '1e-400', '16677'),
  fc.string({ maxLength: 12 }),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Starts near the real push's candle: five-minute boundaries and not, before and after the clocks. */
const startNearby = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((k) => START + k * FIVE_MINUTES),
  fc.integer({ min: START - 2 * FIVE_MINUTES, max: START + 2 * FIVE_MINUTES }),
);

/** Field values a mutation puts in: plausible ones, wrong ones, and any JSON. */
const fieldValue = fc.oneof(decimalText, startNearby, fc.boolean(), anyJson, fc.constantFrom('5', '1', 'D'));

/** `base` with up to two of its fields replaced by `value`s or removed. */
function mutated<T extends Record<string, unknown>>(base: T): fc.Arbitrary<Record<string, unknown>> {
  const change = fc.tuple(fc.constantFrom(...Object.keys(base)), fc.option(fieldValue, { nil: undefined }));
  return fc.array(change, { maxLength: 2 }).map((changes) => {
    const changed: Record<string, unknown> = { ...base };
    for (const [field, value] of changes) {
      if (value === undefined) delete changed[field];
      else changed[field] = value;
    }
    return changed;
  });
}

/** The real push's element on another candle, confirmed or not, then mutated. */
const element = fc
  .record({ start: startNearby, confirm: fc.boolean() })
  .chain(({ start, confirm }) => mutated({ ...ELEMENT, start, end: start + FIVE_MINUTES - 1, confirm }));

const push = fc
  .record({
    topic: fc.constantFrom('kline.5.BTCUSDT', 'kline.5.BTCUSDT', 'kline.5.BTCUSDT', 'kline.1.BTCUSDT', 'kline.5.ETHUSDT'),
    type: fc.constantFrom('snapshot', 'delta'),
    ts: fc.oneof(startNearby, fc.constant(PUSH.ts)),
    data: fc.array(element, { maxLength: 4 }),
  })
  .chain((frame) => fc.oneof({ weight: 4, arbitrary: fc.constant(frame) }, { weight: 1, arbitrary: mutated(frame) }));

/** Text cut and spliced from a real frame: truncations, stray characters, broken escapes. */
const mangled = fc.tuple(push, fc.nat(), fc.nat(), fc.string({ maxLength: 8 })).map(([frame, from, length, insert]) => {
  const text = JSON.stringify(frame);
  const at = from % (text.length + 1);
  return text.slice(0, at) + insert + text.slice(at + (length % 6));
});

const context = fc.record({
  now: fc.oneof(startNearby, fc.constant(PUSH.ts)),
  lastStart: fc.option(startNearby, { nil: undefined, freq: 1 }),
});

/** What every kline frame must satisfy: only candles the validation takes, in order, on the topic's boundaries. Returns how many it yielded. */
function checkFrame(text: string, ctx: { now: number; lastStart: number | undefined }): number {
  const validation: ValidationContext = { isSubscribed: (t) => t === 'kline.5.BTCUSDT', lastStart: () => ctx.lastStart, now: ctx.now };
  const frame = readFrame(text, validation);
  if (frame.kind !== 'kline') return 0;
  const ts = (JSON.parse(text) as { ts: number }).ts;
  let previous = ctx.lastStart ?? -Infinity;
  for (const candle of frame.candles) {
    expect(candleProblem(candle)).toBeNull();
    expect(clockProblem(frame.interval, candle, Math.min(ctx.now, ts), ts)).toBeNull();
    expect(isCandleStart(frame.interval, candle.time)).toBe(true);
    expect(candle.time).toBeGreaterThanOrEqual(previous);
    previous = candle.time;
  }
  return frame.candles.length;
}

describe('candle validation (property-based)', () => {
  it('refuses exactly the values that cannot be a candle, whatever the numbers', () => {
    const values = fc.record({ open: anyNumber, high: anyNumber, low: anyNumber, close: anyNumber, volume: anyNumber });
    fc.assert(
      fc.property(values, (v) => {
        expect(candleProblem(v) === null).toBe(possible(v));
      }),
      RUNS,
    );
  });

  it('reads any texts into values the validation takes, or refuses them', () => {
    const texts = fc.record({ open: decimalText, high: decimalText, low: decimalText, close: decimalText, volume: decimalText });
    fc.assert(
      fc.property(texts, (t) => {
        const read = readCandleValues(t);
        if ('kind' in read) return;
        expect(possible(read)).toBe(true);
        for (const field of CANDLE_FIELDS) expect(read[field]).toBe(Number(t[field]));
      }),
      RUNS,
    );
  });

  it('the frame parser never throws and never yields a candle the validation refuses: random text and JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        context,
        (text, ctx) => {
          checkFrame(text, ctx);
        },
      ),
      RUNS,
    );
  });

  it('... nor on mutated real pushes, whole or mangled', () => {
    let yielded = 0;
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: push.map((p) => JSON.stringify(p)) }, { weight: 1, arbitrary: mangled }),
        context,
        (text, ctx) => {
          yielded += checkFrame(text, ctx);
        },
      ),
      { numRuns: 3000 },
    );
    // The mutations keep some frames good: the property was checked on candles, not only on refusals.
    expect(yielded).toBeGreaterThan(100);
  });

  it('the REST page reader never throws and yields only valid candles, confirmed only once ended', () => {
    const hour = 1670608800000;
    const startText = fc.oneof(
      fc.integer({ min: -3, max: 3 }).map((k) => String(hour + k * 3_600_000)),
      fc.constantFrom('', '-3600000', '1e12', '1670608800000.0', 'x'),
    );
    const real = (JSON.parse(sharedBybitExample('rest_kline_response.json')) as { result: { list: KlineRow[] } }).result.list;
    const anyRow = fc.tuple(startText, decimalText, decimalText, decimalText, decimalText, decimalText, decimalText);
    // A real row on another hour, with up to two of its fields replaced.
    const realRow = fc
      .tuple(fc.constantFrom(...real), startText, fc.array(fc.tuple(fc.nat(6), decimalText), { maxLength: 2 }))
      .map(([row, start, changes]) => {
        const changed = [start, ...row.slice(1)] as KlineRow;
        for (const [at, text] of changes) changed[at] = text;
        return changed;
      });
    const row = fc.oneof(realRow, realRow, anyRow);
    const clock = fc.integer({ min: hour - 7_200_000, max: hour + 7_200_000 });
    let yielded = 0;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 8 }), clock, clock, (list: KlineRow[], serverTime, now) => {
        const interval: Interval = '60';
        const { candles } = readKlinePage(list, interval, serverTime, now);
        yielded += candles.length;
        for (const candle of candles) {
          expect(candleProblem(candle)).toBeNull();
          expect(clockProblem(interval, candle, Math.min(serverTime, now))).toBeNull();
          if (candle.confirmed)
            expect(nextCandleStart(interval, candle.time)).toBeLessThanOrEqual(Math.min(serverTime, now + CLOCK_SKEW_MS));
        }
      }),
      RUNS,
    );
    expect(yielded).toBeGreaterThan(100);
  });
});

describe('the first confirmation is final, however the updates are batched (property-based)', () => {
  const db = openDatabase(':memory:');
  const store = new CandleStore(db);
  afterAll(() => db.close());
  let run = 0;

  const candle = (minute: number, close: number, confirmed: boolean): Candle => ({
    time: minute * 60_000,
    open: 2,
    high: Math.max(2, close),
    low: Math.min(2, close),
    close,
    volume: 1,
    confirmed,
  });
  const update = fc.record({ minute: fc.integer({ min: 0, max: 2 }), close: fc.integer({ min: 1, max: 3 }), confirmed: fc.boolean() });
  /** Frames of updates, each followed by a write or not: the batch boundaries fall anywhere. */
  const frames = fc.array(fc.record({ updates: fc.array(update, { minLength: 1, maxLength: 4 }), flush: fc.boolean() }), {
    minLength: 1,
    maxLength: 8,
  });

  it('stores the first confirmation (else the last open update) and counts each later differing one as a conflict', () => {
    fc.assert(
      fc.property(frames, (sequence) => {
        const key: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: `FUZZ${run++}`, interval: '1' };
        const conflicts: string[] = [];
        const writer = new CandleWriter(store, createEngineBus(), { onConflict: (c) => conflicts.push(`${c.refused.time}`) });
        const expected = new Map<number, Candle>();
        let expectedConflicts = 0;
        for (const { updates, flush } of sequence) {
          const batch = updates.map((u) => candle(u.minute, u.close, u.confirmed));
          for (const c of batch) {
            const first = expected.get(c.time);
            if (first?.confirmed !== true) expected.set(c.time, c);
            else if (c.confirmed && !sameValues(first, c)) expectedConflicts++;
          }
          writer.put(key, batch);
          if (flush) writer.flush();
        }
        writer.flush();
        expect(store.range(key)).toEqual([...expected.values()].sort((a, b) => a.time - b.time));
        expect(conflicts).toHaveLength(expectedConflicts);
      }),
      { numRuns: 300 },
    );
  });
});
