/**
 * What the page knows of the feed: each stream's state (live / reconnecting / repairing / failed)
 * with its reason and since when, whether the exchange is unreachable, and the background scoring
 * of stored windows (a first run's sample). The chart, the watchlist and the offline banner read it.
 */
import type { EventPayload } from '../../../../src-shared/contract/bridge';
import { isUnreachable, UP_STATES, type FeedHealth, type StreamHealth } from '../../../../src-shared/domain/health';
import type { StreamKeyValue } from '../../../../src-shared/domain/market';
import type { Bridge } from '../bridge';
import { sameStream } from './stream-choice';

type StreamRef = Pick<StreamKeyValue, 'category' | 'symbol' | 'interval'>;

/** How a stream on screen stands: followed live, or shown from the store (and why not live). */
export interface StreamCondition {
  /** 'stored': not watched (or no feed); its candles are what the store holds. */
  state: StreamHealth['state'] | 'stored';
  /** Up: live or repairing; stale otherwise (the chart no longer moves with the market). */
  stale: boolean;
  /** Epoch ms since it is up or down; undefined for a stored stream. */
  since: number | undefined;
  error: string | null;
}

export class FeedHealthState {
  health: FeedHealth | undefined = $state.raw();
  /** The background scoring of stored windows, per stream, while it runs. */
  scoring: EventPayload<'signals.backfill'> | undefined = $state.raw();
  /** The exchange cannot be reached: every watched stream down with a reason. */
  readonly offline = $derived(this.health !== undefined && isUnreachable(this.health));
  /** Since when the feed has been down (the earliest stream to go down). */
  readonly offlineSince = $derived(this.offline ? Math.min(...(this.health?.streams.map((s) => s.stateSince) ?? [])) : undefined);
  readonly offlineReason = $derived(this.offline ? (this.health?.streams.find((s) => s.error !== null)?.error ?? null) : null);

  /** Construct during a component's initialisation; `onSampleImported` runs when the engine imports the sample. */
  constructor(bridge: Bridge, onSampleImported: (key: StreamKeyValue) => void) {
    $effect(() => {
      bridge.invoke('feed.health', {}).then(
        (h) => (this.health ??= h),
        // The status bar's own request says when the engine is unreachable.
        () => {},
      );
      const stops = [
        bridge.subscribe('feed.health', (h) => (this.health = h)),
        bridge.subscribe('signals.backfill', (progress) => (this.scoring = progress.done < progress.total ? progress : undefined)),
        bridge.subscribe('sample.imported', onSampleImported),
      ];
      return () => stops.forEach((stop) => stop());
    });
  }

  /** The state of a stream as the feed reports it; 'stored' when the feed does not follow it. */
  condition(key: StreamRef | undefined): StreamCondition {
    const stream = key === undefined ? undefined : this.health?.streams.find((s) => sameStream(s, key));
    if (stream === undefined) return { state: 'stored', stale: false, since: undefined, error: null };
    return { state: stream.state, stale: !UP_STATES.has(stream.state), since: stream.stateSince, error: stream.error };
  }
}
