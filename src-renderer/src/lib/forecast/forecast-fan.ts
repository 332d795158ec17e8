/**
 * A lightweight-charts series primitive that draws a signal's forecasts ahead of its candle: the range
 * the volatility head expects over the next H candles as a cone (±1σ darker, ±2σ lighter, widening
 * as √h), and the VaR levels as dashed lines across the same H candles, each labelled, with the 1 %
 * level on the price axis. The view computes every coordinate in `update()` (the chart calls it on
 * any viewport change); the renderer only paints. Clicking the cone or a VaR line selects that head.
 */
import { AttachedPrimitive } from '../attached-primitive';
import type {
  AutoscaleInfo,
  IPrimitivePaneRenderer,
  IPrimitivePaneView,
  ISeriesPrimitiveAxisView,
  PrimitiveHoveredItem,
  SeriesAttachedParameter,
  Time,
  UTCTimestamp,
} from 'lightweight-charts';
import type { ForecastHeadName } from '../../../../src-shared/domain/forecast-explanation';
import { STRIP_HEIGHT_PX } from '../heatmap/attention-pane-view';
import { levelText, lowestVarIndex, percent, rangePrice, varLevels, type ForecastAnchor } from './forecast-levels';

/** Violet for the range, apart from the heatmap's blue and the candles' green and red. */
const RANGE_RGB = '171, 71, 188';
const VAR_COLOUR = '#ef5350';
const SELECTED_COLOUR = '#ff9800';
/** Above the heatmap's attention strip at the pane's bottom (heatmap/attention-pane-view's STRIP_HEIGHT_PX), and a gap. */
const PINNED_BOTTOM_PX = STRIP_HEIGHT_PX + 4;
/** The hit id of each drawn forecast: `forecast:<head>`. */
export const FORECAST_HIT_PREFIX = 'forecast:';

/** What was drawn, in CSS pixels: the browser checks read it from `window.candleLensForecast`. */
export interface ForecastDrawn {
  signalId: number;
  /** x of the signal's candle and of the H-th candle after it. */
  fromX: number;
  toX: number;
  /** y of the ±1σ and ±2σ edges at the H-th candle, top (+) and bottom (−). */
  sigma1: { top: number; bottom: number } | null;
  sigma2: { top: number; bottom: number } | null;
  /** y of each VaR level (null when off the pane) with its label. */
  vars: { quantile: number; y: number | null; label: string }[];
}

declare global {
  interface Window {
    candleLensForecast?: { drawn: () => ForecastDrawn | null };
  }
}

interface ConePoint {
  x: number;
  y1top: number;
  y1bottom: number;
  y2top: number;
  y2bottom: number;
}

interface Geometry {
  cone: ConePoint[];
  vars: { y: number; fromX: number; toX: number; label: string; strong: boolean }[];
  /** Where a VaR level lies off the pane: its label pinned at the pane's edge, with an arrow. */
  offPane: { label: string; below: boolean; x: number }[];
  rangeLabel: { x: number; y: number; text: string } | null;
  selected: ForecastHeadName | undefined;
}

class ForecastRenderer implements IPrimitivePaneRenderer {
  constructor(private readonly g: Geometry | null) {}

  draw(target: Parameters<IPrimitivePaneRenderer['draw']>[0]): void {
    const g = this.g;
    if (g === null) return;
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      if (g.cone.length > 1) {
        const band = (top: (p: ConePoint) => number, bottom: (p: ConePoint) => number, alpha: number) => {
          ctx.beginPath();
          g.cone.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, top(p)) : ctx.lineTo(p.x, top(p))));
          for (const p of [...g.cone].reverse()) ctx.lineTo(p.x, bottom(p));
          ctx.closePath();
          ctx.fillStyle = `rgba(${RANGE_RGB}, ${alpha})`;
          ctx.fill();
        };
        band(
          (p) => p.y2top,
          (p) => p.y2bottom,
          0.13,
        );
        band(
          (p) => p.y1top,
          (p) => p.y1bottom,
          0.22,
        );
        const edge = (y: (p: ConePoint) => number, alpha: number) => {
          ctx.beginPath();
          g.cone.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, y(p)) : ctx.lineTo(p.x, y(p))));
          ctx.strokeStyle = g.selected === 'volatility' ? SELECTED_COLOUR : `rgba(${RANGE_RGB}, ${alpha})`;
          ctx.lineWidth = g.selected === 'volatility' ? 1.5 : 1;
          ctx.stroke();
        };
        edge((p) => p.y1top, 0.9);
        edge((p) => p.y1bottom, 0.9);
        edge((p) => p.y2top, 0.5);
        edge((p) => p.y2bottom, 0.5);
      }
      ctx.font = '11px -apple-system, BlinkMacSystemFont, "Segoe UI", sans-serif';
      // Labels end where the cone ends, so the price axis never clips them.
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      if (g.rangeLabel !== null) {
        ctx.fillStyle = `rgba(${RANGE_RGB}, 1)`;
        ctx.fillText(g.rangeLabel.text, g.rangeLabel.x, g.rangeLabel.y);
      }
      const varColour = g.selected === 'var' ? SELECTED_COLOUR : VAR_COLOUR;
      for (const v of g.vars) {
        ctx.beginPath();
        ctx.setLineDash(v.strong ? [6, 4] : [2, 4]);
        ctx.strokeStyle = varColour;
        ctx.lineWidth = v.strong ? 1.5 : 1;
        ctx.moveTo(v.fromX, v.y);
        ctx.lineTo(v.toX, v.y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = varColour;
        ctx.fillText(v.label, v.toX, v.y - 2);
      }
      // A level off the pane keeps its label, pinned at the edge it lies beyond, with an arrow.
      g.offPane.forEach((o, i) => {
        ctx.fillStyle = varColour;
        ctx.textBaseline = o.below ? 'bottom' : 'top';
        const step = 14 * (g.offPane.filter((p, j) => j < i && p.below === o.below).length + 1);
        ctx.fillText(`${o.label} ${o.below ? '↓' : '↑'}`, o.x, o.below ? mediaSize.height - PINNED_BOTTOM_PX - step + 14 : 4 + step - 14);
      });
    });
  }
}

class ForecastPaneView implements IPrimitivePaneView {
  #renderer = new ForecastRenderer(null);
  constructor(private readonly source: ForecastFan) {}

  update(): void {
    this.#renderer = new ForecastRenderer(this.source.geometry());
  }

  zOrder(): 'normal' {
    return 'normal';
  }

  renderer(): IPrimitivePaneRenderer {
    return this.#renderer;
  }
}

/** The 1 % (lowest) VaR level on the price axis, in the lines' red. */
class VarAxisView implements ISeriesPrimitiveAxisView {
  constructor(private readonly source: ForecastFan) {}

  coordinate(): number {
    return this.source.axisLevel()?.y ?? -100;
  }

  text(): string {
    return this.source.axisLevel()?.text ?? '';
  }

  textColor(): string {
    return '#ffffff';
  }

  backColor(): string {
    return VAR_COLOUR;
  }

  visible(): boolean {
    return this.source.axisLevel() !== undefined;
  }
}

export class ForecastFan extends AttachedPrimitive {
  #anchor: ForecastAnchor | undefined;
  #selected: ForecastHeadName | undefined;
  #drawn: ForecastDrawn | null = null;
  readonly #paneViews = [new ForecastPaneView(this)];
  readonly #axisViews = [new VarAxisView(this)];

  /** `holdsView` says whether the user holds the view (hovers the chart, or looks at history): making room ahead then must not scroll it. */
  constructor(private readonly holdsView: () => boolean = () => false) {
    super();
  }

  override attached(param: SeriesAttachedParameter<Time>): void {
    super.attached(param);
    window.candleLensForecast = { drawn: () => this.#drawn };
  }

  updateAllViews(): void {
    for (const view of this.#paneViews) view.update();
  }

  paneViews(): readonly IPrimitivePaneView[] {
    return this.#paneViews;
  }

  priceAxisViews(): readonly ISeriesPrimitiveAxisView[] {
    return this.#axisViews;
  }

  /**
   * The ±2σ range counts in the price scale's fit, so the cone is in view, and so does a VaR level
   * within twice that distance of the close; one farther off (a badly calibrated head) would squash
   * the candles, and keeps its label at the pane's edge instead.
   */
  autoscaleInfo(): AutoscaleInfo | null {
    const a = this.#anchor;
    const volatility = a?.forecasts.volatility;
    if (a === undefined || volatility === undefined) return null;
    const low = rangePrice(a, volatility, a.horizon, -2);
    const high = rangePrice(a, volatility, a.horizon, 2);
    const near = varLevels(a)
      .map((v) => v.price)
      .filter((price) => price >= a.close - 2 * (a.close - low) && price <= a.close + 2 * (high - a.close));
    return { priceRange: { minValue: Math.min(low, ...near), maxValue: Math.max(high, ...near) } };
  }

  /** Shows `anchor`'s forecasts (none when undefined), the `selected` head outlined. */
  show(anchor: ForecastAnchor | undefined, selected: ForecastHeadName | undefined): void {
    const horizonChanged = anchor?.horizon !== this.#anchor?.horizon;
    this.#anchor = anchor;
    this.#selected = selected;
    // Room right of the last candle for the H candles ahead (set once per horizon, so the view does not jump on each signal).
    // lightweight-charts scrolls to the new offset: a view the user holds is put back where it was, and gets the room when it follows the live edge again.
    const timeScale = this.chart?.timeScale();
    if (horizonChanged && anchor !== undefined && timeScale !== undefined) {
      const held = this.holdsView() ? timeScale.getVisibleLogicalRange() : null;
      timeScale.applyOptions({ rightOffset: anchor.horizon + 6 });
      if (held !== null) timeScale.setVisibleLogicalRange(held);
    }
    this.requestUpdate();
  }

  /** The forecast head drawn at a point of the pane, if any (lightweight-charts' hit test, CSS px). */
  hitTest(x: number, y: number): PrimitiveHoveredItem | null {
    const g = this.geometry();
    if (g === null) return null;
    for (const v of g.vars)
      if (x >= v.fromX && x <= v.toX + 60 && Math.abs(y - v.y) <= 4)
        return { externalId: `${FORECAST_HIT_PREFIX}var`, zOrder: 'normal', cursorStyle: 'pointer', hitTestPriority: 1 };
    const first = g.cone[0];
    const last = g.cone.at(-1);
    if (first !== undefined && last !== undefined && x >= first.x && x <= last.x) {
      const t = (x - first.x) / Math.max(1, last.x - first.x);
      const top = first.y2top + (last.y2top - first.y2top) * Math.sqrt(t);
      const bottom = first.y2bottom + (last.y2bottom - first.y2bottom) * Math.sqrt(t);
      if (y >= top - 2 && y <= bottom + 2)
        return { externalId: `${FORECAST_HIT_PREFIX}volatility`, zOrder: 'normal', cursorStyle: 'pointer', hitTestPriority: 0 };
    }
    return null;
  }

  axisLevel(): { y: number; text: string } | undefined {
    const a = this.#anchor;
    const index = a === undefined ? undefined : lowestVarIndex(a.forecasts);
    if (a === undefined || index === undefined) return undefined;
    const level = varLevels(a)[index];
    const y = level === undefined ? null : (this.series?.priceToCoordinate(level.price) ?? null);
    return y === null || level === undefined ? undefined : { y, text: `VaR ${levelText(level.quantile)}` };
  }

  geometry(): Geometry | null {
    const a = this.#anchor;
    const timeScale = this.chart?.timeScale();
    const series = this.series;
    this.#drawn = null;
    if (a === undefined || timeScale === undefined || series === undefined) return null;
    const x0 = timeScale.timeToCoordinate((a.time / 1000) as UTCTimestamp);
    if (x0 === null) return null;
    const spacing = timeScale.options().barSpacing;
    const xAt = (h: number) => x0 + h * spacing;
    const y = (price: number) => series.priceToCoordinate(price);
    const volatility = a.forecasts.volatility;
    const cone: ConePoint[] = [];
    if (volatility !== undefined) {
      for (let h = 0; h <= a.horizon; h++) {
        const [y1top, y1bottom, y2top, y2bottom] = [1, -1, 2, -2].map((k) => y(rangePrice(a, volatility, h, k)));
        if (y1top == null || y1bottom == null || y2top == null || y2bottom == null) return null;
        cone.push({ x: xAt(h), y1top, y1bottom, y2top, y2bottom });
      }
    }
    const paneHeight = this.chart?.panes()[0]?.getHeight() ?? Infinity;
    const strongest = lowestVarIndex(a.forecasts);
    const levels = varLevels(a).map((level, i) => ({
      level,
      y: y(level.price),
      label: `VaR ${levelText(level.quantile)} ${percent(level.change, true)}`,
      strong: i === strongest,
    }));
    const onPane = levels.filter((l) => l.y !== null && l.y >= 0 && l.y <= paneHeight);
    const offPane = levels.filter((l) => !onPane.includes(l));
    const tip = cone.at(-1);
    const rangeLabel =
      tip === undefined || volatility === undefined
        ? null
        : { x: tip.x, y: tip.y2top - 4, text: `±${percent(volatility)} (1σ) over ${a.horizon} candles` };
    this.#drawn = {
      signalId: a.signalId,
      fromX: x0,
      toX: xAt(a.horizon),
      sigma1: tip === undefined ? null : { top: tip.y1top, bottom: tip.y1bottom },
      sigma2: tip === undefined ? null : { top: tip.y2top, bottom: tip.y2bottom },
      vars: levels.map((l) => ({ quantile: l.level.quantile, y: onPane.includes(l) ? l.y : null, label: l.label })),
    };
    return {
      cone,
      vars: onPane.map((l) => ({ y: l.y ?? 0, fromX: x0, toX: xAt(a.horizon), label: l.label, strong: l.strong })),
      offPane: offPane.map((l) => ({ label: `${l.label} off scale`, below: (l.y ?? Infinity) > 0, x: xAt(a.horizon) })),
      rangeLabel,
      selected: this.#selected,
    };
  }
}
