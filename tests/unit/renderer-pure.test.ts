import type { UTCTimestamp } from 'lightweight-charts';
import { describe, expect, it } from 'vitest';
import { attentionConcentration, topIndices } from '../../src-shared/domain/attention';
import type { Candle } from '../../src-shared/domain/market';
import { iso, localizeTimes } from '../../src-shared/domain/iso-time';
import { CandleMemory, firstAtOrAfter } from '../../src-renderer/src/lib/candle-memory';
import { attentionBands } from '../../src-renderer/src/lib/heatmap/attention-bands';
import { bandSpans } from '../../src-renderer/src/lib/heatmap/attention-pane-view';
import { heatColour, legendGradient, tintColour, TINT_MAX_ALPHA } from '../../src-renderer/src/lib/heatmap/colour-scale';
import { streamKey } from '../../src-renderer/src/lib/state/stream-choice';
import { StreamKey } from '../../src-shared/domain/market';
import { LABEL_GAP_PX, layoutMarkers, MARKER_GAP_PX, type SignalMarker } from '../../src-renderer/src/lib/marker-layout';
import { fromDateTimeInput, timeFormatters, toDateTimeInput } from '../../src-renderer/src/lib/time-format';

describe('attention summaries', () => {
  it('ranks weights and measures concentration', () => {
    expect(topIndices([0.1, 0.9, 0.5, 0.9], 3)).toEqual([1, 3, 2]);
    expect(attentionConcentration(Array(10).fill(1))).toBeCloseTo(0.2);
    expect(attentionConcentration([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])).toBe(1);
    expect(attentionConcentration(Array(10).fill(0))).toBe(0);
  });
});

describe('the chart memory of candles', () => {
  const MINUTE = 60_000;
  const candle = (minute: number, close = 100): Candle => ({
    time: minute * MINUTE,
    open: 100,
    high: 101,
    low: 99,
    close,
    volume: 1,
    confirmed: true,
  });
  const minutes = (memory: CandleMemory) => memory.candles.map((c) => c.time / MINUTE);

  it('updates the newest candle in place, appends the next, and merges older ones in time order only when asked', () => {
    const memory = new CandleMemory();
    memory.replace([candle(10), candle(11)]);
    expect(memory.placeLive(candle(11, 105))).toBe('edge');
    expect(memory.placeLive(candle(12))).toBe('edge');
    expect(memory.placeLive(candle(5))).toBe('behind');
    expect(memory.placeLive(candle(10, 107))).toBe('behind');
    expect(minutes(memory)).toEqual([10, 11, 12]);
    memory.mergeBehindEdge();
    expect(minutes(memory)).toEqual([5, 10, 11, 12]);
    expect(memory.at(10 * MINUTE)?.close).toBe(107);
    expect(memory.at(11 * MINUTE)?.close).toBe(105);
  });

  it("drops another stream's candles waiting to be merged, and history asked for before the switch", () => {
    const memory = new CandleMemory();
    memory.replace([candle(60), candle(61)]);
    memory.placeLive(candle(3));
    const askedAt = memory.generation;
    memory.replace([candle(0), candle(5)]); // the 5-minute stream, say
    expect(memory.prepend([candle(-1)], askedAt)).toBe(0);
    memory.mergeBehindEdge();
    expect(minutes(memory)).toEqual([0, 5]);
    expect(memory.at(3 * MINUTE)).toBeUndefined();
    expect(memory.prepend([candle(-10), candle(-5), candle(0)], memory.generation)).toBe(2);
    expect(minutes(memory)).toEqual([-10, -5, 0, 5]);
  });
});

describe('heat colour scale', () => {
  it('runs from faint blue at 0 (the strip shows the whole window) to opaque red at 1, and clamps', () => {
    expect(heatColour(0)).toBe('rgba(41,98,255,0.300)');
    expect(heatColour(1)).toBe('rgba(244,67,54,1.000)');
    expect(heatColour(2)).toBe(heatColour(1));
    expect(heatColour(Number.NaN)).toBe(heatColour(0));
    expect(legendGradient()).toMatch(/^linear-gradient\(to right, rgba/);
  });

  it('rises monotonically in opacity, in the strip and behind the candles', () => {
    for (const colour of [heatColour, tintColour]) {
      const alphas = [0, 0.2, 0.4, 0.6, 0.8, 1].map((w) => Number(/,([\d.]+)\)$/.exec(colour(w))?.[1]));
      expect([...alphas].sort((a, b) => a - b)).toEqual(alphas);
    }
  });

  it('tints behind candles in one cool hue, transparent at 0 and faint at 1', () => {
    expect(tintColour(0)).toBe('rgba(41,98,255,0.000)');
    expect(tintColour(1)).toBe(`rgba(41,98,255,${TINT_MAX_ALPHA.toFixed(3)})`);
    expect(tintColour(Number.NaN)).toBe(tintColour(0));
  });
});

describe('the heatmap bands', () => {
  it('shades each candle of the window by its attention, at chart time (seconds)', () => {
    expect(attentionBands({ windowStarts: [60_000, 120_000, 180_000], cam: [0, 1] })).toEqual([
      { time: 60, weight: 0 },
      { time: 120, weight: 1 },
      { time: 180, weight: 0 },
    ]);
  });

  it('tiles neighbouring candles without gaps, ends half a bar out, and skips candles off the time scale', () => {
    const bands = attentionBands({ windowStarts: [60_000, 120_000, 180_000, 240_000], cam: [0.2, 1, 0.5, 0.7] });
    const spans = bandSpans(bands, [100, 110, 130, null], 8);
    expect(spans.map(({ left, right }) => [left, right])).toEqual([
      [96, 105],
      [105, 120],
      [120, 134],
    ]);
    expect(spans.map((s) => s.colour)).toEqual([heatColour(0.2), heatColour(1), heatColour(0.5)]);
    expect(spans.map((s) => s.tint)).toEqual([tintColour(0.2), tintColour(1), tintColour(0.5)]);
    expect(bandSpans(bands, [null, null, null, null], 8)).toEqual([]);
  });
});

describe('marker layout', () => {
  /** A call on bar `index`, above the bars for a sell. */
  const call = (index: number, confidence: number, side: 'aboveBar' | 'belowBar' = 'aboveBar'): SignalMarker => ({
    confidence,
    label: `${side === 'aboveBar' ? 'SELL' : 'BUY'} ${Math.round(confidence * 100)}%`,
    marker: { id: String(index), time: index as UTCTimestamp, position: side, shape: 'arrowDown', color: 'red' },
  });
  const at = (m: SignalMarker) => m.marker.time as number;
  const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - (xs[i] ?? 0));

  it('keeps every marker and label apart when there is room', () => {
    const placed = layoutMarkers([call(0, 0.5), call(20, 0.6)], at, 6);
    expect(placed.map((p) => [p.marker.text, p.count])).toEqual([
      ['SELL 50%', 1],
      ['SELL 60%', 1],
    ]);
  });

  it('collapses markers closer than an arrow into the most confident, counting the rest in its label', () => {
    const markers = Array.from({ length: 100 }, (_, i) => call(i, 0.4 + ((i * 37) % 55) / 100));
    for (const spacing of [0.2, 1, 3, 6, 12]) {
      const placed = layoutMarkers(markers, at, spacing);
      const xs = placed.map((p) => (p.marker.time as number) * spacing);
      expect(Math.min(...gaps(xs))).toBeGreaterThanOrEqual(MARKER_GAP_PX);
      const labelled = placed.filter((p) => p.marker.text !== '').map((p) => (p.marker.time as number) * spacing);
      expect(Math.min(...gaps(labelled), Infinity)).toBeGreaterThanOrEqual(LABEL_GAP_PX);
      expect(placed.reduce((n, p) => n + p.count, 0)).toBe(100);
    }
    const [one] = layoutMarkers(markers.slice(0, 5), at, 1);
    expect(one?.marker.text).toBe('SELL 78% +4'); // the most confident of 40%, 77%, 59%, 41%, 78%
  });

  it('spaces labels across both sides, and keeps arrows on opposite sides of one candle', () => {
    const placed = layoutMarkers([call(0, 0.6), call(2, 0.7, 'belowBar')], at, 6);
    expect(placed.map((p) => p.marker.text)).toEqual(['', 'BUY 70%']);
  });

  it('always draws and labels the selected marker, larger, even beside more confident ones', () => {
    const placed = layoutMarkers([call(0, 0.9), call(1, 0.41), call(2, 0.8)], at, 1, '1');
    expect(placed.map((p) => [p.marker.id, p.marker.text, p.marker.size])).toEqual([['1', 'SELL 41% +2', 2]]);
  });

  it('leaves out markers off the chart', () => {
    expect(layoutMarkers([call(0, 0.9), call(50, 0.5)], (m) => (at(m) === 0 ? undefined : at(m)), 6)).toHaveLength(1);
  });
});

describe('candle search', () => {
  it('finds the first candle at or after a time', () => {
    const list: Candle[] = [10, 20, 30].map((time) => ({ time, open: 1, high: 1, low: 1, close: 1, volume: 0, confirmed: true }));
    expect([0, 10, 11, 30, 31].map((t) => firstAtOrAfter(list, t))).toEqual([0, 0, 1, 2, -1]);
  });
});

describe('time labels', () => {
  it('formats chart times in the given zone', () => {
    const t = Date.UTC(2025, 5, 29, 16, 38) / 1000;
    expect(timeFormatters('UTC', 'en-GB').tick(t, 3)).toBe('16:38');
    expect(timeFormatters('Asia/Tokyo', 'en-GB').tick(t, 3)).toBe('01:38');
    expect(timeFormatters('America/New_York', 'en-GB').label(t)).toContain('12:38');
  });

  it('fills and reads date-time inputs in the user zone, as the chart labels show times', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kolkata'; // UTC+05:30
    try {
      const t = Date.UTC(2025, 5, 29, 16, 38);
      expect(toDateTimeInput(t)).toBe('2025-06-29T22:08');
      expect(fromDateTimeInput('2025-06-29T22:08')).toBe(t);
      expect(fromDateTimeInput('')).toBeNaN();
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe('signal views', async () => {
  const { candleTopFeatures, explainSignal, provisionalMarker, signalMarkers } = await import('../../src-renderer/src/lib/signals');
  const base = {
    id: 7,
    exchange: 'bybit',
    category: 'linear' as const,
    symbol: 'BTCUSDT',
    interval: '1' as const,
    candleStart: 600_000,
    confirmed: true,
    modelVersion: 'v1',
    predicted: 'sell' as const,
    probabilities: [0.1, 0.2, 0.7],
    method: 'gradcam' as const,
    windowStarts: Array.from({ length: 10 }, (_, i) => 60_000 * (i + 1)),
    cam: [0, 0, 0, 0, 0, 0, 0, 0.2, 1, 0.5],
    features: [
      { name: 'rsi14', attribution: -0.1 },
      { name: 'macd_hist', attribution: 0.6 },
      { name: 'custom', attribution: 0.3 },
    ],
    inputHash: 'abc',
    createdAt: 1,
  };

  it('names the channels that drove one candle, by magnitude, only when the signal carries them', () => {
    const candleFeatures = base.windowStarts.map((_, i) => [i === 8 ? -0.5 : 0.01, 0.2, i === 8 ? 0.1 : 0]);
    expect(candleTopFeatures({ ...base, candleFeatures }, 540_000)).toEqual([
      { label: 'RSI(14)', attribution: -0.5 },
      { label: 'MACD histogram', attribution: 0.2 },
    ]);
    expect(candleTopFeatures({ ...base, candleFeatures }, 1)).toBeUndefined();
    expect(candleTopFeatures(base, 540_000)).toBeUndefined();
  });

  it('marks buys and sells with their confidence, never holds', () => {
    const markers = signalMarkers([base, { ...base, id: 8, predicted: 'hold' }]);
    expect(markers).toEqual([
      { confidence: 0.7, label: 'SELL 70%', marker: expect.objectContaining({ id: '7', time: 600, position: 'aboveBar' }) },
    ]);
  });

  it('marks a provisional call faded, with a question mark, and never a hold', () => {
    expect(provisionalMarker({ ...base, id: 0, confirmed: false })).toEqual([
      { confidence: 0.7, label: 'SELL 70%?', marker: expect.objectContaining({ id: 'forming', time: 600, shape: 'circle' }) },
    ]);
    expect(provisionalMarker({ ...base, predicted: 'hold' })).toEqual([]);
    expect(provisionalMarker(undefined)).toEqual([]);
  });

  it('states the facts behind a call in plain language', () => {
    const facts = explainSignal(base, (ms) => `t${ms / 60_000}`);
    expect(facts.topCandles.map((c) => c.back)).toEqual([1, 0, 2]);
    expect(facts.features.map((f) => f.label)).toEqual(['MACD histogram', 'custom', 'RSI(14)']);
    expect(facts.features[0]?.share).toBeCloseTo(0.6);
    expect(facts.summary).toBe(
      'SELL with 70% confidence (Grad-CAM, model v1). The model looked mostly at the last few candles, peaking at the t9 candle; ' +
        'the top 20% of candles hold 88% of the attention (a focused explanation). MACD histogram and custom drove the call most.',
    );
  });

  it('says so when the heatmap is empty', () => {
    expect(explainSignal({ ...base, cam: Array(10).fill(0) }, String).summary).toContain('The heatmap is empty');
  });
});

describe('times in messages', () => {
  it('main writes ISO times and the renderer shows each in the user’s zone', () => {
    const message = `replay range ends (${iso(1751215080000)}) before it starts (${iso(1893456000000)})`;
    expect(message).toBe('replay range ends (2025-06-29T16:38:00.000Z) before it starts (2030-01-01T00:00:00.000Z)');
    const tokyo = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', hourCycle: 'h23', dateStyle: 'medium', timeStyle: 'short' });
    expect(localizeTimes(message, (ms) => tokyo.format(ms))).toBe(
      'replay range ends (Jun 30, 2025, 01:38) before it starts (Jan 1, 2030, 09:00)',
    );
  });
});

describe('a stream key', () => {
  it("is the key's fields only, so a push's key passes the bridge's strict check (the stored-candle count was refused: unrecognized key \"candle\")", () => {
    const candle: Candle = { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 0, confirmed: true };
    const key = streamKey({ category: 'linear', symbol: 'ETHUSDT', interval: '1', candle } as Parameters<typeof streamKey>[0]);
    expect(key).toEqual({ exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' });
    expect(StreamKey.strict().safeParse(key).success).toBe(true);
  });
});
