/** Whether a model beats its baselines, by the one rule the evaluation report's verdicts state (pure). */
import { directionVerdict, type ClassificationReport, type EvaluationReport } from '../../src-shared/domain/evaluation';

/** Beaten: the model's 95% interval of balanced accuracy lies wholly above the baseline's. */
export function beatsBaseline(model: ClassificationReport, baseline: ClassificationReport): boolean {
  return directionVerdict(model, baseline) === 'beats';
}

/** How many of its report's baselines a model clearly beats, of how many. */
export function baselinesBeaten(report: EvaluationReport): { beaten: number; of: number } {
  const baselines = [report.baselines.majorityClass, report.baselines.lastReturnSign];
  return { beaten: baselines.filter((b) => beatsBaseline(report.model, b)).length, of: baselines.length };
}
