/** Notices when the feed cannot reach the exchange at all: every watched stream down, with a reason. */
import { isUnreachable, type FeedHealth } from '../../src-shared/domain/health';

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
