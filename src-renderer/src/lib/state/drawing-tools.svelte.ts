/**
 * The drawing tools, shared by every chart of the layout: the tool in hand, the OHLC magnet, the selected
 * drawing (on whichever chart) and what the selection's actions (lock, alert, delete) do to it.
 */
import type { Drawing, DrawingKind } from '../../../../src-shared/domain/drawings';

/** What a chart's drawing layer does for the tools. */
export interface DrawingTarget {
  find(id: number): Drawing | undefined;
  update(drawing: Drawing, change: Partial<Pick<Drawing, 'shape' | 'locked'>>): Promise<void>;
  remove(drawing: Drawing): Promise<void>;
}

export const TOOL_LABELS: Record<DrawingKind, string> = {
  hline: 'Horizontal line',
  hray: 'Horizontal ray',
  trend: 'Trend line',
  rect: 'Rectangle',
  text: 'Text note',
};

export class DrawingTools {
  /** The kind the next press on a chart draws; undefined selects and drags instead. */
  tool: DrawingKind | undefined = $state();
  /** Snap anchors to the nearest open, high, low or close. */
  magnet = $state(true);
  selection: { target: DrawingTarget; id: number } | undefined = $state();
  /** The last price alert that fired, in words. */
  notice = $state('');
  readonly selected = $derived(this.selection?.target.find(this.selection.id));

  constructor(private readonly fail: (err: unknown) => void) {}

  pick(kind: DrawingKind): void {
    this.tool = this.tool === kind ? undefined : kind;
    this.selection = undefined;
  }

  /** Puts the tool down and drops the selection (Escape). */
  cancel(): void {
    this.tool = undefined;
    this.selection = undefined;
  }

  select(target: DrawingTarget, id: number): void {
    this.selection = { target, id };
  }

  /** Clears the selection if it is on this chart (a press on an empty part of it). */
  deselect(target: DrawingTarget): void {
    if (this.selection?.target === target) this.selection = undefined;
  }

  toggleLock(): void {
    const drawing = this.selected;
    if (drawing !== undefined) this.selection?.target.update(drawing, { locked: !drawing.locked }).catch(this.fail);
  }

  /** A horizontal line becomes a price alert, or stops being one. */
  toggleAlert(): void {
    const drawing = this.selected;
    if (drawing?.shape.kind !== 'hline') return;
    this.selection?.target.update(drawing, { shape: { ...drawing.shape, alert: !drawing.shape.alert } }).catch(this.fail);
  }

  deleteSelected(): void {
    const drawing = this.selected;
    const target = this.selection?.target;
    if (drawing === undefined || target === undefined) return;
    if (drawing.locked) return this.fail(new Error('the drawing is locked: unlock it (k) to delete it'));
    this.selection = undefined;
    target.remove(drawing).catch(this.fail);
  }
}
