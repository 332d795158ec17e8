/** Notices when the feed cannot reach the exchange at all: every watched stream down, with a reason. */
import type { FeedHealth } from '../../src-shared/domain/health';

const UP_STATES: ReadonlySet<string> = new Set(['live', 'repairing']);

/** Whether every watched stream is down with a reason (no network, a refused endpoint, a failed backfill). */
export function isUnreachable(health: FeedHealth): boolean {
  return health.streams.length > 0 && health.streams.every((s) => !UP_STATES.has(s.state) && s.error !== null);
}

/** Calls `onUnreachable` once, the first time the feed's health says it is unreachable; returns a stop. */
export function watchUnreachable(health: () => FeedHealth, onUnreachable: () => void, everyMs = 500): () => void {
  const timer = setInterval(() => {
    if (!isUnreachable(health())) return;
    clearInterval(timer);
    onUnreachable();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
