/** Frames of the WebSocket transport; the same contract as Electron IPC, carried as JSON. */
import { z } from 'zod';
import { Envelope } from './contract';

export const BRIDGE_PATH = '/bridge';

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
