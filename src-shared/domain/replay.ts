/** Where a replay of a stored range is. */
import { z } from 'zod';
import { EpochMs } from './market';

export const ReplayStateSchema = z.object({
  id: z.string(),
  cursor: z.number().int(),
  total: z.number().int(),
  time: EpochMs,
  playing: z.boolean(),
  speed: z.number(),
  late: z.number().int(),
});
export type ReplayState = z.output<typeof ReplayStateSchema>;
