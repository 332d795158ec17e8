/** The drawings' pure geometry: bar positions of times, the OHLC magnet, hit-testing and dragging. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  barOfTime,
  dragShape,
  hitShape,
  hitTest,
  newShape,
  roundToStep,
  segmentDistance,
  snapPrice,
  timeOfBar,
  type ScreenShape,
} from '../../src-renderer/src/lib/drawings/geometry';
import { candleHolding } from '../../src-renderer/src/lib/layout/candle-holding';

const MIN = 60_000;
// A break after the third candle (a gap of 10 minutes), as stored streams have.
const candles = [0, 1, 2, 12, 13].map((m) => ({ time: 1_700_000_000_000 + m * MIN }));
const t0 = candles[0]!.time;

describe('bar positions of times', () => {
  it('puts candle starts on whole bars, times between candles in proportion, and times beyond by the interval', () => {
    expect(barOfTime(candles, t0 + 12 * MIN, MIN)).toBe(3);
    expect(barOfTime(candles, t0 + 7 * MIN, MIN)).toBe(2.5);
    expect(barOfTime(candles, t0 + 16 * MIN, MIN)).toBe(7);
    expect(barOfTime(candles, t0 - 2 * MIN, MIN)).toBe(-2);
    expect(timeOfBar(candles, 2.5, MIN)).toBe(t0 + 7 * MIN);
    expect(timeOfBar(candles, 7, MIN)).toBe(t0 + 16 * MIN);
    expect(timeOfBar(candles, -2, MIN)).toBe(t0 - 2 * MIN);
  });

  it('gives back the same time from its bar, anywhere', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100 * MIN, max: 100 * MIN }), (offset) => {
        const time = t0 + offset;
        expect(timeOfBar(candles, barOfTime(candles, time, MIN), MIN)).toBe(time);
      }),
    );
  });
});

describe('the OHLC magnet', () => {
  const candle = { open: 100, high: 110, low: 95, close: 105 };
  const priceToY = (price: number) => 1000 - price * 10; // 10 px a unit, prices up

  it('snaps to the nearest of open, high, low and close within the radius', () => {
    expect(snapPrice(109, priceToY(109), candle, priceToY, 15)).toBe(110);
    expect(snapPrice(103.8, priceToY(103.8), candle, priceToY, 15)).toBe(105);
    expect(snapPrice(102.5, priceToY(102.5), candle, priceToY, 30)).toBe(100); // a tie goes to the first (the open)
  });

  it('keeps the pointer price when no value is within the radius, or no candle is under the pointer', () => {
    expect(snapPrice(102.5, priceToY(102.5), candle, priceToY, 10)).toBe(102.5);
    expect(snapPrice(109, priceToY(109), undefined, priceToY, 15)).toBe(109);
    expect(snapPrice(120, priceToY(120), candle, () => null, 15)).toBe(120);
  });
});

describe('rounding to the price step', () => {
  it('rounds a pointer price to the scale step, never to zero', () => {
    expect(roundToStep(107_381.60303486, 0.01)).toBe(107_381.6);
    expect(roundToStep(0.123456, 0.0001)).toBe(0.1235);
    expect(roundToStep(97_012.4, 0.5)).toBe(97_012.5);
    expect(roundToStep(0.001, 0.01)).toBe(0.001);
  });
});

describe('hit-testing', () => {
  const trend: ScreenShape = { kind: 'trend', from: { x: 0, y: 0 }, to: { x: 100, y: 100 } };

  it('measures the distance to a segment, past its ends to the nearest end', () => {
    expect(segmentDistance({ x: 0, y: 10 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(10);
    expect(segmentDistance({ x: 13, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
  });

  it('finds a trend line by its ends and its body, and misses beside it', () => {
    expect(hitShape(trend, { x: 2, y: 1 }, 5)).toBe('from');
    expect(hitShape(trend, { x: 99, y: 102 }, 5)).toBe('to');
    expect(hitShape(trend, { x: 50, y: 53 }, 5)).toBe('body');
    expect(hitShape(trend, { x: 50, y: 60 }, 5)).toBeUndefined();
    expect(hitShape(trend, { x: 110, y: 110 }, 5)).toBeUndefined(); // a segment, not a line
  });

  it('finds horizontal lines and rays, rectangles and notes', () => {
    expect(hitShape({ kind: 'hline', y: 50 }, { x: -500, y: 53 }, 4)).toBe('body');
    const ray: ScreenShape = { kind: 'hray', at: { x: 100, y: 50 } };
    expect(hitShape(ray, { x: 400, y: 52 }, 4)).toBe('body');
    expect(hitShape(ray, { x: 50, y: 50 }, 4)).toBeUndefined(); // left of where it starts
    const rect: ScreenShape = { kind: 'rect', from: { x: 100, y: 80 }, to: { x: 10, y: 20 } };
    expect(hitShape(rect, { x: 50, y: 50 }, 4)).toBe('body');
    expect(hitShape(rect, { x: 11, y: 21 }, 4)).toBe('to');
    expect(hitShape(rect, { x: 120, y: 50 }, 4)).toBeUndefined();
    const note: ScreenShape = { kind: 'text', at: { x: 10, y: 40 }, width: 60, height: 14 };
    expect(hitShape(note, { x: 60, y: 30 }, 2)).toBe('body');
    expect(hitShape(note, { x: 60, y: 10 }, 2)).toBeUndefined();
  });

  it('takes the topmost drawing, and an anchor before a body', () => {
    const shapes = [
      { id: 1, shape: { kind: 'hline', y: 50 } as ScreenShape },
      { id: 2, shape: { kind: 'hline', y: 51 } as ScreenShape },
      { id: 3, shape: { kind: 'trend', from: { x: 300, y: 0 }, to: { x: 200, y: 50 } } as ScreenShape },
    ];
    expect(hitTest(shapes, { x: 0, y: 50 }, 3)).toEqual({ id: 2, part: 'body' });
    expect(hitTest(shapes, { x: 201, y: 50 }, 3)).toEqual({ id: 3, part: 'to' });
    expect(hitTest(shapes, { x: 0, y: 200 }, 3)).toBeUndefined();
  });
});

describe('dragging', () => {
  const a = { time: t0, price: 100 };
  const b = { time: t0 + 10 * MIN, price: 120 };

  it('moves a body by the pointer travel and an anchor to the pointer', () => {
    const trend = newShape('trend', a, b);
    expect(dragShape(trend, 'body', { time: t0, price: 110 }, { time: t0 + MIN, price: 115 })).toEqual({
      kind: 'trend',
      from: { time: t0 + MIN, price: 105 },
      to: { time: t0 + 11 * MIN, price: 125 },
    });
    expect(dragShape(trend, 'to', b, { time: t0 + 20 * MIN, price: 90 })).toEqual({
      kind: 'trend',
      from: a,
      to: { time: t0 + 20 * MIN, price: 90 },
    });
    expect(dragShape(newShape('hline', a, a), 'body', a, { time: t0 + 5 * MIN, price: 103 })).toEqual({
      kind: 'hline',
      price: 103,
      alert: false,
    });
  });

  it('refuses a move that would take a price to zero or below', () => {
    expect(dragShape(newShape('rect', a, b), 'body', b, { time: t0, price: 10 })).toBeUndefined();
  });
});

describe('the synced crosshair', () => {
  it('lands on the candle holding the moment: the last one starting at or before it', () => {
    const hourly = [0, 60, 120, 240].map((m) => ({ time: t0 + m * MIN, open: 1, high: 1, low: 1, close: m, volume: 1, confirmed: true }));
    expect(candleHolding(hourly, t0 + 59 * MIN)?.close).toBe(0);
    expect(candleHolding(hourly, t0 + 60 * MIN)?.close).toBe(60);
    expect(candleHolding(hourly, t0 + 200 * MIN)?.close).toBe(120); // in a break: the candle before it
    expect(candleHolding(hourly, t0 + 10_000 * MIN)?.close).toBe(240);
    expect(candleHolding(hourly, t0 - 1)).toBeUndefined();
    expect(candleHolding([], t0)).toBeUndefined();
  });
});
