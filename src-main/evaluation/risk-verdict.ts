/**
 * Plain verdicts for the forecast heads, pure: does the model beat a baseline, does not, or can one
 * not tell; in words a trader reads, with the figures behind them (the direction head's verdicts are
 * in evaluate.ts).
 */
import type { Interval95 } from '../../src-shared/domain/evaluation';
import type { DieboldMariano, HeadVerdict, VarFigures } from '../../src-shared/domain/risk-report';

const SIGNIFICANCE = 0.05;

const SUBJECTS: Record<HeadVerdict['head'], string> = {
  direction: 'the direction signal',
  volatility: 'the volatility forecast',
  var: 'the Value-at-Risk',
  sharpMove: 'the sharp-move probability',
};

function figure(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x);
}

function pValueText(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The verdict and its sentence: `figures` say the numbers, `doubt` why a small difference is no verdict. */
function verdictOf(
  head: HeadVerdict['head'],
  baseline: string,
  verdict: HeadVerdict['verdict'],
  figures: string,
  doubt: string,
): HeadVerdict {
  const subject = SUBJECTS[head];
  const sentence =
    verdict === 'beats'
      ? `${capitalized(subject)} beats ${baseline}: ${figures}.`
      : verdict === 'does not beat'
        ? `${capitalized(subject)} does NOT beat ${baseline}: ${figures}; ${baseline} is better.`
        : `Cannot tell whether ${subject} beats ${baseline}: ${figures}${doubt}.`;
  return { head, baseline, verdict, sentence };
}

/**
 * A loss compared by Diebold–Mariano (model losses first): significant at 5% and lower → beats;
 * significant and higher → does not beat; otherwise → cannot tell.
 */
export function lossVerdict(
  head: HeadVerdict['head'],
  baseline: string,
  metric: string,
  modelLoss: number,
  baselineLoss: number,
  test: DieboldMariano,
): HeadVerdict {
  const figures = `${metric} ${figure(modelLoss)} vs ${figure(baselineLoss)} (lower is better), Diebold–Mariano ${pValueText(test.pValue)}`;
  const significant = test.pValue < SIGNIFICANCE;
  const verdict =
    significant && test.meanDifference < 0 ? 'beats' : significant && test.meanDifference > 0 ? 'does not beat' : 'cannot tell';
  return verdictOf(head, baseline, verdict, figures, `, and a difference this small could be chance (needs p < ${SIGNIFICANCE})`);
}

/**
 * A score where higher is better (AUC) with the model's 95% interval: the interval above the
 * baseline's figure → beats; below it → does not beat; containing it → cannot tell. This is
 * issue 13's criterion ("a 95% interval that excludes it").
 */
export function intervalVerdict(
  head: HeadVerdict['head'],
  baseline: string,
  metric: string,
  model: Interval95,
  baselineValue: number,
): HeadVerdict {
  const figures = `${metric} ${figure(model.value)} [${figure(model.low)}, ${figure(model.high)}] vs ${figure(baselineValue)} (higher is better)`;
  const verdict = model.low > baselineValue ? 'beats' : model.high < baselineValue ? 'does not beat' : 'cannot tell';
  return verdictOf(head, baseline, verdict, figures, "; the model's 95% interval contains the baseline's figure");
}

/** What a VaR's backtest says, plainly: how often it was broken against how often it should be, and whether the breaks cluster. */
export function coverageSentence(name: string, level: number, figures: VarFigures): string {
  const { violations, n, violationRate, kupiec, christoffersenIndependence } = figures;
  const percent = (x: number): string => `${figure(100 * x)}%`;
  const rate = `${name} at ${percent(level)} was broken ${percent(violationRate)} of the time (${violations} of ${n}; ${kupiec.acceptance.min}–${kupiec.acceptance.max} breaks are consistent with ${percent(level)})`;
  const coverage =
    kupiec.pValue >= SIGNIFICANCE
      ? `its coverage holds (Kupiec ${pValueText(kupiec.pValue)})`
      : `its coverage is wrong: it is broken too ${violationRate > level ? 'often' : 'rarely'} (Kupiec ${pValueText(kupiec.pValue)})`;
  const clustering =
    christoffersenIndependence.pValue >= SIGNIFICANCE
      ? `breaks come independently of each other (Christoffersen ${pValueText(christoffersenIndependence.pValue)})`
      : `breaks are not independent: one break changes the odds of the next (Christoffersen ${pValueText(christoffersenIndependence.pValue)})`;
  return `${rate}: ${coverage}; ${clustering}.`;
}
