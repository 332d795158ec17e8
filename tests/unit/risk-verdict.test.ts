/** The plain verdicts per head and baseline, and the report shapes they travel in. */
import { describe, expect, it } from 'vitest';
import { dieboldMariano, volatilityFigures } from '../../src-main/evaluation/forecast-tests';
import { coverageSentence, intervalVerdict, lossVerdict } from '../../src-main/evaluation/risk-verdict';
import { varFigures } from '../../src-main/evaluation/var-tests';
import { HeadVerdictSchema, RiskReportSchema, VarFiguresSchema } from '../../src-shared/domain/risk-report';

const test = (pValue: number, meanDifference: number): ReturnType<typeof dieboldMariano> => ({
  statistic: 0,
  pValue,
  meanDifference,
  lag: 14,
  n: 1000,
});

describe('verdicts on a loss compared by Diebold–Mariano', () => {
  it('beats: significant and lower', () => {
    const verdict = lossVerdict('volatility', 'GARCH(1,1)', 'QLIKE', 0.4123, 0.4551, test(0.0031, -0.0428));
    expect(verdict).toEqual({
      head: 'volatility',
      baseline: 'GARCH(1,1)',
      verdict: 'beats',
      sentence: 'The volatility forecast beats GARCH(1,1): QLIKE 0.412 vs 0.455 (lower is better), Diebold–Mariano p = 0.003.',
    });
    expect(HeadVerdictSchema.parse(verdict)).toEqual(verdict);
  });

  it('does not beat: significant and higher, saying the baseline is better', () => {
    const verdict = lossVerdict('var', 'historical simulation', 'pinball loss at 1%', 0.000231, 0.000198, test(0.0004, 0.000033));
    expect(verdict.verdict).toBe('does not beat');
    expect(verdict.sentence).toBe(
      'The Value-at-Risk does NOT beat historical simulation: pinball loss at 1% 0.000231 vs 0.000198 (lower is better), Diebold–Mariano p < 0.001; historical simulation is better.',
    );
  });

  it('cannot tell: not significant, whichever is lower', () => {
    for (const difference of [-0.003, 0.003]) {
      const verdict = lossVerdict('volatility', 'HAR-RV', 'QLIKE', 0.43, 0.433, test(0.41, difference));
      expect(verdict.verdict).toBe('cannot tell');
      expect(verdict.sentence).toBe(
        'Cannot tell whether the volatility forecast beats HAR-RV: QLIKE 0.43 vs 0.433 (lower is better), Diebold–Mariano p = 0.410, and a difference this small could be chance (needs p < 0.05).',
      );
    }
  });

  it('takes the Diebold–Mariano test as computed, model losses first', () => {
    const model = [0.1, 0.2, 0.1, 0.15, 0.12, 0.11, 0.1, 0.13];
    const baseline = model.map((l) => l + 0.1 + (l % 0.03));
    expect(lossVerdict('volatility', 'EWMA (λ fitted)', 'QLIKE', 0.126, 0.24, dieboldMariano(model, baseline, 0)).verdict).toBe('beats');
    expect(lossVerdict('volatility', 'EWMA (λ fitted)', 'QLIKE', 0.24, 0.126, dieboldMariano(baseline, model, 0)).verdict).toBe(
      'does not beat',
    );
  });
});

describe('verdicts on an interval (AUC)', () => {
  it("beats when the model's 95% interval lies above the baseline's figure, cannot tell when it holds it, does not beat below", () => {
    expect(intervalVerdict('sharpMove', 'the logistic baseline', 'AUC', { value: 0.64, low: 0.61, high: 0.66 }, 0.58)).toMatchObject({
      verdict: 'beats',
      sentence: 'The sharp-move probability beats the logistic baseline: AUC 0.64 [0.61, 0.66] vs 0.58 (higher is better).',
    });
    expect(intervalVerdict('sharpMove', 'the logistic baseline', 'AUC', { value: 0.59, low: 0.55, high: 0.6 }, 0.58)).toMatchObject({
      verdict: 'cannot tell',
      sentence:
        "Cannot tell whether the sharp-move probability beats the logistic baseline: AUC 0.59 [0.55, 0.6] vs 0.58 (higher is better); the model's 95% interval contains the baseline's figure.",
    });
    expect(intervalVerdict('sharpMove', 'the logistic baseline', 'AUC', { value: 0.52, low: 0.5, high: 0.55 }, 0.58).verdict).toBe(
      'does not beat',
    );
  });
});

describe('VaR coverage in words', () => {
  it('says how often the VaR was broken, whether coverage holds and whether breaks come independently', () => {
    // 1 break in 4 at 5%: Kupiec accepts 0–1 breaks of 4.
    const figures = varFigures([-0.03, 0.01, 0.0, -0.01], [-0.02, -0.02, -0.02, -0.02], 0.05);
    expect(VarFiguresSchema.parse(figures)).toEqual(figures);
    expect(coverageSentence('The model VaR', 0.05, figures)).toBe(
      `The model VaR at 5% was broken 25% of the time (1 of 4; 0–1 breaks are consistent with 5%): its coverage holds (Kupiec p = ${figures.kupiec.pValue.toFixed(3)}); breaks come independently of each other (Christoffersen p = 1.000).`,
    );
  });

  it('names coverage that is wrong, and in which direction', () => {
    const realized = Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? -0.05 : 0.01));
    const figures = varFigures(realized, new Array<number>(100).fill(-0.02), 0.01);
    // Every fifth return breaks it: Kupiec's LR at 4 of 100 is 5.18 > 3.84, so 0–3 are accepted; a break never follows a break (π11 = 0 vs π01 = 19/79, LR 9.658, p 0.0019 (Python)).
    expect(coverageSentence('EWMA-normal', 0.01, figures)).toBe(
      'EWMA-normal at 1% was broken 20% of the time (20 of 100; 0–3 breaks are consistent with 1%): its coverage is wrong: it is broken too often (Kupiec p < 0.001); breaks are not independent: one break changes the odds of the next (Christoffersen p = 0.002).',
    );
  });
});

describe('the report shapes', () => {
  it('carry volatility figures as computed and refuse a VaR quantile outside (0, 0.5)', () => {
    const figures = volatilityFigures([1, 3, 2, 5], [1, 2, 3, 4]);
    expect(figures.mincerZarnowitz.slope).toBeCloseTo(1.1, 12);
    const fits = {
      ewma: { lambda: 0.96, initialVariance: 2e-7 },
      har: { windows: { short: 15, medium: 75, long: 330 }, coefficients: [1e-7, 4, 5, 1], rSquared: 0.3 },
      garch: { omega: 1e-9, alpha: 0.05, beta: 0.94, initialVariance: 2e-7 },
      historicalSimulationWindow: 3750,
      sharpMoveLogistic: { coefficients: [-10, -1, -0.3, -0.1], converged: true },
    };
    const report = {
      horizon: 15,
      training: { from: 0, to: 60_000 },
      test: { from: 120_000, to: 300_000, windows: 4 },
      fits,
      volatility: {
        n: 4,
        withoutPriceChange: 0,
        horizon: 15,
        model: figures,
        baselines: [{ ...figures, name: 'GARCH(1,1)', fit: 'ω = 1e-7, α = 0.08, β = 0.9', dieboldMariano: test(0.2, 0.01) }],
      },
      verdicts: [],
    };
    expect(RiskReportSchema.parse(report)).toEqual(report);
    const varFiguresExample = varFigures([-0.03, 0.01], [-0.02, -0.02], 0.05);
    const varReport = (quantile: number) => ({
      ...report,
      var: [{ quantile, horizon: 15, model: varFiguresExample, baselines: [], coverage: [] }],
    });
    expect(RiskReportSchema.parse(varReport(0.05)).var?.[0]?.quantile).toBe(0.05);
    expect(() => RiskReportSchema.parse(varReport(0.5))).toThrow();
  });
});
