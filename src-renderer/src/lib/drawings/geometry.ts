/**
 * The pure geometry of drawings: candle time ↔ bar position (also between and beyond the candles held),
 * snapping a price to the nearest open, high, low or close, hit-testing shapes on screen, and moving them.
 * No chart and no DOM here, so every rule is unit-tested.
 */
import type { DrawingPointValue, DrawingShapeValue } from '../../../../src-shared/domain/drawings';
import type { Candle } from '../../../../src-shared/domain/market';

/** Bar position (fractional) of a time: between two candles in proportion, before or after them by the interval. */
export function barOfTime(candles: readonly Pick<Candle, 'time'>[], time: number, stepMs: number): number {
  const first = candles[0];
  const last = candles.at(-1);
  if (first === undefined || last === undefined) return 0;
  if (time <= first.time) return (time - first.time) / stepMs;
  if (time >= last.time) return candles.length - 1 + (time - last.time) / stepMs;
  let lo = 0;
  let hi = candles.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((candles[mid]?.time ?? 0) <= time) lo = mid;
    else hi = mid;
  }
  const a = candles[lo]?.time ?? time;
  const b = candles[hi]?.time ?? time;
  return b === a ? lo : lo + (time - a) / (b - a);
}

/** The time at a bar position, the inverse of {@link barOfTime}; whole bars give candle starts. */
export function timeOfBar(candles: readonly Pick<Candle, 'time'>[], bar: number, stepMs: number): number {
  const first = candles[0];
  const last = candles.at(-1);
  if (first === undefined || last === undefined) return 0;
  if (bar <= 0) return Math.round(first.time + bar * stepMs);
  if (bar >= candles.length - 1) return Math.round(last.time + (bar - (candles.length - 1)) * stepMs);
  const lo = Math.floor(bar);
  const a = candles[lo]?.time ?? 0;
  const b = candles[lo + 1]?.time ?? a;
  return Math.round(a + (bar - lo) * (b - a));
}

/**
 * The candle's open, high, low or close nearest the pointer when one lies within `radiusPx` of it on screen
 * (the magnet), else the pointer's own price.
 */
export function snapPrice(
  price: number,
  pointerY: number,
  candle: Pick<Candle, 'open' | 'high' | 'low' | 'close'> | undefined,
  priceToY: (price: number) => number | null,
  radiusPx: number,
): number {
  if (candle === undefined) return price;
  let best = price;
  let bestDistance = Infinity;
  for (const value of [candle.open, candle.high, candle.low, candle.close]) {
    const y = priceToY(value);
    if (y === null) continue;
    const distance = Math.abs(y - pointerY);
    if (distance <= radiusPx && distance < bestDistance) {
      best = value;
      bestDistance = distance;
    }
  }
  return best;
}

/** The price rounded to the price scale's step (0.01, 0.5, …), never to zero or below: then the price itself. */
export function roundToStep(price: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const rounded = Number((Math.round(price / step) * step).toFixed(decimals));
  return rounded > 0 ? rounded : price;
}

export interface ScreenPoint {
  x: number;
  y: number;
}

/** A drawing as it lies on screen (CSS px); a text note carries its box. */
export type ScreenShape =
  | { kind: 'hline'; y: number }
  | { kind: 'hray'; at: ScreenPoint }
  | { kind: 'trend'; from: ScreenPoint; to: ScreenPoint }
  | { kind: 'rect'; from: ScreenPoint; to: ScreenPoint }
  | { kind: 'text'; at: ScreenPoint; width: number; height: number };

/** Which part of a drawing the pointer is on: an anchor (dragged alone) or the body (moves the whole). */
export type DrawingPart = 'body' | 'from' | 'to';

/** Distance from a point to the segment a–b. */
export function segmentDistance(p: ScreenPoint, a: ScreenPoint, b: ScreenPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

const near = (p: ScreenPoint, q: ScreenPoint, tolerance: number) => Math.hypot(p.x - q.x, p.y - q.y) <= tolerance;

/** The part of the shape under the pointer, within `tolerance` px, or undefined when the pointer misses it. */
export function hitShape(shape: ScreenShape, p: ScreenPoint, tolerance: number): DrawingPart | undefined {
  switch (shape.kind) {
    case 'hline':
      return Math.abs(p.y - shape.y) <= tolerance ? 'body' : undefined;
    case 'hray':
      if (near(p, shape.at, tolerance)) return 'from';
      return p.x >= shape.at.x - tolerance && Math.abs(p.y - shape.at.y) <= tolerance ? 'body' : undefined;
    case 'trend':
      if (near(p, shape.from, tolerance)) return 'from';
      if (near(p, shape.to, tolerance)) return 'to';
      return segmentDistance(p, shape.from, shape.to) <= tolerance ? 'body' : undefined;
    case 'rect': {
      if (near(p, shape.from, tolerance)) return 'from';
      if (near(p, shape.to, tolerance)) return 'to';
      const left = Math.min(shape.from.x, shape.to.x) - tolerance;
      const right = Math.max(shape.from.x, shape.to.x) + tolerance;
      const top = Math.min(shape.from.y, shape.to.y) - tolerance;
      const bottom = Math.max(shape.from.y, shape.to.y) + tolerance;
      return p.x >= left && p.x <= right && p.y >= top && p.y <= bottom ? 'body' : undefined;
    }
    case 'text':
      return p.x >= shape.at.x - tolerance &&
        p.x <= shape.at.x + shape.width + tolerance &&
        p.y >= shape.at.y - shape.height - tolerance &&
        p.y <= shape.at.y + tolerance
        ? 'body'
        : undefined;
  }
}

/**
 * The topmost drawing under the pointer (the last drawn wins, as it is painted over the others), with the
 * part hit; anchors win over bodies so an end stays grabbable where shapes overlap.
 */
export function hitTest<Id>(
  shapes: readonly { id: Id; shape: ScreenShape }[],
  p: ScreenPoint,
  tolerance: number,
): { id: Id; part: DrawingPart } | undefined {
  let body: { id: Id; part: DrawingPart } | undefined;
  for (let i = shapes.length - 1; i >= 0; i--) {
    const entry = shapes[i];
    if (entry === undefined) continue;
    const part = hitShape(entry.shape, p, tolerance);
    if (part !== undefined && part !== 'body') return { id: entry.id, part };
    if (part === 'body') body ??= { id: entry.id, part };
  }
  return body;
}

const shifted = (p: DrawingPointValue, dTime: number, dPrice: number): DrawingPointValue => ({
  time: Math.max(0, Math.round(p.time + dTime)),
  price: p.price + dPrice,
});

/**
 * The shape with one part dragged: an anchor goes to `to` (already snapped), the body moves by the
 * pointer's travel in time and price. Undefined when the result would leave the chart's prices (≤ 0).
 */
export function dragShape(
  shape: DrawingShapeValue,
  part: DrawingPart,
  start: DrawingPointValue,
  to: DrawingPointValue,
): DrawingShapeValue | undefined {
  const dTime = to.time - start.time;
  const dPrice = to.price - start.price;
  const moved = ((): DrawingShapeValue => {
    switch (shape.kind) {
      case 'hline':
        return { ...shape, price: part === 'body' ? shape.price + dPrice : to.price };
      case 'hray':
      case 'text':
        return { ...shape, at: part === 'body' ? shifted(shape.at, dTime, dPrice) : to };
      case 'trend':
      case 'rect':
        if (part === 'from') return { ...shape, from: to };
        if (part === 'to') return { ...shape, to };
        return { ...shape, from: shifted(shape.from, dTime, dPrice), to: shifted(shape.to, dTime, dPrice) };
    }
  })();
  return shapePrices(moved).every((price) => Number.isFinite(price) && price > 0) ? moved : undefined;
}

/** Every price a shape holds. */
export function shapePrices(shape: DrawingShapeValue): number[] {
  switch (shape.kind) {
    case 'hline':
      return [shape.price];
    case 'hray':
    case 'text':
      return [shape.at.price];
    case 'trend':
    case 'rect':
      return [shape.from.price, shape.to.price];
  }
}

/** A new shape of a kind from the two points the user gave (one point kinds use the first). */
export function newShape(kind: DrawingShapeValue['kind'], from: DrawingPointValue, to: DrawingPointValue, text = ''): DrawingShapeValue {
  switch (kind) {
    case 'hline':
      return { kind, price: from.price, alert: false };
    case 'hray':
      return { kind, at: from };
    case 'text':
      return { kind, at: from, text };
    case 'trend':
    case 'rect':
      return { kind, from, to };
  }
}

/** Kinds drawn with a press, a drag and a release (two points); the others take one click. */
export const TWO_POINT_KINDS: ReadonlySet<DrawingShapeValue['kind']> = new Set(['trend', 'rect']);
