/**
 * How the bridge travels: every reply is an envelope, Electron IPC carries (name, payload) over two
 * channels, and the WebSocket transport carries the same as JSON frames.
 */
import { z } from 'zod';
import { MAX_THUMBNAIL_CHARS } from '../domain/alerts';
import { MAX_IMPORT_MODEL_CHARS } from '../domain/model';
import type { CallName, EventName } from './bridge';

export const ERROR_CODES = ['unknown_call', 'bad_request', 'bad_response', 'handler_failed', 'transport'] as const;
export type BridgeErrorCode = (typeof ERROR_CODES)[number];

/** Every call answers with an envelope, so a refusal reaches the caller as data, never as a crash. */
export const Envelope = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
  }),
]);
export type EnvelopeValue = z.output<typeof Envelope>;

/**
 * What a transport hands the renderer before validation: one function per call of the contract and
 * a subscription per event. The preload builds it from `calls`/`events`, so it exposes exactly the
 * contract; the WebSocket client builds the same shape.
 */
export interface RawBridge {
  calls: { [K in CallName]: (request: unknown) => Promise<unknown> };
  subscribe(name: EventName, listener: (payload: unknown) => void): () => void;
}

/** Electron IPC channel names. */
export const INVOKE_CHANNEL = 'candle-lens:invoke';
export const EVENT_CHANNEL = 'candle-lens:event';

/** The WebSocket transport's path on `serve`. */
export const BRIDGE_PATH = '/bridge';

/**
 * The largest client frame the transport accepts, in bytes: the largest request of the contract (a
 * thumbnail or an imported model's JSON, ASCII, one byte a character) with room to spare for the frame around it and for JSON
 * escapes. A larger frame cannot be a valid call, so the socket is closed (1009) before it is read.
 */
export const MAX_CLIENT_FRAME_BYTES = Math.max(MAX_THUMBNAIL_CHARS, MAX_IMPORT_MODEL_CHARS) + (1 << 20);

export const ClientFrame = z.object({
  id: z.number().int(),
  call: z.string(),
  payload: z.unknown(),
});
export type ClientFrameValue = z.output<typeof ClientFrame>;

export const ServerFrame = z.union([
  z.object({ id: z.number().int().nullable(), reply: Envelope }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
export type ServerFrameValue = z.output<typeof ServerFrame>;
