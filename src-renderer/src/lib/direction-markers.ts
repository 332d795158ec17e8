/**
 * Which direction markers have earned their place (pure): a marker shows when its call clears the
 * confidence threshold and its model's direction head beats its baselines on its own test report
 * (or the user shows unproven models' calls too); the selected signal's marker always shows.
 */
import type { Signal } from '../../../src-shared/domain/signal';
import type { SignalMarker } from './marker-layout';
import { FORMING_MARKER_ID } from './signals';

export interface MarkerRules {
  minConfidence: number;
  showUnproven: boolean;
  /** Model versions whose direction head clearly beats every baseline of its test report. */
  proven: readonly string[];
  selectedId: string | undefined;
}

/** The models of these signals that have not earned markers, in order of first appearance. */
export function unprovenModels(signals: readonly Signal[], proven: readonly string[]): string[] {
  return [...new Set(signals.map((s) => s.modelVersion))].filter((v) => !proven.includes(v));
}

/** The markers to draw of the stored signals' and the forming one's. */
export function earnedMarkers(
  markers: readonly SignalMarker[],
  stored: readonly Signal[],
  forming: Signal | undefined,
  rules: MarkerRules,
): SignalMarker[] {
  const unproven = rules.showUnproven ? [] : unprovenModels([...stored, ...(forming ? [forming] : [])], rules.proven);
  // The marker ids of unproven models' signals (none to look up when every model has earned its markers).
  const hidden = new Set(
    unproven.length === 0
      ? []
      : [
          ...stored.filter((s) => unproven.includes(s.modelVersion)).map((s) => String(s.id)),
          ...(forming && unproven.includes(forming.modelVersion) ? [FORMING_MARKER_ID] : []),
        ],
  );
  return markers.filter((m) => m.marker.id === rules.selectedId || (m.confidence >= rules.minConfidence && !hidden.has(m.marker.id ?? '')));
}
