/** How the risk report's figures read on screen (pure): p-values, percentages, verdict lookups. */
import type { HeadVerdict, VerdictWord } from '../../../src-shared/domain/risk-report';

/** A p-value as the verdicts state it: below 0.001 is "< 0.001". */
export const pValue = (p: number | undefined): string => (p === undefined ? '—' : p < 0.001 ? '< 0.001' : p.toFixed(3));

/** A fraction as a percentage with two decimals ("1.05%"). */
export const percent = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** A VaR level as the report names it: 0.01 is "1%". */
export const level = (quantile: number): string => `${Number((100 * quantile).toPrecision(4))}%`;

/** A figure to four significant digits, as the report's sentences give them. */
export const figure = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

/** The verdict on the model against a baseline: the VaR head's baselines are named with their level ("EWMA-normal at 1%"). */
export function verdictFor(
  verdicts: readonly HeadVerdict[],
  head: HeadVerdict['head'],
  baseline: string,
  level?: number,
): HeadVerdict | undefined {
  const name = level === undefined ? baseline : `${baseline} at ${100 * level}%`;
  return verdicts.find((v) => v.head === head && v.baseline === name);
}

/** The class a verdict word is coloured by. */
export const verdictClass = (word: VerdictWord | undefined): string =>
  word === 'beats' ? 'beats' : word === 'does not beat' ? 'loses' : 'unsure';
