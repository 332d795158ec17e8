/**
 * Which models' direction signals have earned a chart marker: those whose direction head clearly
 * beats every baseline of its own test report. A model without a report (imported) has not. Loaded
 * from the model list, and again when a signal names a model not seen yet (one just trained).
 */
import type { Bridge } from '../bridge';

export class DirectionProof {
  /** Versions whose direction head beats all its baselines. */
  proven: readonly string[] = $state.raw([]);
  /** Every version the list held when last loaded. */
  known: readonly string[] = $state.raw([]);
  /** The list was loaded once: until then no model counts as unproven on screen. */
  loaded = $state(false);
  readonly #bridge: Bridge;
  readonly #fail: (err: unknown) => void;
  #loading: Promise<void> | undefined;
  /** Versions looked up once already: a model no longer registered is not asked for again and again. */
  readonly #asked: string[] = [];

  constructor(bridge: Bridge, fail: (err: unknown) => void) {
    this.#bridge = bridge;
    this.#fail = fail;
  }

  load(): Promise<void> {
    this.#loading ??= this.#bridge
      .invoke('models.list', {})
      .then((models) => {
        this.known = models.map((m) => m.version);
        this.proven = models
          .filter((m) => m.baselinesBeaten !== null && m.baselinesBeaten.beaten === m.baselinesBeaten.of)
          .map((m) => m.version);
        this.loaded = true;
      }, this.#fail)
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  /** Loads the list again when a version is not in it (once per version). */
  follow(versions: Iterable<string>): void {
    const unknown = [...versions].filter((v) => !this.known.includes(v) && !this.#asked.includes(v));
    if (unknown.length === 0) return;
    this.#asked.push(...unknown);
    void this.load();
  }
}
