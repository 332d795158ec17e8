/** The dialogs that are open, and the actions the header's buttons and the keyboard shortcuts run. */
import type { FeatureChannel } from '../../../../src-shared/domain/feature-spec';
import { withChannelPane } from '../indicators/indicator-list';
import { shortcutFor, type ShortcutAction } from '../shortcuts';
import type { ChartRef } from './chart-handle';
import { exportChartPng, type ChartExportTargets } from './chart-export';
import type { DrawingTools } from './drawing-tools.svelte';
import type { LayoutState } from './layout.svelte';
import type { PreferencesState } from './preferences.svelte';
import type { ReplaySession } from './replay.svelte';
import type { SignalsState } from './signals.svelte';
import type { StreamSession } from './stream-session.svelte';

export interface CommandTargets extends ChartExportTargets {
  prefs: PreferencesState;
  session: StreamSession;
  signals: SignalsState;
  replay: ReplaySession;
  chart: ChartRef;
  drawings: DrawingTools;
  layout: LayoutState;
}

export class Commands {
  models = $state(false);
  backtest = $state(false);
  audit = $state(false);
  help = $state(false);
  readonly #prefs: PreferencesState;
  readonly #chart: ChartRef;
  readonly #actions: Record<ShortcutAction, () => void>;

  constructor(targets: CommandTargets) {
    const { prefs, session, signals, replay, chart, drawings, layout } = targets;
    this.#prefs = prefs;
    this.#chart = chart;
    this.#actions = {
      toggleHeatmap: () => prefs.toggleHeatmap(),
      nextMethod: () => prefs.nextMethod(),
      toggleTheme: () => prefs.toggleTheme(),
      fit: () => chart()?.fit(),
      nextInterval: () => session.stepInterval(1),
      previousInterval: () => session.stepInterval(-1),
      togglePanel: () => prefs.togglePanel(),
      closeExplanation: () => {
        signals.selected = undefined;
        this.models = false;
        this.audit = false;
        this.help = false;
        drawings.cancel();
      },
      help: () => (this.help = !this.help),
      toggleModels: () => (this.models = !this.models),
      toggleBacktest: () => (this.backtest = !this.backtest),
      toggleAudit: () => (this.audit = !this.audit),
      toggleReplay: () => replay.toggle(),
      exportPng: () => void exportChartPng(targets),
      drawHorizontalLine: () => drawings.pick('hline'),
      drawHorizontalRay: () => drawings.pick('hray'),
      drawTrendLine: () => drawings.pick('trend'),
      drawRectangle: () => drawings.pick('rect'),
      drawNote: () => drawings.pick('text'),
      lockDrawing: () => drawings.toggleLock(),
      deleteDrawing: () => drawings.deleteSelected(),
      layoutOne: () => layout.setCharts(1),
      layoutTwo: () => layout.setCharts(2),
      layoutFour: () => layout.setCharts(4),
      toggleSyncCrosshair: () => layout.toggleSyncCrosshair(),
      toggleSyncTime: () => layout.toggleSyncTime(),
    };
  }

  /** A cell of the attribution matrix: its candle brought into view, and a pane of its channel shown. */
  readonly jump = (time: number, channel: FeatureChannel): void => {
    this.#prefs.edit((p) => ({ indicators: withChannelPane(p.indicators, channel) }));
    this.#chart()?.reveal(time);
  };

  /** Runs an action once the preferences are loaded (the page shows no controls before). */
  readonly run = (action: ShortcutAction): void => {
    if (this.#prefs.value !== undefined) this.#actions[action]();
  };

  readonly onKey = (event: KeyboardEvent): void => {
    const action = shortcutFor(event);
    if (action === undefined) return;
    event.preventDefault();
    this.run(action);
  };
}
