/** The user's layout and preferences, kept in the store. */
import { z } from 'zod';
import { DEFAULT_INDICATORS, IndicatorConfigSchema } from './indicator-config';
import { CategorySchema, IntervalSchema, SymbolName } from './market';
import { CamMethod } from './signal';

/** Every field has a default so an old or empty document still parses. */
export const PreferencesSchema = z.object({
  theme: z.enum(['dark', 'light']).default('dark'),
  stream: z.object({ category: CategorySchema, symbol: SymbolName, interval: IntervalSchema }).optional(),
  heatmap: z.object({ visible: z.boolean().default(true), method: CamMethod.default('gradcam') }).prefault({}),
  sidePanel: z.object({ visible: z.boolean().default(true), width: z.number().int().min(200).max(800).default(340) }).prefault({}),
  /**
   * Chart markers only for calls at least this confident (0 to 1) and, unless `showUnproven`, only of
   * a model whose direction head clearly beats its baselines on its own test report; the selected
   * signal's marker always shows. `noticeDismissed`: the line saying the hidden signals are
   * informational was read and closed, so it does not come back.
   */
  markers: z
    .object({
      minConfidence: z.number().min(0).max(1).default(0.5),
      showUnproven: z.boolean().default(false),
      noticeDismissed: z.boolean().default(false),
    })
    .prefault({}),
  /** Also score the candle still forming (a provisional signal, not stored), at most once a second per stream. */
  provisionalSignals: z.boolean().default(false),
  /** The chart's overlays and panes, in the order drawn (panes top to bottom). */
  indicators: z.array(IndicatorConfigSchema).max(30).default(DEFAULT_INDICATORS),
});
export type Preferences = z.output<typeof PreferencesSchema>;
