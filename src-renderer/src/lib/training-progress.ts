/** How far a training run is, from its progress events (pure). */
import type { EventPayload } from '../../../src-shared/contract/bridge';

type Progress = EventPayload<'training.progress'>;

/**
 * The run's progress after an event: a stage line ('evaluating …') carries no epoch, so the epoch and
 * batch of the run's previous event are kept; another run's event replaces it.
 */
export function mergeProgress(previous: Progress | undefined, next: Progress): Progress {
  if (previous === undefined || previous.trainingId !== next.trainingId || next.epoch !== undefined) return next;
  const { epoch, epochs, batch, batches } = previous;
  return { ...next, epoch, epochs, batch, batches };
}

/** The share of the run done, 0 to 1: whole epochs plus the batches of the current one. */
export function trainingFraction(p: Progress): number {
  if (p.state === 'done') return 1;
  if (p.epoch === undefined || p.epochs === undefined || p.epochs === 0) return 0;
  // An event without a batch closes its epoch.
  const withinEpoch = p.batch !== undefined && p.batches !== undefined && p.batches > 0 ? p.batch / p.batches : 1;
  return Math.min(1, Math.max(0, (p.epoch - 1 + withinEpoch) / p.epochs));
}

/** "epoch n of N · batch b of B", or '' before the first epoch. */
export function epochLine(p: Progress): string {
  if (p.epoch === undefined || p.epochs === undefined) return '';
  const batch = p.batch !== undefined && p.batches !== undefined ? ` · batch ${p.batch} of ${p.batches}` : '';
  return `epoch ${p.epoch} of ${p.epochs}${batch}`;
}
