/** Pure alert matching: which rules a signal fires. */
import { attentionConcentration } from '../../src-shared/domain/attention';
import type { AlertRule } from '../../src-shared/domain/alerts';
import type { Signal } from '../../src-shared/domain/signal';

export interface AlertMatch {
  rule: AlertRule;
  probability: number;
  concentration: number;
}

/**
 * `sharpCam`: the attention of the signal's sharp-move explanation, which a 'sharp' rule's concentration
 * is of; a signal without a sharp-move forecast fires no 'sharp' rule.
 */
export function matchAlerts(
  rules: readonly AlertRule[],
  signal: Signal,
  classes: readonly string[],
  sharpCam: readonly number[] = [],
): AlertMatch[] {
  const callConcentration = attentionConcentration(signal.cam);
  const sharpConcentration = attentionConcentration(sharpCam);
  return rules.flatMap((rule) => {
    const sameSymbol = rule.exchange === signal.exchange && rule.category === signal.category && rule.symbol === signal.symbol;
    const sharp = rule.class === 'sharp';
    const probability = (sharp ? signal.forecasts?.sharpMove : signal.probabilities[classes.indexOf(rule.class)]) ?? 0;
    const concentration = sharp ? sharpConcentration : callConcentration;
    if (sharp && signal.forecasts?.sharpMove === undefined) return [];
    const fires = sameSymbol && probability >= rule.minProbability && concentration >= rule.minConcentration;
    return fires ? [{ rule, probability, concentration }] : [];
  });
}
