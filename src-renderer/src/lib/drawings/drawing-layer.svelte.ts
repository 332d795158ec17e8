/**
 * One chart's drawings: loaded for the stream it shows, painted by a DrawingsPrimitive on its candle
 * series, drawn, selected and dragged with the mouse (a press that lands on a drawing, or with a tool in
 * hand, never reaches the chart, so it does not pan), and saved to the store after each change.
 */
import type { Drawing, DrawingPointValue, DrawingShapeValue } from '../../../../src-shared/domain/drawings';
import { intervalMs } from '../../../../src-shared/domain/intervals';
import type { StreamKeyValue } from '../../../../src-shared/domain/market';
import type { Bridge } from '../bridge';
import type { ChartSurface } from '../state/chart-surface';
import type { DrawingTarget, DrawingTools } from '../state/drawing-tools.svelte';
import { sameStream } from '../state/stream-choice';
import { DrawingsPrimitive, type ShownDrawing } from './drawings-primitive';
import {
  dragShape,
  hitTest,
  newShape,
  roundToStep,
  snapPrice,
  timeOfBar,
  TWO_POINT_KINDS,
  type DrawingPart,
  type ScreenPoint,
} from './geometry';

/** How near (CSS px) the pointer must be to grab a drawing. */
const HIT_TOLERANCE = 6;
/** How near (CSS px) an open, high, low or close must be for the magnet to take it. */
const MAGNET_RADIUS = 16;
/** A press and release closer than this (px) is a click: a two-point drawing then follows the pointer until the next click. */
const CLICK_TRAVEL = 3;

type Gesture =
  | { kind: 'create'; shape: DrawingShapeValue; from: DrawingPointValue; pressedAt: ScreenPoint; released: boolean }
  | { kind: 'drag'; drawing: Drawing; part: DrawingPart; start: DrawingPointValue; shape: DrawingShapeValue };

export interface DrawingLayerOptions {
  bridge: Bridge;
  tools: DrawingTools;
  surface: () => ChartSurface | undefined;
  stream: () => StreamKeyValue | undefined;
  fail: (err: unknown) => void;
}

export class DrawingLayer implements DrawingTarget {
  drawings: Drawing[] = $state.raw([]);
  /** The note being written (a new one at `at`, or an edited one), where its box sits on screen. */
  note: { at: DrawingPointValue; screen: ScreenPoint; editing?: Drawing; text: string } | undefined = $state();
  #gesture: Gesture | undefined;
  #primitive: DrawingsPrimitive | undefined;
  #loadedFor: StreamKeyValue | undefined;
  readonly #o: DrawingLayerOptions;

  /** Construct during a component's initialisation: it follows the chart and its stream. */
  constructor(options: DrawingLayerOptions) {
    this.#o = options;
    $effect(() => {
      const key = options.stream();
      if (key === undefined) return;
      this.#load(key).catch(options.fail);
    });
    $effect(() => {
      const surface = options.surface();
      if (surface === undefined) return;
      return this.#attach(surface);
    });
    $effect(() => {
      // Paint again when the drawings or the selection change.
      void this.drawings;
      void options.tools.selection;
      this.#primitive?.redraw();
    });
    $effect(() =>
      options.bridge.subscribe('drawing.alert', ({ drawing, candle }) => {
        if (!sameStream(drawing, this.#loadedFor)) return;
        this.#replace(drawing);
        options.tools.notice = `Price alert: ${drawing.symbol} touched ${drawing.shape.kind === 'hline' ? drawing.shape.price : ''} (candle high ${candle.high}, low ${candle.low})`;
      }),
    );
  }

  find(id: number): Drawing | undefined {
    return this.drawings.find((d) => d.id === id);
  }

  /** Shows the change at once (a Delete straight after an unlock must see it unlocked) and stores it; a refusal puts it back. */
  async update(drawing: Drawing, change: Partial<Pick<Drawing, 'shape' | 'locked'>>): Promise<void> {
    const changed = { ...drawing, ...change };
    this.#replace(changed);
    try {
      this.#replace(
        await this.#o.bridge.invoke('drawings.save', {
          ...this.#keyOf(drawing),
          id: drawing.id,
          shape: changed.shape,
          locked: changed.locked,
        }),
      );
    } catch (err) {
      this.#replace(drawing);
      throw err;
    }
  }

  async remove(drawing: Drawing): Promise<void> {
    await this.#o.bridge.invoke('drawings.remove', { id: drawing.id });
    this.drawings = this.drawings.filter((d) => d.id !== drawing.id);
  }

  /** Stores the note being written (an empty text drops it). */
  async commitNote(text: string): Promise<void> {
    const note = this.note;
    this.note = undefined;
    const trimmed = text.trim();
    if (note === undefined || trimmed === '') return;
    if (note.editing !== undefined) return this.update(note.editing, { shape: { kind: 'text', at: note.at, text: trimmed } });
    await this.#create({ kind: 'text', at: note.at, text: trimmed });
  }

  #keyOf(key: StreamKeyValue): StreamKeyValue {
    return { exchange: key.exchange, category: key.category, symbol: key.symbol, interval: key.interval };
  }

  async #load(key: StreamKeyValue): Promise<void> {
    this.#loadedFor = undefined;
    this.drawings = [];
    const listed = await this.#o.bridge.invoke('drawings.list', this.#keyOf(key));
    if (!sameStream(key, this.#o.stream())) return;
    this.#loadedFor = key;
    this.drawings = listed;
  }

  #replace(drawing: Drawing): void {
    this.drawings = this.drawings.some((d) => d.id === drawing.id)
      ? this.drawings.map((d) => (d.id === drawing.id ? drawing : d))
      : [...this.drawings, drawing];
  }

  async #create(shape: DrawingShapeValue): Promise<void> {
    const key = this.#loadedFor;
    if (key === undefined) return;
    const saved = await this.#o.bridge.invoke('drawings.save', { ...this.#keyOf(key), shape });
    if (sameStream(key, this.#loadedFor)) this.#replace(saved);
    this.#o.tools.select(this, saved.id);
  }

  #stepMs(): number {
    const interval = this.#loadedFor?.interval ?? '1';
    return interval === 'M' ? intervalMs('D') * 30 : intervalMs(interval);
  }

  /** What is painted: the stored drawings, with the one being drawn or dragged in its new place. */
  #shown(): { drawings: ShownDrawing[]; selectedId: number | undefined } {
    const gesture = this.#gesture;
    const drawings: ShownDrawing[] = this.drawings.map((d) =>
      gesture?.kind === 'drag' && gesture.drawing.id === d.id ? { ...d, shape: gesture.shape } : d,
    );
    if (gesture?.kind === 'create') drawings.push({ id: 0, shape: gesture.shape, locked: false });
    return { drawings, selectedId: gesture?.kind === 'create' ? 0 : this.#o.tools.selection?.id };
  }

  #attach(surface: ChartSurface): () => void {
    const primitive = new DrawingsPrimitive(
      surface,
      () => this.#shown(),
      () => this.#stepMs(),
    );
    surface.series.attachPrimitive(primitive);
    this.#primitive = primitive;
    const element = surface.element;
    const pointOf = (event: MouseEvent): ScreenPoint => {
      const box = element.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    };
    const valueAt = (p: ScreenPoint): DrawingPointValue | undefined => {
      const logical = surface.chart.timeScale().coordinateToLogical(p.x);
      const raw = surface.series.coordinateToPrice(p.y);
      if (logical === null || raw === null || raw <= 0) return undefined;
      const bar = Math.round(logical) + surface.shownFrom();
      const candles = surface.candles();
      const snapped = this.#o.tools.magnet
        ? snapPrice(raw, p.y, candles[bar], (value) => surface.series.priceToCoordinate(value), MAGNET_RADIUS)
        : raw;
      // A price between the candles' own is rounded to the price scale's step, as the scale shows prices.
      const { minMove } = surface.series.options().priceFormat as { minMove?: number };
      const price = snapped === raw ? roundToStep(raw, minMove ?? 0.01) : snapped;
      return { time: timeOfBar(candles, bar, this.#stepMs()), price };
    };
    const inPricePane = (p: ScreenPoint) =>
      p.x >= 0 && p.x <= surface.chart.timeScale().width() && p.y >= 0 && p.y <= (surface.chart.panes()[0]?.getHeight() ?? 0);
    const take = (event: Event) => {
      event.stopPropagation();
      event.preventDefault();
    };

    const onDown = (event: MouseEvent): void => {
      if (event.button !== 0 || this.#loadedFor === undefined) return;
      const p = pointOf(event);
      if (!inPricePane(p)) return;
      const gesture = this.#gesture;
      if (gesture?.kind === 'create' && gesture.released) {
        // The second click of a two-point drawing.
        take(event);
        this.#finish();
        return;
      }
      const tool = this.#o.tools.tool;
      if (tool !== undefined) {
        take(event);
        const at = valueAt(p);
        if (at === undefined) return;
        if (tool === 'text') {
          this.note = { at, screen: p, text: '' };
          this.#o.tools.tool = undefined;
        } else if (TWO_POINT_KINDS.has(tool)) {
          this.#gesture = { kind: 'create', shape: newShape(tool, at, at), from: at, pressedAt: p, released: false };
          primitive.redraw();
        } else {
          this.#o.tools.tool = undefined;
          this.#create(newShape(tool, at, at)).catch(this.#o.fail);
        }
        return;
      }
      const hit = hitTest(
        this.drawings.flatMap((d) => {
          const shape = primitive.project(d.shape);
          return shape === undefined ? [] : [{ id: d.id, shape }];
        }),
        p,
        HIT_TOLERANCE,
      );
      if (hit === undefined) return this.#o.tools.deselect(this);
      take(event);
      this.#o.tools.select(this, hit.id);
      const drawing = this.find(hit.id);
      const start = valueAt(p);
      if (drawing !== undefined && !drawing.locked && start !== undefined) {
        this.#gesture = { kind: 'drag', drawing, part: hit.part, start, shape: drawing.shape };
      }
    };

    const onMove = (event: MouseEvent): void => {
      const gesture = this.#gesture;
      if (gesture === undefined) return;
      const at = valueAt(pointOf(event));
      if (at === undefined) return;
      if (gesture.kind === 'create') gesture.shape = newShape(gesture.shape.kind, gesture.from, at);
      else gesture.shape = dragShape(gesture.drawing.shape, gesture.part, gesture.start, at) ?? gesture.shape;
      primitive.redraw();
    };

    const onUp = (event: MouseEvent): void => {
      const gesture = this.#gesture;
      if (gesture === undefined) return;
      const p = pointOf(event);
      if (
        gesture.kind === 'create' &&
        !gesture.released &&
        Math.hypot(p.x - gesture.pressedAt.x, p.y - gesture.pressedAt.y) < CLICK_TRAVEL
      ) {
        gesture.released = true; // a click: the second point follows the pointer until the next click
        return;
      }
      this.#finish();
    };

    const onDoubleClick = (event: MouseEvent): void => {
      const p = pointOf(event);
      const hit = hitTest(
        this.drawings.flatMap((d) => {
          const shape = d.shape.kind === 'text' ? primitive.project(d.shape) : undefined;
          return shape === undefined ? [] : [{ id: d.id, shape }];
        }),
        p,
        HIT_TOLERANCE,
      );
      const drawing = hit && this.find(hit.id);
      if (drawing?.shape.kind !== 'text' || drawing.locked) return;
      take(event);
      const screen = primitive.toScreen(drawing.shape.at.time, drawing.shape.at.price) ?? p;
      this.note = { at: drawing.shape.at, screen, editing: drawing, text: drawing.shape.text };
    };

    element.addEventListener('mousedown', onDown, true);
    element.addEventListener('dblclick', onDoubleClick, true);
    window.addEventListener('mousemove', onMove);
    window.addEventListener('mouseup', onUp);
    return () => {
      element.removeEventListener('mousedown', onDown, true);
      element.removeEventListener('dblclick', onDoubleClick, true);
      window.removeEventListener('mousemove', onMove);
      window.removeEventListener('mouseup', onUp);
      if (!surface.isRemoved()) surface.series.detachPrimitive(primitive);
      this.#primitive = undefined;
    };
  }

  /** Ends the gesture: a new drawing is stored, a dragged one saved where it was left. */
  #finish(): void {
    const gesture = this.#gesture;
    this.#gesture = undefined;
    this.#primitive?.redraw();
    if (gesture === undefined) return;
    if (gesture.kind === 'create') {
      this.#o.tools.tool = undefined;
      this.#create(gesture.shape).catch(this.#o.fail);
    } else if (JSON.stringify(gesture.shape) !== JSON.stringify(gesture.drawing.shape)) {
      this.update(gesture.drawing, { shape: gesture.shape }).catch(this.#o.fail);
    }
  }
}
