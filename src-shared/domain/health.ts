/** The live feed's health, as the status bar and `serve`'s log show it. */
import { z } from 'zod';
import { StreamKey } from './market';

/** Why a frame or row from the exchange was refused, by kind (see market/bybit/protocol.ts REJECT_KINDS). */
const RejectCounts = z.record(z.string(), z.number().int().nonnegative());

/** 'repairing': live, while a hole a push revealed is filled by REST. */
export const STREAM_STATES = ['connecting', 'subscribing', 'live', 'repairing', 'reconnecting', 'stopped', 'failed'] as const;

export const StreamHealthSchema = StreamKey.extend({
  state: z.enum(STREAM_STATES),
  /** Milliseconds since the last push on this stream; null before the first. */
  lastMessageAgeMs: z.number().nonnegative().nullable(),
  messagesPerSecond: z.number().nonnegative(),
  reconnects: z.number().int().nonnegative(),
  rowsBackfilled: z.number().int().nonnegative(),
  backfill: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
  rejected: RejectCounts,
  error: z.string().nullable(),
  /** When (epoch ms) the stream last came up (live or repairing) or went down (any other state). */
  stateSince: z.number().nonnegative(),
});
export type StreamHealth = z.output<typeof StreamHealthSchema>;

/** States in which a stream follows the exchange: live, or live while a hole is filled. */
export const UP_STATES: ReadonlySet<StreamHealth['state']> = new Set(['live', 'repairing']);

export const FeedHealthSchema = z.object({
  /** Where candles come from: 'off', 'bybit mainnet', 'replay', or the endpoint. */
  source: z.string(),
  streams: z.array(StreamHealthSchema),
  /** Rejected frames by kind over all connections, including those no stream could own. */
  rejected: RejectCounts,
  /** Added latency of the most recent `frames` pushed frames, received → stored → event delivered; null before any. */
  latency: z.object({ p50Ms: z.number(), p99Ms: z.number(), frames: z.number().int() }).nullable(),
});
export type FeedHealth = z.output<typeof FeedHealthSchema>;

/** Backfill of one stream: pages fetched of pages needed (the total grows if time passes meanwhile). */
export const BackfillProgressSchema = StreamKey.extend({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
});

/** Whether the exchange is unreachable: every watched stream down, with a reason (no network, a refused endpoint). */
export function isUnreachable(health: FeedHealth): boolean {
  return health.streams.length > 0 && health.streams.every((s) => !UP_STATES.has(s.state) && s.error !== null);
}
