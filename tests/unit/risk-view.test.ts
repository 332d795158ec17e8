/**
 * The renderer's pure views of the risk report: VaR breaks placed on a thinned equity line, how
 * figures read, and which direction markers have earned their place.
 */
import { describe, expect, it } from 'vitest';
import type { UTCTimestamp } from 'lightweight-charts';
import { earnedMarkers, unprovenModels } from '../../src-renderer/src/lib/direction-markers';
import type { SignalMarker } from '../../src-renderer/src/lib/marker-layout';
import { level, pValue, verdictFor } from '../../src-renderer/src/lib/risk-format';
import { FORMING_MARKER_ID } from '../../src-renderer/src/lib/signals';
import { modelViolations, violationMarkers } from '../../src-renderer/src/lib/violation-markers';
import type { HeadVerdict, VarReport } from '../../src-shared/domain/risk-report';
import type { Signal } from '../../src-shared/domain/signal';

describe('VaR breaks on the equity line', () => {
  // Equity thinned to every third candle: points at 3, 6, 9 (seconds).
  const points = [3000, 6000, 9000].map((time) => ({ time }));

  it('puts each break on the first point at or after its window, one marker per point and level', () => {
    const markers = violationMarkers(
      [
        { time: 1000, quantile: 0.05 },
        { time: 2000, quantile: 0.05 },
        { time: 3000, quantile: 0.01 },
        { time: 7000, quantile: 0.05 },
        // After the last point: not on the line.
        { time: 9500, quantile: 0.05 },
      ],
      points,
    );
    expect(markers.map((m) => [m.time, m.id, m.color])).toEqual([
      [3, 'var-0.01-3000', '#ef5350'],
      [3, 'var-0.05-3000', '#f5a623'],
      [9, 'var-0.05-9000', '#f5a623'],
    ]);
  });

  it("takes the model's counted breaks at every level", () => {
    const figures = { violationTimes: [5, 8] } as NonNullable<VarReport['model']>;
    const levels = [
      { quantile: 0.01, model: figures },
      { quantile: 0.05, model: { ...figures, violationTimes: [2] } },
    ] as VarReport[];
    expect(modelViolations(levels)).toEqual([
      { time: 5, quantile: 0.01 },
      { time: 8, quantile: 0.01 },
      { time: 2, quantile: 0.05 },
    ]);
  });
});

describe('risk figures as they read', () => {
  it('p-values, levels and the verdict on a VaR baseline at its level', () => {
    expect(pValue(0.0004)).toBe('< 0.001');
    expect(pValue(0.0412)).toBe('0.041');
    expect(pValue(undefined)).toBe('—');
    expect(level(0.01)).toBe('1%');
    expect(level(0.05)).toBe('5%');
    expect(level(0.025)).toBe('2.5%');
    const verdicts: HeadVerdict[] = [
      { head: 'var', baseline: 'EWMA-normal at 1%', verdict: 'beats', sentence: 'a' },
      { head: 'var', baseline: 'EWMA-normal at 5%', verdict: 'cannot tell', sentence: 'b' },
    ];
    expect(verdictFor(verdicts, 'var', 'EWMA-normal', 0.05)?.sentence).toBe('b');
    expect(verdictFor(verdicts, 'volatility', 'EWMA-normal')).toBeUndefined();
  });
});

describe('direction markers earn their place', () => {
  const signal = (id: number, modelVersion: string) => ({ id, modelVersion }) as Signal;
  const marker = (id: string, confidence: number): SignalMarker => ({
    confidence,
    label: '',
    marker: { id, time: 0 as UTCTimestamp, position: 'belowBar', shape: 'arrowUp', color: 'green' },
  });
  const stored = [signal(1, 'proven'), signal(2, 'proven'), signal(3, 'weak')];
  const markers = [marker('1', 0.7), marker('2', 0.4), marker('3', 0.9), marker(FORMING_MARKER_ID, 0.8)];
  const rules = { minConfidence: 0.5, showUnproven: false, proven: ['proven'], selectedId: undefined };
  const ids = (shown: SignalMarker[]) => shown.map((m) => m.marker.id);

  it('shows a call only above the threshold and of a model whose direction beats its baselines; the selected one always', () => {
    // 2 is below the threshold, 3 and the forming one are the weak model's.
    expect(ids(earnedMarkers(markers, stored, signal(0, 'weak'), rules))).toEqual(['1']);
    expect(ids(earnedMarkers(markers, stored, signal(0, 'proven'), rules))).toEqual(['1', FORMING_MARKER_ID]);
    expect(ids(earnedMarkers(markers.slice(0, 3), stored, undefined, { ...rules, selectedId: '3' }))).toEqual(['1', '3']);
    // The user may show the unproven too: then only the threshold applies.
    expect(ids(earnedMarkers(markers, stored, signal(0, 'weak'), { ...rules, showUnproven: true }))).toEqual(['1', '3', FORMING_MARKER_ID]);
    expect(unprovenModels([...stored, signal(4, 'other')], rules.proven)).toEqual(['weak', 'other']);
  });
});
