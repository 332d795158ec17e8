/** Pure alert matching: which rules a signal fires. */
import { attentionConcentration } from '../../src-shared/domain/attention';
import type { AlertRule } from '../../src-shared/domain/alerts';
import type { Signal } from '../../src-shared/domain/signal';

export interface AlertMatch {
  rule: AlertRule;
  probability: number;
  concentration: number;
}

export function matchAlerts(rules: readonly AlertRule[], signal: Signal, classes: readonly string[]): AlertMatch[] {
  const concentration = attentionConcentration(signal.cam);
  return rules.flatMap((rule) => {
    const sameSymbol = rule.exchange === signal.exchange && rule.category === signal.category && rule.symbol === signal.symbol;
    const probability = signal.probabilities[classes.indexOf(rule.class)] ?? 0;
    const fires = sameSymbol && probability >= rule.minProbability && concentration >= rule.minConcentration;
    return fires ? [{ rule, probability, concentration }] : [];
  });
}
