/** Edits of the chart's indicator list, as the menu and the attribution matrix make them. Pure. */
import type { FeatureChannel } from '../../../../src-shared/domain/feature-spec';
import { INDICATOR_PARAMS, type IndicatorConfig, type IndicatorKind } from '../../../../src-shared/domain/indicator-config';
import { paneChannel } from './indicator-series';

/** A colour per kind, so two new indicators are told apart before the user picks. */
const KIND_COLOURS: Record<IndicatorKind, string> = {
  sma: '#f7c948',
  ema: '#42a5f5',
  bollinger: '#ab47bc',
  vwap: '#ff7043',
  volume: '#26a69a',
  rsi: '#7e57c2',
  macd: '#2962ff',
  channel: '#26c6da',
};

/** The list with a new indicator of `kind` at its end (its default parameters and colour). */
export function addIndicator(list: readonly IndicatorConfig[], kind: IndicatorKind, channel?: FeatureChannel): IndicatorConfig[] {
  const base = kind === 'channel' ? `channel-${(channel ?? '').replaceAll('_', '-')}` : kind;
  let id = base;
  for (let n = 2; list.some((c) => c.id === id); n++) id = `${base}-${n}`;
  const params = INDICATOR_PARAMS[kind].map((p) => p.value);
  return [...list, { id, kind, params, colour: KIND_COLOURS[kind], visible: true, ...(kind === 'channel' ? { channel } : {}) }];
}

export const removeIndicator = (list: readonly IndicatorConfig[], id: string): IndicatorConfig[] => list.filter((c) => c.id !== id);

/** The list with the indicator moved one place up (−1) or down (+1); unchanged at either end. */
export function moveIndicator(list: readonly IndicatorConfig[], id: string, step: -1 | 1): IndicatorConfig[] {
  const from = list.findIndex((c) => c.id === id);
  const to = from + step;
  if (from < 0 || to < 0 || to >= list.length) return [...list];
  const moved = [...list];
  [moved[from], moved[to]] = [moved[to] as IndicatorConfig, moved[from] as IndicatorConfig];
  return moved;
}

export const updateIndicator = (list: readonly IndicatorConfig[], id: string, change: Partial<IndicatorConfig>): IndicatorConfig[] =>
  list.map((c) => (c.id === id ? { ...c, ...change } : c));

/** The list with a visible pane showing the model channel: one already there is shown, else a channel pane is added. */
export function withChannelPane(list: readonly IndicatorConfig[], channel: FeatureChannel): IndicatorConfig[] {
  const existing = list.find((c) => paneChannel(c) === channel);
  return existing === undefined ? addIndicator(list, 'channel', channel) : updateIndicator(list, existing.id, { visible: true });
}
