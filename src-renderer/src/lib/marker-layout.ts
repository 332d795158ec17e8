/**
 * Which signal markers the chart draws at the current zoom: markers closer than an arrow's width on
 * the same side of the bars collapse into the most confident of them (the selected one always wins),
 * and only markers a label's width apart keep their label, so neither arrows nor labels overlap. Labels
 * are spaced across both sides: a buy's label under one candle can sit level with a sell's above another.
 */
import type { SeriesMarker, Time } from 'lightweight-charts';

/** A signal's marker before layout, with what layout needs to choose between markers. */
export interface SignalMarker {
  marker: SeriesMarker<Time>;
  /** The call's probability: the most confident marker of a cluster represents it. */
  confidence: number;
  /** The label it shows when there is room, e.g. "BUY 54%". */
  label: string;
}

/** Closest two markers on one side may be, in CSS pixels, before they collapse into one. */
export const MARKER_GAP_PX = 12;
/** Room a label needs, in CSS pixels ("SELL 94% +12" at the chart's font): labels closer would overlap. */
export const LABEL_GAP_PX = 84;

export interface PlacedMarker {
  marker: SeriesMarker<Time>;
  /** Markers it stands for, itself included. */
  count: number;
}

/**
 * Lays out markers given each one's bar index (undefined: not on the chart, left out) and the space
 * between bars in CSS pixels. Returns the markers to draw in time order.
 */
export function layoutMarkers(
  markers: readonly SignalMarker[],
  barIndex: (marker: SignalMarker) => number | undefined,
  barSpacing: number,
  selectedId?: string,
): PlacedMarker[] {
  const spacing = Math.max(barSpacing, 1e-6);
  const placed: { x: number; source: SignalMarker; count: number }[] = [];
  for (const side of ['aboveBar', 'belowBar'] as const) {
    const onSide = markers
      .filter((m) => m.marker.position === side)
      .flatMap((m) => {
        const index = barIndex(m);
        return index === undefined ? [] : [{ x: index * spacing, source: m }];
      })
      .sort((a, b) => a.x - b.x);
    // Clusters: runs of markers each within MARKER_GAP_PX of the run's first.
    const clusters: { x: number; source: SignalMarker; count: number }[] = [];
    let start = Number.NEGATIVE_INFINITY;
    for (const m of onSide) {
      const last = clusters.at(-1);
      if (last === undefined || m.x - start >= MARKER_GAP_PX) {
        start = m.x;
        clusters.push({ x: m.x, source: m.source, count: 1 });
        continue;
      }
      last.count += 1;
      if (outranks(m.source, last.source, selectedId)) {
        last.source = m.source;
        last.x = m.x;
      }
    }
    // Representatives may still sit closer than a gap (the chosen one moved to the run's end): keep the stronger.
    const spaced: typeof clusters = [];
    for (const c of clusters) {
      const last = spaced.at(-1);
      if (last === undefined || c.x - last.x >= MARKER_GAP_PX) spaced.push(c);
      else {
        const [keep, drop] = outranks(c.source, last.source, selectedId) ? [c, last] : [last, c];
        spaced[spaced.length - 1] = { ...keep, count: keep.count + drop.count };
      }
    }
    placed.push(...spaced);
  }
  return labelled(
    placed.sort((a, b) => a.x - b.x),
    selectedId,
  ).map((p) => ({ marker: p.source.marker, count: p.count }));
}

function outranks(a: SignalMarker, b: SignalMarker, selectedId: string | undefined): boolean {
  if (b.marker.id === selectedId) return false;
  return a.marker.id === selectedId || a.confidence > b.confidence;
}

/** Gives labels to the selected and then the most confident markers that have a label's room. */
function labelled(
  clusters: readonly { x: number; source: SignalMarker; count: number }[],
  selectedId: string | undefined,
): { x: number; source: SignalMarker; count: number }[] {
  // Ties go to the earlier marker: the order does not change as markers arrive.
  const byRank = [...clusters].sort((a, b) =>
    outranks(a.source, b.source, selectedId) ? -1 : outranks(b.source, a.source, selectedId) ? 1 : 0,
  );
  const labelledAt: number[] = [];
  const withLabel = new Set<SignalMarker>();
  for (const c of byRank) {
    if (labelledAt.some((x) => Math.abs(x - c.x) < LABEL_GAP_PX)) continue;
    labelledAt.push(c.x);
    withLabel.add(c.source);
  }
  return clusters.map((c) => {
    const text = withLabel.has(c.source) ? (c.count > 1 ? `${c.source.label} +${c.count - 1}` : c.source.label) : '';
    const selected = c.source.marker.id === selectedId;
    return { ...c, source: { ...c.source, marker: { ...c.source.marker, text, ...(selected ? { size: 2 } : {}) } } };
  });
}
