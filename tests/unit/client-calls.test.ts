import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientCalls, MAX_WAITING_CHARS } from '../../src-main/server/client-calls';

function recorder(canStart = () => true) {
  const seen: string[] = [];
  const calls = new ClientCalls({
    start: (text) => seen.push(`start ${text}`),
    canStart,
    pauseReading: () => seen.push('pause'),
    resumeReading: () => seen.push('resume'),
  });
  return { calls, seen };
}

describe('ClientCalls', () => {
  it('starts the calls in arrival order, one per turn of the event loop', async () => {
    const { calls, seen } = recorder();
    for (const text of ['a', 'b', 'c']) calls.push(text);
    expect(seen).toEqual([]);
    await nextTurn();
    expect(seen).toEqual(['start a']);
    await nextTurn();
    await nextTurn();
    expect(seen).toEqual(['start a', 'start b', 'start c']);
  });

  it('stops reading the client while too much waits, and reads again once it has started', async () => {
    const { calls, seen } = recorder();
    const half = 'x'.repeat(MAX_WAITING_CHARS / 2 + 1);
    calls.push(half);
    calls.push(half);
    calls.push('y');
    expect(seen).toEqual(['pause']);
    for (let i = 0; i < 3; i++) await nextTurn();
    expect(seen.map((entry) => entry.slice(0, 7))).toEqual(['pause', 'resume', 'start x', 'start x', 'start y']);
  });

  it('starts nothing more once the client may not be answered, and forgets what waited', async () => {
    let open = true;
    const { calls, seen } = recorder(() => open);
    calls.push('a');
    calls.push('b');
    await nextTurn();
    open = false;
    await nextTurn();
    calls.push('c');
    await nextTurn();
    expect(seen).toEqual(['start a']);
  });
});
