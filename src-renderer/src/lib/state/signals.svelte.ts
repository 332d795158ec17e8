/**
 * The shown stream's signals and the selected one: the forming candle's provisional signal, and the
 * selection as the chosen method explains it (stored signals are re-explained by the engine with the
 * same model and candles; a replay's signals keep the method they were given with).
 */
import type { BacktestTrade } from '../../../../src-shared/domain/backtest';
import type { Signal } from '../../../../src-shared/domain/signal';
import type { Bridge } from '../bridge';
import { attentionBands } from '../heatmap/attention-bands';
import { candleTopFeatures, explainSignal, FORMING_MARKER_ID, provisionalMarker, signalMarkers } from '../signals';
import { tradeMarkers } from '../trade-markers';
import type { ChartRef } from './chart-handle';
import { DirectionProof } from './direction-proof.svelte';
import { earnedMarkers, unprovenModels } from '../direction-markers';
import type { PreferencesState } from './preferences.svelte';
import { sameStream } from './stream-choice';

export interface SignalsHooks {
  fail: (err: unknown) => void;
  formatTime: (ms: number) => string;
  /** True while a replay holds the chart: live signals stay off it then. */
  replaying: () => boolean;
}

export class SignalsState {
  readonly #prefs: PreferencesState;
  readonly #chart: ChartRef;
  readonly #hooks: SignalsHooks;
  /** Which models' direction signals have earned a marker. */
  readonly proof: DirectionProof;

  list: Signal[] = $state.raw([]);
  /** The latest provisional signal of the shown stream (its candle still forming), until that candle's own arrives. */
  forming: Signal | undefined = $state.raw();
  selected: Signal | undefined = $state.raw();
  /** The selected signal as the chosen method explains it. */
  explained: Signal | undefined = $state.raw();
  /** The explained window, as the heatmap shades it. */
  readonly bands = $derived(this.explained === undefined ? [] : attentionBands(this.explained));
  // Apart, so that a provisional signal (up to once a second) does not rebuild every stored marker.
  readonly #storedMarkers = $derived(signalMarkers(this.list));
  /** The trades of the backtest on screen, marked where they entered and left. */
  trades: BacktestTrade[] = $state.raw([]);
  /** The trades' entry and exit marks: drawn as they are, whatever the signal markers' filter and layout. */
  readonly tradeMarkers = $derived(tradeMarkers(this.trades));
  /** The models of the shown signals whose direction does not clearly beat its baselines. */
  readonly unprovenModels = $derived.by(() => unprovenModels([...this.list, ...(this.forming ? [this.forming] : [])], this.proof.proven));
  /**
   * The markers at least as confident as the preferences ask, of a model whose direction beats its
   * baselines (unless the preferences show the unproven too), and the selected signal's whatever.
   */
  readonly markers = $derived.by(() =>
    earnedMarkers([...this.#storedMarkers, ...provisionalMarker(this.forming)], this.list, this.forming, {
      minConfidence: this.#prefs.value?.markers.minConfidence ?? 0.5,
      showUnproven: this.#prefs.value?.markers.showUnproven ?? false,
      proven: this.proof.proven,
      selectedId: this.selectedMarkerId,
    }),
  );
  /** The chart marker id of the selected signal. */
  readonly selectedMarkerId = $derived(
    this.selected === undefined ? undefined : this.selected === this.forming ? FORMING_MARKER_ID : String(this.selected.id),
  );
  readonly #facts = $derived.by(() =>
    this.explained === undefined ? undefined : explainSignal(this.explained, this.#hooks.formatTime, 3),
  );

  /** Construct during a component's initialisation: it re-explains the selection and follows live signals. */
  constructor(bridge: Bridge, prefs: PreferencesState, chart: ChartRef, hooks: SignalsHooks) {
    this.#prefs = prefs;
    this.#chart = chart;
    this.#hooks = hooks;
    this.proof = new DirectionProof(bridge, hooks.fail);
    void this.proof.load();
    $effect(() => this.proof.follow(this.unprovenModels));
    $effect(() => {
      const signal = this.selected;
      const method = prefs.value?.heatmap.method;
      this.explained = signal;
      if (signal === undefined || method === undefined || signal.id <= 0) return;
      const sameMethod = method === signal.method;
      if (sameMethod && signal.candleFeatures !== undefined) return;
      // A stored signal is explained afresh for its per-candle attribution too (not stored). With the
      // same method the stored explanation already stands, so a failure (e.g. another model is active
      // now) only means the hover shows the window's features.
      bridge.invoke('signals.explain', { id: signal.id, method }).then(
        (fresh) => {
          // A forecast head's explanation picked meanwhile stays (lib/forecast).
          if (this.selected?.id === fresh.id && this.explained?.explains === undefined) this.explained = fresh;
        },
        (err: unknown) => {
          if (!sameMethod) hooks.fail(err);
        },
      );
    });
    $effect(() =>
      bridge.subscribe('signal.created', (signal) => {
        if (hooks.replaying() || !sameStream(signal, prefs.value?.stream)) return;
        this.list = [...this.list.filter((s) => s.id !== signal.id), signal];
        if (this.forming !== undefined && this.forming.candleStart <= signal.candleStart) {
          // Whoever was looking at the forming candle's signal now sees the confirmed one.
          if (this.selected === this.forming) this.selected = signal;
          this.forming = undefined;
        }
      }),
    );
    // The engine scores a first run's stored windows, newest first: the first one scored is shown
    // explained at once, so the heatmap is on screen without a click.
    $effect(() =>
      bridge.subscribe('signals.backfill', (progress) => {
        if (hooks.replaying() || this.selected !== undefined || progress.done === 0 || !sameStream(progress, prefs.value?.stream)) return;
        this.selected = this.list.reduce<Signal | undefined>(
          (newest, s) => (s.candleStart > (newest?.candleStart ?? 0) ? s : newest),
          undefined,
        );
      }),
    );
    $effect(() =>
      bridge.subscribe('signal.provisional', (signal) => {
        const newest = this.list.at(-1)?.candleStart ?? 0;
        if (hooks.replaying() || !sameStream(signal, prefs.value?.stream) || signal.candleStart <= newest) return;
        if (this.selected !== undefined && this.selected === this.forming) this.selected = signal;
        this.forming = signal;
      }),
    );
  }

  /** Another stream: none of the last one's signals stay. */
  clear(): void {
    this.selected = undefined;
    this.list = [];
    this.forming = undefined;
  }

  /** Selects a signal, opening the side panel for it and scrolling the chart to its candle. */
  readonly show = (signal: Signal): void => {
    this.selected = signal;
    this.#prefs.showPanel();
    this.#chart()?.reveal(signal.candleStart);
  };

  /** Selects the signal of a stored id, if the shown stream has it. */
  showId(id: number): void {
    const signal = this.byId(id);
    if (signal !== undefined) this.show(signal);
  }

  /** Selects the signal of a chart marker (the forming one's or a stored one's). */
  showMarker(markerId: string): void {
    const signal = markerId === FORMING_MARKER_ID ? this.forming : this.list.find((s) => String(s.id) === markerId);
    if (signal !== undefined) this.show(signal);
  }

  byId(id: number): Signal | undefined {
    return this.list.find((s) => s.id === id);
  }

  /** The legend's words for a hovered candle of the explained window: its attention and what drove it. */
  readonly describeAttention = (time: number, weight: number): string => {
    const own = this.explained === undefined ? undefined : candleTopFeatures(this.explained, time);
    const drivers =
      own === undefined
        ? `window's top features: ${this.#facts?.features
            .slice(0, 2)
            .map((f) => f.label)
            .join(', ')}`
        : `this candle: ${own.map((f) => `${f.label} ${f.attribution >= 0 ? '+' : '−'}${Math.abs(f.attribution).toFixed(3)}`).join(', ')}`;
    return `attention ${weight.toFixed(2)} · ${drivers} · ${this.#hooks.formatTime(time)}`;
  };
}
