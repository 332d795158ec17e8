/**
 * The CAM method a model's signals are explained by unless one is asked for: the one its trust
 * report measured best on its test period (ROAD, ../explain/trust's defaultMethod), or Grad-CAM for
 * a model whose report has none.
 */
import { TrustReportSchema } from '../../src-shared/domain/trust-report';
import type { CamMethodName } from '../../src-shared/domain/signal';
import type { ModelMetadata } from '../model/model-file';

const Measured = TrustReportSchema.pick({ defaultMethod: true });

export function measuredDefaultMethod(metadata: ModelMetadata | undefined): CamMethodName {
  const test = metadata?.metrics?.test;
  const trust = typeof test === 'object' && test !== null && 'trust' in test ? test.trust : undefined;
  const parsed = Measured.safeParse(trust);
  return parsed.success ? parsed.data.defaultMethod.method : 'gradcam';
}
