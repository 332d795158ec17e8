/**
 * A lightweight-charts series primitive that paints a chart's drawings over the candles, in the plugin
 * shape of the heatmap (primitive → pane view → renderer): the view projects each drawing to the screen in
 * `update()` (called on every viewport change), the renderer only paints, and price-axis labels name the
 * price of each horizontal line and ray. The same projection serves hit-testing.
 */
import { AttachedPrimitive } from '../attached-primitive';
import type { IPrimitivePaneRenderer, IPrimitivePaneView, ISeriesPrimitiveAxisView } from 'lightweight-charts';
import type { DrawingShapeValue } from '../../../../src-shared/domain/drawings';
import type { ChartSurface } from '../state/chart-surface';
import { barOfTime, type ScreenPoint, type ScreenShape } from './geometry';

/** A drawing as the layer holds it: a stored one has a positive id, the one being drawn id 0. */
export interface ShownDrawing {
  id: number;
  shape: DrawingShapeValue;
  locked: boolean;
}

export const DRAWING_COLOUR = '#2962ff';
const ALERT_COLOUR = '#ff9800';
const RECT_FILL = 'rgba(41, 98, 255, 0.14)';
export const NOTE_FONT = '12px system-ui, sans-serif';
const NOTE_PADDING = 5;
const NOTE_HEIGHT = 20;

let measuring: CanvasRenderingContext2D | null | undefined;
/** A note's box width in CSS px. */
export function noteWidth(text: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (measuring === null) return text.length * 7 + 2 * NOTE_PADDING;
  measuring.font = NOTE_FONT;
  return measuring.measureText(text).width + 2 * NOTE_PADDING;
}

interface Painted {
  drawing: ShownDrawing;
  screen: ScreenShape;
  selected: boolean;
}

class DrawingsRenderer implements IPrimitivePaneRenderer {
  constructor(private readonly painted: readonly Painted[]) {}

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    target.useMediaCoordinateSpace(({ context, mediaSize }) => {
      for (const { drawing, screen, selected } of this.painted) {
        const alert = drawing.shape.kind === 'hline' && drawing.shape.alert;
        context.strokeStyle = alert ? ALERT_COLOUR : DRAWING_COLOUR;
        context.lineWidth = selected ? 2 : 1.5;
        context.setLineDash(alert ? [6, 4] : []);
        const anchors: ScreenPoint[] = [];
        context.beginPath();
        switch (screen.kind) {
          case 'hline':
            context.moveTo(0, screen.y);
            context.lineTo(mediaSize.width, screen.y);
            break;
          case 'hray':
            context.moveTo(screen.at.x, screen.at.y);
            context.lineTo(mediaSize.width, screen.at.y);
            anchors.push(screen.at);
            break;
          case 'trend':
            context.moveTo(screen.from.x, screen.from.y);
            context.lineTo(screen.to.x, screen.to.y);
            anchors.push(screen.from, screen.to);
            break;
          case 'rect': {
            const x = Math.min(screen.from.x, screen.to.x);
            const y = Math.min(screen.from.y, screen.to.y);
            const w = Math.abs(screen.to.x - screen.from.x);
            const h = Math.abs(screen.to.y - screen.from.y);
            context.fillStyle = RECT_FILL;
            context.fillRect(x, y, w, h);
            context.rect(x, y, w, h);
            anchors.push(screen.from, screen.to);
            break;
          }
          case 'text':
            if (drawing.shape.kind !== 'text') break;
            context.fillStyle = DRAWING_COLOUR;
            context.fillRect(screen.at.x, screen.at.y - screen.height, screen.width, screen.height);
            context.fillStyle = '#ffffff';
            context.font = NOTE_FONT;
            context.textBaseline = 'middle';
            context.fillText(drawing.shape.text, screen.at.x + NOTE_PADDING, screen.at.y - screen.height / 2);
            if (selected) context.rect(screen.at.x - 2, screen.at.y - screen.height - 2, screen.width + 4, screen.height + 4);
            break;
        }
        context.stroke();
        context.setLineDash([]);
        if (!selected) continue;
        // Anchors of the selected drawing: filled when it can be dragged, hollow and grey when locked.
        for (const p of anchors) {
          context.beginPath();
          context.arc(p.x, p.y, 4.5, 0, 2 * Math.PI);
          context.fillStyle = drawing.locked ? '#787b86' : '#ffffff';
          context.fill();
          context.lineWidth = 1.5;
          context.strokeStyle = drawing.locked ? '#787b86' : DRAWING_COLOUR;
          context.stroke();
        }
      }
    });
  }
}

class DrawingsPaneView implements IPrimitivePaneView {
  #renderer = new DrawingsRenderer([]);

  constructor(private readonly primitive: DrawingsPrimitive) {}

  update(): void {
    this.#renderer = new DrawingsRenderer(this.primitive.painted());
  }

  zOrder(): 'top' {
    return 'top';
  }

  renderer(): IPrimitivePaneRenderer {
    return this.#renderer;
  }
}

class PriceLabel implements ISeriesPrimitiveAxisView {
  constructor(
    private readonly y: number,
    private readonly label: string,
    private readonly colour: string,
  ) {}

  coordinate(): number {
    return this.y;
  }
  text(): string {
    return this.label;
  }
  textColor(): string {
    return '#ffffff';
  }
  backColor(): string {
    return this.colour;
  }
}

export class DrawingsPrimitive extends AttachedPrimitive {
  #labels: PriceLabel[] = [];
  readonly #paneViews = [new DrawingsPaneView(this)];

  /**
   * @param surface the chart it is drawn on
   * @param shown the drawings to paint, in paint order, and the selected one's id
   * @param stepMs one candle's length, to place times beyond the candles held
   */
  constructor(
    private readonly surface: ChartSurface,
    private readonly shown: () => { drawings: readonly ShownDrawing[]; selectedId: number | undefined },
    private readonly stepMs: () => number,
  ) {
    super();
  }

  /** Paints again (drawings changed, or the selection). */
  redraw(): void {
    this.requestUpdate();
  }

  updateAllViews(): void {
    for (const view of this.#paneViews) view.update();
    this.#labels = this.shown().drawings.flatMap((d) => {
      const price = d.shape.kind === 'hline' ? d.shape.price : d.shape.kind === 'hray' ? d.shape.at.price : undefined;
      const y = price === undefined ? null : this.surface.series.priceToCoordinate(price);
      if (price === undefined || y === null) return [];
      // Written as the price scale writes prices.
      const label = this.surface.series.priceFormatter().format(price);
      return [new PriceLabel(y, label, d.shape.kind === 'hline' && d.shape.alert ? ALERT_COLOUR : DRAWING_COLOUR)];
    });
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.#paneViews;
  }

  priceAxisViews(): readonly ISeriesPrimitiveAxisView[] {
    return this.#labels;
  }

  /** Where a time and price are on screen (CSS px in the price pane); undefined off the price scale. */
  toScreen(time: number, price: number): ScreenPoint | undefined {
    const bar = barOfTime(this.surface.candles(), time, this.stepMs()) - this.surface.shownFrom();
    const x = this.surface.chart.timeScale().logicalToCoordinate(bar as never);
    const y = this.surface.series.priceToCoordinate(price);
    return x === null || y === null ? undefined : { x, y };
  }

  /** A drawing projected to the screen, or undefined when it cannot be placed. */
  project(shape: DrawingShapeValue): ScreenShape | undefined {
    switch (shape.kind) {
      case 'hline': {
        const y = this.surface.series.priceToCoordinate(shape.price);
        return y === null ? undefined : { kind: 'hline', y };
      }
      case 'hray': {
        const at = this.toScreen(shape.at.time, shape.at.price);
        return at && { kind: 'hray', at };
      }
      case 'text': {
        const at = this.toScreen(shape.at.time, shape.at.price);
        return at && { kind: 'text', at, width: noteWidth(shape.text), height: NOTE_HEIGHT };
      }
      case 'trend':
      case 'rect': {
        const from = this.toScreen(shape.from.time, shape.from.price);
        const to = this.toScreen(shape.to.time, shape.to.price);
        return from && to && { kind: shape.kind, from, to };
      }
    }
  }

  /** Every shown drawing as it lies on screen, in paint order. */
  painted(): Painted[] {
    const { drawings, selectedId } = this.shown();
    return drawings.flatMap((drawing) => {
      const screen = this.project(drawing.shape);
      return screen === undefined ? [] : [{ drawing, screen, selected: drawing.id === selectedId }];
    });
  }
}
