/** How far a training run is, as the Models view draws it from the engine's progress events. */
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src-shared/contract/bridge';
import { epochLine, mergeProgress, trainingFraction } from '../../src-renderer/src/lib/training-progress';

type Progress = EventPayload<'training.progress'>;
const running = (p: Partial<Progress>): Progress => ({ trainingId: 1, state: 'running', ...p });

describe('training progress', () => {
  it('moves through every batch of every epoch and is full when done', () => {
    // The events of a 2-epoch run of 4 batches each, as the worker sends them.
    const events = [
      running({ stage: 'starting' }),
      ...[1, 2].flatMap((epoch) => [
        ...[1, 2, 3, 4].map((batch) => running({ epoch, epochs: 2, batch, batches: 4 })),
        running({ epoch, epochs: 2, trainLoss: 1.1, validationLoss: 1.2 }),
      ]),
      running({ stage: 'evaluating on 500 test windows' }),
      { trainingId: 1, state: 'done', version: 'fincnn-x' } as Progress,
    ];
    let shown: Progress | undefined;
    const fractions = events.map((e) => trainingFraction((shown = mergeProgress(shown, e))));
    expect(fractions).toEqual([0, 0.125, 0.25, 0.375, 0.5, 0.5, 0.625, 0.75, 0.875, 1, 1, 1, 1]);
    expect(epochLine(running({ epoch: 1, epochs: 2, batch: 3, batches: 4 }))).toBe('epoch 1 of 2 · batch 3 of 4');
    expect(epochLine(running({ stage: 'starting' }))).toBe('');
  });

  it('keeps the epoch through a stage line, but not into another run', () => {
    const epoch = running({ epoch: 2, epochs: 5, batch: 1, batches: 10 });
    expect(mergeProgress(epoch, running({ stage: 'evaluating' }))).toMatchObject({ epoch: 2, epochs: 5, stage: 'evaluating' });
    expect(mergeProgress(epoch, { trainingId: 2, state: 'queued' }).epoch).toBeUndefined();
  });
});
