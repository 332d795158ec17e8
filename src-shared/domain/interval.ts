/** A figure with its 95% confidence interval (its own file: the evaluation report and the risk report both use it, and the first holds the second). */
import { z } from 'zod';

export const Interval95Schema = z.object({ value: z.number(), low: z.number(), high: z.number() });
export type Interval95 = z.output<typeof Interval95Schema>;
