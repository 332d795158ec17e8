/**
 * The candles of a chart beside the main one: the newest page first for a quick paint, then history in
 * pages up to what the chart keeps in memory, and the stream's live updates.
 */
import { candlesFromColumns, type Candle, type StreamKeyValue } from '../../../../src-shared/domain/market';
import type { Bridge } from '../bridge';
import { MAX_IN_MEMORY } from '../chart-data';
import type { ChartHandle } from '../state/chart-handle';
import { sameStream } from '../state/stream-choice';

const FIRST_PAINT = 1_000;
const HISTORY_PAGE = 20_000;

export class ChartFeed {
  candles: Candle[] = $state.raw([]);
  #shown: StreamKeyValue | undefined;

  /** Construct during a component's initialisation: it follows the stream and its live candles. */
  constructor(
    private readonly bridge: Bridge,
    private readonly stream: () => StreamKeyValue | undefined,
    private readonly chart: () => ChartHandle | undefined,
    fail: (err: unknown) => void,
  ) {
    $effect(() => {
      const key = stream();
      if (key !== undefined) this.#load(key).catch(fail);
    });
    $effect(() =>
      bridge.subscribe('candle.updated', (event) => {
        if (sameStream(event, this.#shown)) this.chart()?.update(event.candle);
      }),
    );
  }

  readonly loadOlder = async (before: number): Promise<Candle[]> => {
    const key = this.#shown;
    return key === undefined
      ? []
      : candlesFromColumns(await this.bridge.invoke('candles.range', { ...key, to: before - 1, limit: HISTORY_PAGE }));
  };

  async #load(key: StreamKeyValue): Promise<void> {
    this.#shown = undefined;
    const newest = candlesFromColumns(await this.bridge.invoke('candles.range', { ...key, limit: FIRST_PAINT }));
    const stillShown = () => sameStream(key, this.stream());
    if (!stillShown()) return;
    this.candles = newest;
    this.#shown = key;
    let oldest = newest[0]?.time;
    let held = newest.length;
    while (oldest !== undefined && held < MAX_IN_MEMORY && newest.length === FIRST_PAINT) {
      const page = candlesFromColumns(
        await this.bridge.invoke('candles.range', { ...key, to: oldest - 1, limit: Math.min(HISTORY_PAGE, MAX_IN_MEMORY - held) }),
      );
      if (!stillShown() || page.length === 0) return;
      this.chart()?.prepend(page);
      held += page.length;
      oldest = page[0]?.time;
    }
  }
}
