/** Feed health as `serve`'s log prints it: one line per stream, then one for the whole feed. Pure. */
import type { FeedHealth, StreamHealth } from '../../src-shared/domain/health';

const rejectCounts = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'none';

export function healthLines(health: FeedHealth): string[] {
  const latency =
    health.latency === null ? 'no push yet' : `p50 ${health.latency.p50Ms.toFixed(2)} ms, p99 ${health.latency.p99Ms.toFixed(2)} ms`;
  return [
    ...health.streams.map(streamLine),
    `feed ${health.source}: latency ${latency}; rejected over all connections (frames no stream could own included): ${rejectCounts(health.rejected)}`,
  ];
}

function streamLine(s: StreamHealth): string {
  const age = s.lastMessageAgeMs === null ? 'no message yet' : `last message ${(s.lastMessageAgeMs / 1000).toFixed(1)} s ago`;
  const backfill = s.backfill === null ? '' : `, backfill ${s.backfill.done}/${s.backfill.total} pages`;
  return (
    `${s.category} ${s.symbol} ${s.interval}: ${s.state}, ${age}, ${s.messagesPerSecond} msg/s, ${s.reconnects} reconnects, ` +
    `${s.rowsBackfilled} rows backfilled${backfill}, rejected: ${rejectCounts(s.rejected)}${s.error ? `, error: ${s.error}` : ''}`
  );
}
