/**
 * The stream on screen: which one (kept in the preferences), its candles (the newest page first, then
 * history in pages), live updates merged into the chart, and how many candles the store holds.
 */
import { untrack } from 'svelte';
import type { CallResponse } from '../../../../src-shared/contract/bridge';
import { INTERVALS } from '../../../../src-shared/domain/intervals';
import { candlesFromColumns, type Candle, type StreamKeyValue } from '../../../../src-shared/domain/market';
import type { FormingBucket } from '../../../../src-shared/domain/resample';
import type { Bridge } from '../bridge';
import { MAX_IN_MEMORY } from '../chart-data';
import type { ChartRef } from './chart-handle';
import type { PreferencesState } from './preferences.svelte';
import { formingBucket, resampledIntervals, resampledPage, resampledStream, type ResampledStream } from './resampled-stream';
import type { SignalsState } from './signals.svelte';
import { sameStream, streamKey, type StreamChoice } from './stream-choice';
import { streamTitle } from '../stream-label';

export type StreamSummary = CallResponse<'streams.list'>[number];

const HISTORY_PAGE = 20_000;
const FIRST_PAINT = 1_000;
/** Buckets per page of a resampled timeframe (the most the engine gives at once). */
const RESAMPLED_PAGE = 20_000;

export interface StreamSessionHooks {
  fail: (err: unknown) => void;
  /** True while a replay holds the chart: the live stream stays off it then. */
  replaying: () => boolean;
  /** Ends any replay: showing a stream (another one, or at start) does. */
  endReplay: () => void;
}

export class StreamSession {
  readonly #bridge: Bridge;
  readonly #prefs: PreferencesState;
  readonly #signals: SignalsState;
  readonly #chart: ChartRef;
  readonly #hooks: StreamSessionHooks;

  streams: StreamSummary[] = $state([]);
  /** The candle set the chart holds; another array replaces the chart's series (another stream, a replay). */
  candles: Candle[] = $state.raw([]);
  /** Candles the store holds for the shown stream, for the status bar. */
  storedCount: number | undefined = $state();
  readonly current = $derived.by(() => this.#prefs.value?.stream);
  readonly symbols = $derived(this.streams.map((s) => s.symbol).filter((symbol, i, all) => all.indexOf(symbol) === i));
  readonly intervals = $derived(INTERVALS.filter((i) => this.streams.some((s) => s.symbol === this.current?.symbol && s.interval === i)));
  /** The shown stream's entry in the store's list (its span of candles). */
  readonly summary = $derived(this.streams.find((s) => sameStream(s, this.current)));
  /** The shown timeframe when it is resampled from the symbol's stored 1-minute stream, and the timeframes that can be. */
  readonly resampled = $derived(resampledStream(this.streams, this.current));
  readonly resampledIntervals = $derived(resampledIntervals(this.streams, this.current?.symbol));
  /** The chart's title: the stream, and for a resampled timeframe where it comes from and that no model scores it (models score their own interval's streams). */
  readonly title = $derived(`${streamTitle(this.current)}${this.resampled === undefined ? '' : ' (from 1m; no model signals here)'}`);

  /**
   * The stream whose candles the chart holds (none during a replay). Live updates go to the chart only
   * for it: after a switch, the chart holds the previous stream until the new one's candles arrive.
   */
  #chartStream: StreamKeyValue | undefined;
  /** For a resampled timeframe on the chart: its forming bucket, fed by its 1-minute stream's pushes. */
  #live: { stream: ResampledStream; bucket: FormingBucket } | undefined;
  /** The first page of the last-used stream, asked for at start before the rest of the app renders. */
  #prefetched: { key: StreamKeyValue; page: Promise<CallResponse<'candles.range'>> } | undefined;
  /** The stream whose count is still to be asked for while one count is in flight. */
  #countNext: StreamKeyValue | undefined;
  #counting = false;

  /** Construct during a component's initialisation: it follows the chosen stream and its live candles. */
  constructor(bridge: Bridge, prefs: PreferencesState, signals: SignalsState, chart: ChartRef, hooks: StreamSessionHooks) {
    this.#bridge = bridge;
    this.#prefs = prefs;
    this.#signals = signals;
    this.#chart = chart;
    this.#hooks = hooks;
    // Another stream ends any replay and loads that stream; only `current` is tracked here.
    $effect(() => {
      const current = this.current;
      if (current === undefined) return;
      untrack(() => {
        hooks.endReplay();
        this.load(streamKey(current)).catch(hooks.fail);
      });
    });
    $effect(() =>
      bridge.subscribe('candle.updated', (event) => {
        const live = this.#live;
        const bucket = live !== undefined && sameStream(event, live.stream.source) ? live.bucket.push(event.candle) : undefined;
        if (bucket !== undefined) this.#chart()?.update(bucket);
        if (!sameStream(event, this.#chartStream)) return;
        this.#chart()?.update(event.candle);
        // The count of the stream the candle came from: the chart may already be switching to another (a resampled one has none).
        if (event.candle.confirmed) this.#refreshStoredCount(streamKey(event)).catch(hooks.fail);
      }),
    );
  }

  /** Loads the store's streams and the preferences, the shown stream checked against the streams stored. */
  async open(): Promise<void> {
    const preferences = this.#prefs.load().then((prefs) => {
      if (prefs.stream !== undefined) this.#prefetched = { key: streamKey(prefs.stream), page: this.#firstPage(streamKey(prefs.stream)) };
      return prefs;
    });
    const [list, prefs] = await Promise.all([this.#bridge.invoke('streams.list', {}), preferences]);
    this.streams = list;
    const stored = list.find((s) => sameStream(s, prefs.stream)) ?? list[0];
    const kept = resampledStream(list, prefs.stream) !== undefined || stored === undefined;
    this.#prefs.value = {
      ...prefs,
      stream: kept ? prefs.stream : { category: stored.category, symbol: stored.symbol, interval: stored.interval },
    };
  }

  /** Lists the stored streams again (the engine imported the sample); shows the first when the chosen one holds nothing. */
  async refreshStreams(): Promise<void> {
    this.streams = await this.#bridge.invoke('streams.list', {});
    const first = this.streams[0];
    if (first === undefined || this.summary !== undefined || this.resampled !== undefined) return;
    const choice = { category: first.category, symbol: first.symbol, interval: first.interval };
    if (sameStream(choice, this.current)) await this.load(streamKey(choice));
    else this.choose(choice);
  }

  choose(stream: StreamChoice): void {
    const prefs = this.#prefs.value;
    if (prefs === undefined || sameStream(stream, prefs.stream)) return;
    this.#signals.clear();
    void this.#prefs.save({ ...prefs, stream });
  }

  /** Shows the chosen stream at once; the stream list (switchers) catches up after, so a later choice is never undone. */
  async pick(key: StreamKeyValue): Promise<void> {
    this.choose({ category: key.category, symbol: key.symbol, interval: key.interval });
    this.streams = await this.#bridge.invoke('streams.list', {});
  }

  chooseSymbol(symbol: string): void {
    const first =
      this.streams.find((s) => s.symbol === symbol && s.interval === this.current?.interval) ??
      this.streams.find((s) => s.symbol === symbol);
    if (first !== undefined) this.choose({ category: first.category, symbol, interval: first.interval });
  }

  stepInterval(step: 1 | -1): void {
    const { current, intervals } = this;
    if (current === undefined || intervals.length === 0) return;
    const next = intervals[(intervals.indexOf(current.interval) + step + intervals.length) % intervals.length];
    if (next !== undefined) this.choose({ ...current, interval: next });
  }

  /** Shows the current stream live again (after a replay). */
  async reload(): Promise<void> {
    if (this.current !== undefined) await this.load(streamKey(this.current)).catch(this.#hooks.fail);
  }

  /** Puts a replay's revealed candles on the chart; live updates stay off it until a stream is loaded again. */
  showReplay(revealed: Candle[]): void {
    this.candles = revealed;
    this.#chartStream = undefined;
    this.#live = undefined;
  }

  /** Candles older than the given start (ms) of the shown stream: the chart asks when scrolled to its left edge. */
  readonly loadOlder = async (before: number): Promise<Candle[]> =>
    this.current === undefined
      ? []
      : this.resampled !== undefined
        ? resampledPage(this.#bridge, this.resampled, RESAMPLED_PAGE, before)
        : candlesFromColumns(
            await this.#bridge.invoke('candles.range', { ...streamKey(this.current), to: before - 1, limit: HISTORY_PAGE }),
          );

  async load(key: StreamKeyValue): Promise<void> {
    const resampled = resampledStream(this.streams, key);
    if (resampled !== undefined) return this.#loadResampled(key, resampled);
    this.#live = undefined;
    // The newest candles first, for a quick first paint; then the rest of the 100k kept in memory.
    const early = this.#prefetched !== undefined && sameStream(key, this.#prefetched.key) ? this.#prefetched.page : undefined;
    this.#prefetched = undefined;
    const newest = candlesFromColumns(await (early ?? this.#firstPage(key)));
    const stillShown = () => !this.#hooks.replaying() && sameStream(key, this.current);
    if (!stillShown()) return;
    this.storedCount = undefined;
    this.candles = newest;
    this.#chartStream = key;
    this.#refreshStoredCount(key).catch(this.#hooks.fail);
    const stored = await this.#bridge.invoke('signals.list', { ...key, limit: 5_000 });
    if (stillShown()) this.#signals.list = stored;
    // History in pages: no single reply is big enough to stall the engine or the page during live updates.
    let oldest = newest[0]?.time;
    let held = newest.length;
    while (oldest !== undefined && held < MAX_IN_MEMORY) {
      const page = candlesFromColumns(
        await this.#bridge.invoke('candles.range', { ...key, to: oldest - 1, limit: Math.min(HISTORY_PAGE, MAX_IN_MEMORY - held) }),
      );
      if (!stillShown()) return;
      this.#chart()?.prepend(page);
      held += page.length;
      oldest = page[0]?.time;
    }
  }

  /** A resampled timeframe: the newest buckets, its forming bucket kept live, then history in pages. */
  async #loadResampled(key: StreamKeyValue, stream: ResampledStream): Promise<void> {
    this.#prefetched = undefined;
    const newest = await resampledPage(this.#bridge, stream, FIRST_PAINT);
    const bucket = await formingBucket(this.#bridge, stream, newest.at(-1));
    const stillShown = () => !this.#hooks.replaying() && sameStream(key, this.current);
    if (!stillShown()) return;
    this.storedCount = undefined;
    this.candles = newest;
    this.#chartStream = undefined;
    this.#live = { stream, bucket };
    this.#signals.list = [];
    let oldest = newest[0]?.time;
    let held = newest.length;
    while (oldest !== undefined && held < MAX_IN_MEMORY) {
      const page = await resampledPage(this.#bridge, stream, Math.min(RESAMPLED_PAGE, MAX_IN_MEMORY - held), oldest);
      if (!stillShown()) return;
      this.#chart()?.prepend(page);
      held += page.length;
      oldest = page[0]?.time;
    }
  }

  #firstPage(key: StreamKeyValue): Promise<CallResponse<'candles.range'>> {
    return this.#bridge.invoke('candles.range', { ...key, limit: FIRST_PAINT });
  }

  /**
   * Counts the stream's stored candles, at most one count in flight: a backfill announces every
   * candle it writes, and each count reads the whole stream.
   */
  async #refreshStoredCount(key: StreamKeyValue): Promise<void> {
    this.#countNext = key;
    if (this.#counting) return;
    this.#counting = true;
    try {
      while (this.#countNext !== undefined) {
        const asked = this.#countNext;
        this.#countNext = undefined;
        const { count } = await this.#bridge.invoke('candles.count', asked);
        if (sameStream(asked, this.current)) this.storedCount = count;
      }
    } finally {
      this.#counting = false;
    }
  }
}
