import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_FILE, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { candlesFromColumns, type Candle } from '../../src-shared/domain/market';
import type { EventPayload } from '../../src-shared/contract/bridge';
import type { Signal } from '../../src-shared/domain/signal';
import { EventHub } from '../../src-main/ipc/dispatch';
import { importCandleCsv } from '../../src-main/market/import-csv';
import { Replays, type ScoreWindow } from '../../src-main/replay/replay';
import { CandleStore } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { tempDir } from '../helpers';

const store = new CandleStore(openDatabase(join(tempDir(), 'store.db')));
importCandleCsv(store, SAMPLE_STREAM, SAMPLE_FILE);
const all = store.range(SAMPLE_STREAM);
const from = (all[1000] as Candle).time;
const to = (all[1099] as Candle).time;

let replays: Replays | undefined;
afterEach(() => replays?.closeAll());

/** A scorer that records what it was shown; its "signal" names the window's last candle. */
function recordingScorer(seen: number[][]): ScoreWindow {
  return async (stream, revealed) => {
    const history = revealed(Infinity);
    seen.push(history.map((c) => c.time));
    const last = history.at(-1) as Candle;
    const signal: Signal = {
      id: -1,
      ...stream,
      candleStart: last.time,
      confirmed: true,
      modelVersion: 'recorder',
      predicted: 'hold',
      probabilities: [0.2, 0.6, 0.2],
      method: 'gradcam',
      windowStarts: [last.time],
      cam: [1],
      features: [],
      inputHash: String(history.length),
      createdAt: 0,
    };
    return signal;
  };
}

describe('replay', () => {
  it('reveals candles one at a time and never shows the model or the chart anything after the cursor', async () => {
    const events = new EventHub();
    const seen: number[][] = [];
    const steps: EventPayload<'replay.step'>[] = [];
    events.listen((name, payload) => {
      if (name === 'replay.step') steps.push(payload as EventPayload<'replay.step'>);
    });
    replays = new Replays(store, events, recordingScorer(seen));
    const { state, revealed } = replays.start({ ...SAMPLE_STREAM, from, to, warmup: 60 });
    expect(state).toMatchObject({ cursor: -1, total: 100 });
    const warmup = candlesFromColumns(revealed);
    expect(warmup).toHaveLength(60);
    expect(Math.max(...warmup.map((c) => c.time))).toBeLessThan(from);

    for (let i = 0; i < 5; i++) await replays.control({ id: state.id, action: 'step' });
    expect(steps.map((s) => s.candle.time)).toEqual(all.slice(1000, 1005).map((c) => c.time));
    steps.forEach((step, i) => {
      expect(step.state.cursor).toBe(i);
      expect(step.signal?.candleStart).toBe(step.candle.time);
      // the model saw exactly the warm-up and the candles up to this one
      expect(seen[i]?.at(-1)).toBe(step.candle.time);
      expect(Math.max(...(seen[i] ?? []))).toBe(step.candle.time);
      expect(seen[i]).toHaveLength(60 + i + 1);
    });
  });

  it('seeks, pauses, plays at up to 1000× and stops', async () => {
    const events = new EventHub();
    replays = new Replays(store, events, undefined);
    const { state } = replays.start({ ...SAMPLE_STREAM, from, to, warmup: 0 });
    const seek = await replays.control({ id: state.id, action: 'seek', time: (all[1049] as Candle).time + 30_000 });
    expect(seek.state.cursor).toBe(49);
    expect(
      candlesFromColumns(seek.revealed ?? { time: [], open: [], high: [], low: [], close: [], volume: [], confirmed: [] }).at(-1)?.time,
    ).toBe((all[1049] as Candle).time);
    const ended = new Promise<void>((resolve) =>
      events.listen((name, payload) => {
        if (name === 'replay.state' && !(payload as { playing: boolean }).playing) resolve();
      }),
    );
    await replays.control({ id: state.id, action: 'play', speed: 1000 }); // 60 ms a candle: 50 left ≈ 3 s
    await ended;
    expect((await replays.control({ id: state.id, action: 'pause' })).state).toMatchObject({ cursor: 99, playing: false });
    await replays.control({ id: state.id, action: 'stop' });
    await expect(replays.control({ id: state.id, action: 'play' })).rejects.toThrow('no replay session');
  });

  it('refuses an empty or inverted range with a clear error', () => {
    replays = new Replays(store, new EventHub(), undefined);
    expect(() => replays?.start({ ...SAMPLE_STREAM, from: to, to: from, warmup: 0 })).toThrow('ends');
    expect(() => replays?.start({ ...SAMPLE_STREAM, from: 0, to: 1000, warmup: 0 })).toThrow('no closed BTCUSDT 1 candles');
  });
});
