/**
 * The risk evaluation end to end on real candles (the first 3,000 of Bybit BTCUSDT 1m): targets
 * worked out by hand, no look-ahead in the targets or in the baselines' fits, the verdicts on
 * synthetic forecasts, and the refusals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { evaluateRiskForecasts, type RiskEvaluationInput } from '../../src-main/evaluation/risk-evaluation';
import { riskTargets } from '../../src-main/evaluation/risk-targets';
import { ewmaForecasts, logReturns } from '../../src-main/evaluation/volatility-baselines';
import type { Candle } from '../../src-shared/domain/market';
import { RiskReportSchema, type WindowForecasts } from '../../src-shared/domain/risk-report';
import { sharedCsvHead } from '../helpers';

const STEP = 60_000;
const H = 5;
const W = 30;
const CANDLES = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 3000), '1');
const at = (i: number): number => (CANDLES[i] as Candle).time;
/** Training: candles up to 1,800; validation between; test windows from candle 2,200. */
const BASE: RiskEvaluationInput = { candles: CANDLES, stepMs: STEP, trainTo: at(1800), testFrom: at(2200), horizon: H, trailingWindow: W };
const TEST_ENDS = Array.from({ length: CANDLES.length - H - 2200 }, (_, j) => 2200 + j);
const CLOSES = CANDLES.map((c) => c.close);
const TARGETS = riskTargets(CLOSES, TEST_ENDS, { horizon: H, trailingWindow: W, sharpK: 2 });

/** The same candles with every close (and its high/low) after `from` moved by a seeded ±0.05%, about a minute's own move. */
function perturbedAfter(from: number, seed: number): Candle[] {
  let state = seed;
  return CANDLES.map((c, i) => {
    if (i <= from) return c;
    state = (state * 16807) % 2147483647;
    const factor = 1 + (state / 2147483647 - 0.5) * 0.001;
    return { ...c, close: c.close * factor, high: Math.max(c.high, c.close * factor), low: Math.min(c.low, c.close * factor) };
  });
}

describe('risk targets', () => {
  it('closes 100, 101, 99, 102, 102, 105 at H = 2, W = 2, window ending at candle 2: worked out by hand', () => {
    const closes = [100, 101, 99, 102, 102, 105];
    const t = riskTargets(closes, [2, 3], { horizon: 2, trailingWindow: 2, sharpK: 2 });
    // Next two returns after candle 2: ln(102/99) and ln(102/102) = 0.
    expect(t.realizedVariance[0]).toBeCloseTo(Math.log(102 / 99) ** 2, 15);
    expect(t.futureReturn[0]).toBeCloseTo(Math.log(102 / 99), 15);
    // Trailing returns ln(101/100), ln(99/101): the population σ of two values is half their distance.
    const sigma = Math.abs(Math.log(101 / 100) - Math.log(99 / 101)) / 2;
    expect(t.trailingVolatility[0]).toBeCloseTo(sigma, 15);
    // |ln(102/99)| = 0.0299 against 2·0.01500·√2 = 0.0424: not sharp.
    expect(t.sharpMove[0]).toBe(0);
    // After candle 3: ln(102/102) = 0, ln(105/102) = 0.0290; trailing ln(99/101), ln(102/99), σ = 0.0249: 0.0290 < 0.0705, not sharp.
    expect(t.realizedVariance[1]).toBeCloseTo(Math.log(105 / 102) ** 2, 15);
    expect(t.futureReturn[1]).toBeCloseTo(Math.log(105 / 102), 15);
    expect(riskTargets(closes, [2], { horizon: 2, trailingWindow: 2, sharpK: 0.5 }).sharpMove[0]).toBe(1);
    expect(() => riskTargets(closes, [4], { horizon: 2, trailingWindow: 2, sharpK: 2 })).toThrow(/2 candles after it/);
    expect(() => riskTargets(closes, [1], { horizon: 2, trailingWindow: 2, sharpK: 2 })).toThrow(/2 returns before it/);
  });

  it('the target of a window reads only its own last close and the H after it; the trailing σ only the W before (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 50, max: 150, noNaN: true }), { minLength: 20, maxLength: 40 }),
        fc.nat(),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (closes, pick, factor) => {
          const settings = { horizon: 3, trailingWindow: 4, sharpK: 2 };
          const t = 4 + (pick % (closes.length - 7));
          const before = riskTargets(closes, [t], settings);
          const changed = (from: number, to: number) =>
            riskTargets(
              closes.map((c, i) => (i >= from && i <= to ? c * factor : c)),
              [t],
              settings,
            );
          // Every close before the window's last one, and every close after the horizon: the future targets stay.
          const past = changed(0, t - 1);
          expect(past.realizedVariance).toEqual(before.realizedVariance);
          expect(past.futureReturn).toEqual(before.futureReturn);
          const later = changed(t + 4, closes.length);
          expect(later).toEqual(before);
          // Every close after the window: the trailing σ stays.
          expect(changed(t + 1, closes.length).trailingVolatility).toEqual(before.trailingVolatility);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('the baselines are fitted on the training period only', () => {
  it('changing every candle after the training period leaves every fitted parameter as it was; changing a training candle does not', () => {
    const report = evaluateRiskForecasts(BASE);
    const after = evaluateRiskForecasts({ ...BASE, candles: perturbedAfter(1800, 11) });
    expect(after.fits).toEqual(report.fits);
    // The test figures did change: the perturbation reached the test period.
    expect(after.volatility?.baselines[0]?.qlike).not.toBe(report.volatility?.baselines[0]?.qlike);
    const inside = evaluateRiskForecasts({ ...BASE, candles: perturbedAfter(1700, 11) });
    expect(inside.fits.ewma.lambda).not.toBe(report.fits.ewma.lambda);
    expect(inside.fits.garch).not.toEqual(report.fits.garch);
    expect(inside.fits.har.coefficients).not.toEqual(report.fits.har.coefficients);
  });
});

describe('the report and its verdicts', () => {
  it('without model forecasts: every head of the baselines alone, no verdict, in the shape of the schema', () => {
    const report = evaluateRiskForecasts(BASE);
    expect(RiskReportSchema.parse(report)).toEqual(report);
    expect(report.verdicts).toEqual([]);
    expect(report.test).toEqual({ from: at(2200), to: at(CANDLES.length - 1 - H), windows: TEST_ENDS.length });
    expect(report.training).toEqual({ from: at(0), to: at(1800) });
    expect(report.volatility?.model).toBeUndefined();
    expect(report.volatility?.baselines.map((b) => b.name)).toEqual(['EWMA (λ fitted)', 'EWMA (λ = 0.94)', 'HAR-RV', 'GARCH(1,1)']);
    expect(report.var?.map((v) => v.quantile)).toEqual([0.01, 0.05]);
    expect(report.var?.[0]?.baselines.map((b) => [b.name, b.stride])).toEqual([
      ['historical simulation', H],
      ['EWMA-normal', H],
    ]);
    expect(report.var?.[0]?.coverage[0]).toMatch(/^historical simulation's VaR at 1% was broken/);
    expect(report.sharpMove?.baselines[0]?.n).toBe(TEST_ENDS.length);
    expect(report.sharpMove?.baselines[0]?.positives).toBe(TARGETS.sharpMove.filter((y) => y === 1).length);
    expect(evaluateRiskForecasts({ ...BASE, varLevels: [0.025] }).var?.map((v) => v.quantile)).toEqual([0.025]);
  });

  it('perfect forecasts beat every baseline (Diebold–Mariano p < 0.05, AUC interval above); heads not forecast are absent', () => {
    const forecasts: WindowForecasts = TEST_ENDS.map((t, j) => ({
      candleStart: at(t),
      // A window without a price change has no volatility to judge a forecast by; the volatility figures leave it out.
      volatility: Math.sqrt(Math.max(TARGETS.realizedVariance[j] ?? 0, 1e-30)),
      var01: TARGETS.futureReturn[j] ?? 0,
      sharpMove: TARGETS.sharpMove[j] ?? 0,
    }));
    const report = evaluateRiskForecasts({ ...BASE, forecasts });
    expect(RiskReportSchema.parse(report)).toEqual(report);
    expect(report.volatility?.model?.qlike).toBeCloseTo(0, 12);
    for (const baseline of report.volatility?.baselines ?? []) expect(baseline.dieboldMariano?.pValue).toBeLessThan(0.05);
    expect(report.var?.map((v) => v.quantile)).toEqual([0.01]);
    expect(report.var?.[0]?.model?.pinball).toBe(0);
    expect(report.sharpMove?.model?.auc).toEqual({ value: 1, low: 1, high: 1 });
    expect(report.verdicts.map((v) => [v.head, v.baseline, v.verdict])).toEqual([
      ['volatility', 'EWMA (λ fitted)', 'beats'],
      ['volatility', 'EWMA (λ = 0.94)', 'beats'],
      ['volatility', 'HAR-RV', 'beats'],
      ['volatility', 'GARCH(1,1)', 'beats'],
      ['var', 'historical simulation at 1%', 'beats'],
      ['var', 'EWMA-normal at 1%', 'beats'],
      ['sharpMove', 'the logistic baseline (trailing volatility, time of day)', 'beats'],
    ]);
    expect(report.var?.[0]?.coverage[0]).toMatch(/^The model's VaR at 1% was broken 0% of the time/);

    const volatilityOnly = evaluateRiskForecasts({
      ...BASE,
      forecasts: forecasts.map(({ candleStart, volatility }) => ({ candleStart, volatility })),
    });
    expect(volatilityOnly.var).toBeUndefined();
    expect(volatilityOnly.sharpMove).toBeUndefined();
    expect(new Set(volatilityOnly.verdicts.map((v) => v.head))).toEqual(new Set(['volatility']));
  });

  it("a baseline's own forecast, given as the model's, cannot be told from it, and a worse one does not beat it", () => {
    const fits = evaluateRiskForecasts(BASE).fits;
    const ewma = ewmaForecasts(logReturns(CLOSES), fits.ewma.lambda, fits.ewma.initialVariance, H);
    const own: WindowForecasts = TEST_ENDS.map((t) => ({ candleStart: at(t), volatility: Math.sqrt(ewma.variances[t - 1] ?? NaN) }));
    const same = evaluateRiskForecasts({ ...BASE, forecasts: own }).verdicts.find((v) => v.baseline === 'EWMA (λ fitted)');
    expect(same?.verdict).toBe('cannot tell');
    // Ten times the variance, every time: a worse forecast, and a significantly worse one.
    const inflated = own.map((f) => ({ ...f, volatility: (f.volatility ?? 0) * Math.sqrt(10) }));
    const worse = evaluateRiskForecasts({ ...BASE, forecasts: inflated }).verdicts.find((v) => v.baseline === 'EWMA (λ fitted)');
    expect(worse?.verdict).toBe('does not beat');
    expect(worse?.sentence).toMatch(/does NOT beat EWMA \(λ fitted\)/);
  });
});

describe('the order and spacing of the forecasts', () => {
  const forecastsAt = (ends: number[]): WindowForecasts =>
    ends.map((t) => ({ candleStart: at(t), volatility: Math.exp(-6 + 0.001 * (t % 7)), var05: -0.004, sharpMove: (t % 10) / 10 }));

  it('are judged in time order whatever order they come in, and how far their targets overlap follows their spacing', () => {
    const every = forecastsAt(TEST_ENDS);
    expect(evaluateRiskForecasts({ ...BASE, forecasts: [...every].reverse() })).toEqual(
      evaluateRiskForecasts({ ...BASE, forecasts: every }),
    );
    // Every candle: targets of the next H − 1 = 4 windows overlap; every third candle: only the next one's (⌈5/3⌉ = 2).
    const dense = evaluateRiskForecasts({ ...BASE, forecasts: every });
    expect(dense.var?.[0]?.model?.stride).toBe(5);
    expect(dense.volatility?.baselines[0]?.dieboldMariano?.lag).toBe(4);
    const sparse = evaluateRiskForecasts({ ...BASE, forecasts: forecastsAt(TEST_ENDS.filter((_, j) => j % 3 === 0)) });
    expect(sparse.var?.[0]?.model?.stride).toBe(2);
    expect(sparse.var?.[0]?.model?.n).toBe(Math.ceil(Math.ceil(TEST_ENDS.length / 3) / 2));
    expect(sparse.volatility?.baselines[0]?.dieboldMariano?.lag).toBe(1);
  });

  it('must be evenly spaced', () => {
    const uneven = forecastsAt([2200, 2201, 2202, 2204]);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: uneven })).toThrow(
      `the forecasts' windows must be evenly spaced: those ending at ${at(2202)} and ${at(2204)} are 2 candles apart, the first two 1`,
    );
  });
});

describe('windows without a price change', () => {
  it('are left out of the figures that need one, and counted', () => {
    // Candles 2300 … 2340 all close where 2299 did: returns 2300 … 2340 are 0.
    const flat = CANDLES.map((c, i) => (i >= 2300 && i <= 2340 ? { ...c, close: (CANDLES[2299] as Candle).close } : c));
    const base = evaluateRiskForecasts(BASE);
    const report = evaluateRiskForecasts({ ...BASE, candles: flat });
    // No move in the next 5 returns: windows ending at 2299 … 2335; in the trailing 30: 2329 … 2340.
    expect((report.volatility?.withoutPriceChange ?? 0) - (base.volatility?.withoutPriceChange ?? 0)).toBe(37);
    expect((report.sharpMove?.withoutTrailingPriceChange ?? 0) - (base.sharpMove?.withoutTrailingPriceChange ?? 0)).toBe(12);
    expect(report.volatility?.n).toBe(TEST_ENDS.length - (report.volatility?.withoutPriceChange ?? 0));
    expect(report.sharpMove?.baselines[0]?.n).toBe(TEST_ENDS.length - (report.sharpMove?.withoutTrailingPriceChange ?? 0));
  });
});

describe('refusals', () => {
  const one = (patch: Partial<WindowForecasts[number]>, index = 3): WindowForecasts =>
    TEST_ENDS.slice(0, 10).map((t, j) => ({
      candleStart: at(t),
      volatility: Math.exp(-6),
      var01: -0.01,
      sharpMove: 0.1,
      ...(j === index ? patch : {}),
    }));

  it('a horizon longer than the data, a VaR quantile outside (0, 0.5), a bad k or window', () => {
    expect(() => evaluateRiskForecasts({ ...BASE, candles: CANDLES.slice(0, 10), horizon: 10 })).toThrow(/longer than the data/);
    expect(() => evaluateRiskForecasts({ ...BASE, horizon: 0 })).toThrow(/whole number of candles ≥ 1/);
    expect(() => evaluateRiskForecasts({ ...BASE, varLevels: [0.5] })).toThrow(/VaR quantile must be in \(0, 0.5\), got 0.5/);
    expect(() => evaluateRiskForecasts({ ...BASE, varLevels: [0] })).toThrow(/VaR quantile must be in \(0, 0.5\), got 0/);
    expect(() => evaluateRiskForecasts({ ...BASE, sharpK: -1 })).toThrow(/sharp-move k must be a positive finite number/);
    expect(() => evaluateRiskForecasts({ ...BASE, trailingWindow: 1 })).toThrow(/trailing-volatility window/);
  });

  it('non-finite, missing, misplaced or duplicated forecasts', () => {
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ volatility: NaN }) })).toThrow(
      /forecast 3 \(window ending at \d+\): volatility is NaN, not a finite number/,
    );
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ var01: -Infinity }) })).toThrow(/var01 is -Infinity/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ sharpMove: 1.5 }) })).toThrow(/probability 1.5 is not in \[0, 1\]/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ volatility: 1e-200 }) })).toThrow(
      /a volatility of 1e-200 is no variance/,
    );
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ volatility: undefined }) })).toThrow(/forecast 3 .* has no volatility/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ candleStart: at(2200) }) })).toThrow(/a second forecast/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ candleStart: at(2100) }) })).toThrow(/before the test period/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ candleStart: at(2200) + 1 }) })).toThrow(/no candle starts at/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({ candleStart: at(CANDLES.length - 2) }) })).toThrow(
      /fewer than 5 candles after it/,
    );
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: [] })).toThrow(/no model forecasts were given/);
    expect(() => evaluateRiskForecasts({ ...BASE, forecasts: one({}), varLevels: [0.01] })).toThrow(/VaR levels are the heads'/);
  });

  it('a series with a break, or a test period that does not follow training', () => {
    const broken = CANDLES.filter((_, i) => i !== 1000);
    expect(() => evaluateRiskForecasts({ ...BASE, candles: broken })).toThrow(/the series breaks between candles/);
    expect(() => evaluateRiskForecasts({ ...BASE, testFrom: at(1800) })).toThrow(/must start after the training period/);
    expect(() => evaluateRiskForecasts({ ...BASE, testFrom: at(CANDLES.length - 3) })).toThrow(/at least two are needed/);
  });
});
