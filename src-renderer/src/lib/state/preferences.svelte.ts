/** The user's preferences as the page holds them: loaded once, saved on every change, the theme applied. */
import { CAM_METHODS, type CamMethodName } from '../../../../src-shared/domain/signal';
import type { Preferences } from '../../../../src-shared/domain/preferences';
import type { Bridge } from '../bridge';
import { applyPageTheme } from '../theme';

export class PreferencesState {
  /** Undefined until loaded (and the shown stream checked against the store's streams). */
  value: Preferences | undefined = $state();
  readonly #bridge: Bridge;
  readonly #fail: (err: unknown) => void;

  /** Construct during a component's initialisation: the page follows the theme from then on. */
  constructor(bridge: Bridge, fail: (err: unknown) => void) {
    this.#bridge = bridge;
    this.#fail = fail;
    $effect(() => {
      if (this.value !== undefined) applyPageTheme(this.value.theme);
    });
  }

  load(): Promise<Preferences> {
    return this.#bridge.invoke('preferences.get', {});
  }

  /** Shows the preferences at once and saves them; a failed save is reported, the change stays on screen. */
  async save(next: Preferences): Promise<void> {
    this.value = next;
    try {
      await this.#bridge.invoke('preferences.set', next);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Saves an edit of the loaded preferences; nothing before they are loaded. */
  edit(change: (p: Preferences) => Partial<Preferences>): void {
    if (this.value !== undefined) void this.save({ ...this.value, ...change(this.value) });
  }

  toggleHeatmap(): void {
    this.edit((p) => ({ heatmap: { ...p.heatmap, visible: !p.heatmap.visible } }));
  }

  setMethod(method: CamMethodName): void {
    this.edit((p) => ({ heatmap: { ...p.heatmap, method } }));
  }

  nextMethod(): void {
    this.edit((p) => ({
      heatmap: { ...p.heatmap, method: CAM_METHODS[(CAM_METHODS.indexOf(p.heatmap.method) + 1) % CAM_METHODS.length] ?? 'gradcam' },
    }));
  }

  /** Shows chart markers only for calls at least this confident (0 to 1). */
  setMinConfidence(minConfidence: number): void {
    this.edit((p) => ({ markers: { ...p.markers, minConfidence } }));
  }

  /** Also marks the calls of a model whose direction does not clearly beat its baselines (they are informational). */
  setShowUnproven(showUnproven: boolean): void {
    this.edit((p) => ({ markers: { ...p.markers, showUnproven, noticeDismissed: true } }));
  }

  /** The line saying that unproven direction signals are informational was read: it does not come back. */
  dismissDirectionNotice(): void {
    this.edit((p) => ({ markers: { ...p.markers, noticeDismissed: true } }));
  }

  toggleTheme(): void {
    this.edit((p) => ({ theme: p.theme === 'dark' ? 'light' : 'dark' }));
  }

  toggleProvisional(): void {
    this.edit((p) => ({ provisionalSignals: !p.provisionalSignals }));
  }

  togglePanel(): void {
    this.edit((p) => ({ sidePanel: { ...p.sidePanel, visible: !p.sidePanel.visible } }));
  }

  /** Opens the side panel when it is hidden (saving nothing when it is open). */
  showPanel(): void {
    if (this.value?.sidePanel.visible === false) this.togglePanel();
  }
}
