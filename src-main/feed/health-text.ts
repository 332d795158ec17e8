/** One line per stream of feed health, for `serve`'s log. Pure. */
import type { StreamHealth } from '../ipc/contract';

export function healthLine(s: StreamHealth): string {
  const age = s.lastMessageAgeMs === null ? 'no message yet' : `last message ${(s.lastMessageAgeMs / 1000).toFixed(1)} s ago`;
  const rejected = Object.entries(s.rejected)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const backfill = s.backfill === null ? '' : `, backfill ${s.backfill.done}/${s.backfill.total} pages`;
  return (
    `${s.category} ${s.symbol} ${s.interval}: ${s.state}, ${age}, ${s.messagesPerSecond} msg/s, ${s.reconnects} reconnects, ` +
    `${s.rowsBackfilled} rows backfilled${backfill}, rejected: ${rejected || 'none'}${s.error ? `, error: ${s.error}` : ''}`
  );
}
