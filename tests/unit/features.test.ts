import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src-shared/domain/market';
import { buildDataset } from '../../src-main/features/dataset';
import { bollingerPercentB, ema, macdHistogram, rsi } from '../../src-main/features/indicators';
import { forecastLabels } from '../../src-main/features/forecast-labels';
import { checkNoLookahead, labelWindow, LookaheadError, BUY, HOLD, SELL, type ForecastLabels } from '../../src-main/features/labels';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC, type FeatureSpec } from '../../src-shared/domain/feature-spec';
import {
  FeatureError,
  fitNormalization,
  historyLength,
  normalizeInPlace,
  runFeatures,
  unbrokenRuns,
  windowFeatures,
} from '../../src-main/features/windows';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { checkSplit, walkForwardSplit } from '../../src-main/training/split';
import { SHARED_DATA, sharedCsvHead } from '../helpers';

const MINUTE = 60_000;
const real = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 1500), '1');
const spec: FeatureSpec = DEFAULT_FEATURE_SPEC;

function flat(closes: number[], start = 0): Candle[] {
  return closes.map((close, i) => ({ time: start + i * MINUTE, open: close, high: close, low: close, close, volume: 1, confirmed: true }));
}

describe('indicators', () => {
  it('computes EMA, RSI, MACD and %B on known series', () => {
    expect(Array.from(ema([1, 1, 1, 4], 2))).toEqual([1, 1, 1, 3]);
    const rising = Array.from({ length: 30 }, (_, i) => 100 + i);
    expect(rsi(rising)[29]).toBe(100);
    expect(rsi(rising)[5]).toBe(50);
    expect(rsi(rising.map((v) => 200 - v))[29]).toBe(0);
    expect(macdHistogram(Array(50).fill(7)).every((v) => v === 0)).toBe(true);
    expect(bollingerPercentB(Array(30).fill(3))[29]).toBe(0.5);
    const b = bollingerPercentB([...Array(19).fill(10), 20]);
    expect(b[19]).toBeGreaterThan(1);
  });
});

describe('windows', () => {
  it('splits the series at every break', () => {
    const candles = [...flat([1, 2, 3]), ...flat([4, 5], 10 * MINUTE)];
    expect(unbrokenRuns(candles, MINUTE).map((r) => r.length)).toEqual([3, 2]);
  });

  it('gives [T, C] finite features from exactly warmup + T candles', () => {
    const history = real.slice(0, historyLength(spec));
    const features = windowFeatures(history, spec, MINUTE);
    expect(features.length).toBe(spec.windowLength * spec.channels.length);
    expect(features.every(Number.isFinite)).toBe(true);
    const C = spec.channels.length;
    const last = history.at(-1) as Candle;
    const previous = history.at(-2) as Candle;
    expect(features[(spec.windowLength - 1) * C + 3]).toBeCloseTo(Math.log(last.close / previous.close), 6);
  });

  it('is causal: changing candles after the window changes nothing, changing one inside does', () => {
    const n = historyLength(spec);
    const base = windowFeatures(real.slice(0, n), spec, MINUTE);
    const future = real.slice(0, n + 20).map((c, i) => (i >= n ? { ...c, close: c.close * 2, high: c.high * 2 } : c));
    const run = unbrokenRuns(future, MINUTE)[0] as Candle[];
    expect(Array.from(windowFeatures(run.slice(0, n), spec, MINUTE))).toEqual(Array.from(base));
    const inside = real.slice(0, n).map((c, i) => (i === n - 1 ? { ...c, volume: c.volume * 3 } : c));
    expect(Array.from(windowFeatures(inside, spec, MINUTE))).not.toEqual(Array.from(base));
  });

  it('refuses a short history, a gap, an open candle and NaN features with a clear error', () => {
    const n = historyLength(spec);
    expect(() => windowFeatures(real.slice(0, n - 1), spec, MINUTE)).toThrow(/needs 160 candles/);
    const gapped = real.slice(0, n + 1).filter((_, i) => i !== 50);
    expect(() => windowFeatures(gapped, spec, MINUTE)).toThrow(/may not span a gap/);
    const open = real.slice(0, n).map((c, i) => (i === n - 1 ? { ...c, confirmed: false } : c));
    expect(() => windowFeatures(open, spec, MINUTE)).toThrow(/not closed/);
    const nan = real.slice(0, n).map((c, i) => (i === n - 5 ? { ...c, volume: NaN } : c));
    expect(() => windowFeatures(nan, spec, MINUTE)).toThrow(FeatureError);
  });

  it('normalizes with statistics fitted on the given rows only', () => {
    const inputs = Float32Array.from([1, 10, 3, 30]);
    const norm = fitNormalization(inputs, 2);
    expect(norm.mean).toEqual([2, 20]);
    expect(Array.from(normalizeInPlace(Float32Array.from([2, 20, 3, 30]), norm))).toEqual([0, 0, 1, 1]);
  });
});

describe('features of a whole run (the backtest path)', () => {
  // Binance rows 50,500–51,400 hold a real 81-minute break (after row 50,946).
  const lines = readFileSync(join(SHARED_DATA, 'binance_BTCUSDT_1m.csv'), 'utf8').split('\n');
  const withBreak = parseCandleCsv([lines[0], ...lines.slice(50_500, 51_400)].join('\n'), '1');
  const normalization = { mean: [0.1, -0.2, 0.3, 0, 0.5, 0.5, 0, 0.5, 0.1], std: [1e-3, 2e-3, 3e-3, 1e-3, 1.5, 0.2, 1e-4, 0.4, 0.9] };

  it('gives every window exactly the numbers of the per-window (live) path, on both sides of a real break', () => {
    const runs = unbrokenRuns(withBreak, MINUTE);
    expect(runs.length).toBe(2);
    const n = historyLength(spec);
    const size = spec.windowLength * spec.channels.length;
    let compared = 0;
    for (const run of runs) {
      const write = runFeatures(run, spec, MINUTE, normalization);
      const sliced = new Float32Array(size);
      for (let end = n - 1; end < run.length; end++) {
        write(end, sliced, 0);
        // The live path sees the window's own warmup + T candles and nothing after them.
        const live = windowFeatures(run.slice(end + 1 - n, end + 1), spec, MINUTE, normalization);
        expect(sliced).toEqual(live);
        compared += 1;
      }
    }
    expect(compared).toBe(withBreak.length - 2 * (n - 1));
  });

  it('never looks ahead: a window is the same whatever follows it in the run', () => {
    const run = unbrokenRuns(withBreak, MINUTE)[0] as Candle[];
    const end = historyLength(spec) + 40;
    const shocked = run.map((c, i) => (i > end ? { ...c, close: c.close * 3, high: c.high * 3, volume: c.volume * 50 } : c));
    const size = spec.windowLength * spec.channels.length;
    const [plain, future] = [new Float32Array(size), new Float32Array(size)];
    runFeatures(run, spec, MINUTE)(end, plain, 0);
    runFeatures(shocked, spec, MINUTE)(end, future, 0);
    expect(future).toEqual(plain);
    runFeatures(shocked, spec, MINUTE)(end + 1, future, 0);
    expect(future).not.toEqual(plain);
  });

  it('matches the per-window path when the warm-up is shorter than the longest trailing window', () => {
    const short: FeatureSpec = { ...spec, warmup: 30 };
    const run = real.slice(0, 300);
    const write = runFeatures(run, short, MINUTE);
    const sliced = new Float32Array(short.windowLength * short.channels.length);
    for (const end of [89, 150, 299]) {
      write(end, sliced, 0);
      expect(sliced).toEqual(windowFeatures(run.slice(end - 89, end + 1), short, MINUTE));
    }
  });
});

describe('labels and look-ahead', () => {
  it('labels buy, hold and sell from the forward return against a volatility-scaled threshold', () => {
    const wiggle = Array.from({ length: 70 }, (_, i) => 100 * (1 + (i % 2 === 0 ? 0.001 : -0.001)));
    const up = flat([...wiggle, ...Array.from({ length: 15 }, (_, i) => 101 + i)]);
    const down = flat([...wiggle, ...Array.from({ length: 15 }, (_, i) => 99 - i)]);
    const same = flat([...wiggle, ...wiggle.slice(0, 15)]);
    expect(labelWindow(up, 69, 60, DEFAULT_LABEL_SPEC).label).toBe(BUY);
    expect(labelWindow(down, 69, 60, DEFAULT_LABEL_SPEC).label).toBe(SELL);
    expect(labelWindow(same, 69, 60, DEFAULT_LABEL_SPEC).label).toBe(HOLD);
    const sample = labelWindow(up, 69, 60, DEFAULT_LABEL_SPEC);
    expect(sample.labelFrom).toBe(sample.windowTo + MINUTE);
    expect(sample.labelTo).toBe(sample.windowTo + 15 * MINUTE);
  });

  it('detects a window that sees its own label candles', () => {
    const sample = labelWindow(real, 200, 60, DEFAULT_LABEL_SPEC);
    expect(() => checkNoLookahead([sample])).not.toThrow();
    // The label read from the window's last candle on: the model would see part of its answer.
    expect(() => checkNoLookahead([sample, { ...sample, labelFrom: sample.windowTo }])).toThrow(LookaheadError);
    expect(() => checkNoLookahead([{ ...sample, labelFrom: sample.windowTo - 10 * MINUTE }])).toThrow(/look-ahead/);
  });

  it('builds a dataset whose windows never cross a break and never see their labels', () => {
    const withGap = [...real.slice(0, 600), ...real.slice(700, 1200)];
    const { inputs, samples } = buildDataset(withGap, MINUTE, spec, DEFAULT_LABEL_SPEC);
    expect(samples.length).toBe(600 - 160 - 15 + 1 + (500 - 160 - 15 + 1));
    expect(inputs.length).toBe(samples.length * 60 * 9);
    const gapStart = (real[600] as Candle).time;
    const gapEnd = (real[699] as Candle).time;
    for (const s of samples) {
      expect(s.windowFrom > gapEnd || s.labelTo < gapStart).toBe(true);
      expect(s.labelFrom).toBeGreaterThan(s.windowTo);
    }
  });

  it('splits walk-forward with an embargo, and a leaking split is refused', () => {
    const { samples } = buildDataset(real, MINUTE, spec, DEFAULT_LABEL_SPEC);
    const split = walkForwardSplit(samples, { train: 0.6, validation: 0.2 }, 15 * MINUTE);
    expect(split.train.length).toBeGreaterThan(0);
    expect(split.validation.length).toBeGreaterThan(0);
    expect(split.test.length).toBeGreaterThan(0);
    const lastTrainLabel = Math.max(...split.train.map((i) => samples[i]?.labelTo ?? 0));
    expect(Math.min(...split.validation.map((i) => samples[i]?.windowFrom ?? 0))).toBeGreaterThan(lastTrainLabel + 15 * MINUTE);
    const leaky = { ...split, validation: [...split.validation, split.train.at(-1) as number] };
    expect(() => checkSplit(samples, leaky)).toThrow(LookaheadError);
  });

  it("refuses a forecast head's label that reads a candle of its own window, naming the head", () => {
    const sample = { ...labelWindow(real, 200, 60, DEFAULT_LABEL_SPEC), forecasts: forecastLabels(real, 200, 60, 15, 2) };
    expect(() => checkNoLookahead([sample])).not.toThrow();
    for (const head of ['volatility', 'var', 'sharp'] as const) {
      const forecasts = { ...sample.forecasts, [head]: { ...sample.forecasts[head], from: sample.windowTo } };
      // The direction label is clean; only this head's label peeks.
      expect(() => checkNoLookahead([{ ...sample, forecasts }])).toThrow(new RegExp(`the ${head} label of the window`));
      const backwards = { ...sample.forecasts, [head]: { ...sample.forecasts[head], to: sample.windowTo - MINUTE } };
      expect(() => checkNoLookahead([{ ...sample, forecasts: backwards }])).toThrow(LookaheadError);
    }
  });

  it('builds the forecast labels of every window from the candles after it only, and embargoes the split on them', () => {
    const { samples } = buildDataset(real, MINUTE, spec, DEFAULT_LABEL_SPEC, 1, { sharpK: 2 });
    for (const s of samples) {
      for (const label of Object.values(s.forecasts ?? {})) {
        expect(label.from).toBe(s.windowTo + MINUTE);
        expect(label.to).toBe(s.windowTo + 15 * MINUTE);
        expect(Number.isFinite(label.value)).toBe(true);
      }
    }
    expect(samples.every((s) => s.forecasts !== undefined)).toBe(true);
    expect(() => checkNoLookahead(samples)).not.toThrow();
    // A forecast label reading further than the direction label: the embargo must follow it.
    const further = samples.map((s) => ({
      ...s,
      forecasts: { ...(s.forecasts as ForecastLabels), sharp: { from: s.labelFrom, to: s.labelTo + 30 * MINUTE, value: 0 } },
    }));
    const split = walkForwardSplit(further, { train: 0.6, validation: 0.2 }, 15 * MINUTE);
    const lastTrainRead = Math.max(...split.train.map((i) => (further[i]?.labelTo ?? 0) + 30 * MINUTE));
    expect(Math.min(...split.validation.map((i) => further[i]?.windowFrom ?? 0))).toBeGreaterThan(lastTrainRead + 15 * MINUTE);
    // The split made for the direction labels alone leaks through the longer forecast label.
    const directionOnly = walkForwardSplit(samples, { train: 0.6, validation: 0.2 }, 15 * MINUTE);
    expect(() => checkSplit(samples, directionOnly)).not.toThrow();
    expect(() => checkSplit(further, directionOnly)).toThrow(/split leak/);
  });

  it('takes every stride-th window of a real file', () => {
    const text = readFileSync(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 'utf8').split('\n').slice(0, 400).join('\n');
    const { samples } = buildDataset(parseCandleCsv(text, '1'), MINUTE, spec, DEFAULT_LABEL_SPEC, 7);
    expect(samples.length).toBe(Math.floor((399 - 160 - 15) / 7) + 1);
  });
});
