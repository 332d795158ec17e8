/** Frames of the WebSocket transport; the same contract as Electron IPC, carried as JSON. */
import { z } from 'zod';
import { Envelope, THUMBNAIL_MAX_CHARS } from './contract';

export const BRIDGE_PATH = '/bridge';

/**
 * The largest client frame the transport accepts, in bytes: the largest request of the contract (a
 * thumbnail, ASCII, one byte a character) with room to spare for the frame around it and for JSON
 * escapes. A larger frame cannot be a valid call, so the socket is closed (1009) before it is read.
 */
export const MAX_CLIENT_FRAME_BYTES = THUMBNAIL_MAX_CHARS + (1 << 20);

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
