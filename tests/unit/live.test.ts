import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundledModelPath, createEngine, type Engine } from '../../src-main/engine/engine';
import { PROVISIONAL_EVERY_MS } from '../../src-main/signals/live-scorer';
import { MAX_QUEUED_TRAININGS } from '../../src-main/signals/training-jobs';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { EventPayload } from '../../src-shared/contract/bridge';
import type { Signal } from '../../src-shared/domain/signal';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import { callEngine, sharedCsvHead, tempDir } from '../helpers';

const key: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 1400), '1');
let engine: Engine;
let modelDir: string;
const created: Signal[] = [];

const call = <T>(name: string, payload: unknown) => callEngine<T>(engine, name, payload);

function confirm(candle: Candle): void {
  engine.bus.emit('candle.updated', { ...key, candle });
}

beforeAll(async () => {
  await useBackend(['wasm', 'cpu']);
  const dir = tempDir();
  // A tiny model with the default window (60) and warm-up, trained on the first 1000 candles.
  const job = TrainJobSchema.parse({
    source: 'test',
    interval: '1',
    features: DEFAULT_FEATURE_SPEC,
    labels: DEFAULT_LABEL_SPEC,
    convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
    settings: { epochs: 1, batchSize: 64, stride: 3 },
    modelsDir: join(dir, 'models'),
  });
  modelDir = (await trainAndSave(job, candles.slice(0, 1000))).dir;
  engine = createEngine({
    storePath: join(dir, 'store.db'),
    seedSample: false,
    market: false,
    modelPath: modelDir,
    modelsDir: join(dir, 'trained'),
  });
  engine.events.listen((name, payload) => {
    if (name === 'signal.created') created.push(payload as EventPayload<'signal.created'>);
  });
  engine.store.write(key, candles.slice(0, 1300));
  await engine.model?.ready;
}, 120_000);

afterAll(() => engine.close());

describe('live scoring', () => {
  it('reports the active model and backend', async () => {
    const info = await call<{ status: string; backend: string; model: { version: string; windowLength: number; channels: string[] } }>(
      'model.info',
      {},
    );
    expect(info.status).toBe('ready');
    expect(['wasm', 'cpu', 'tensorflow']).toContain(info.backend);
    expect(info.model.windowLength).toBe(60);
    expect(info.model.channels.length).toBe(9);
    const models = await call<{ version: string; active: boolean }[]>('models.list', {});
    expect(models.find((m) => m.active)?.version).toBe(info.model.version);
  });

  it('scores every confirmed candle, stores the explained signal and pushes it', async () => {
    const candle = candles[1299] as Candle;
    confirm(candle);
    confirm({ ...(candles[1298] as Candle), confirmed: false });
    await engine.scorer?.idle();
    expect(created.length).toBe(1);
    const signal = created[0] as Signal;
    expect(signal.candleStart).toBe(candle.time);
    expect(signal.windowStarts.length).toBe(60);
    expect(signal.windowStarts.at(-1)).toBe(candle.time);
    expect(signal.cam.length).toBe(60);
    expect(signal.probabilities.length).toBe(3);
    expect(signal.features.map((f) => f.name)).toEqual(DEFAULT_FEATURE_SPEC.channels);
    expect(signal.inputHash).toMatch(/^[0-9a-f]{64}$/);
    // Per-candle attribution and the signal's own deletion test come with the pushed signal; the store keeps what reproduces them.
    const { candleFeatures, deletion, ...kept } = signal;
    expect(candleFeatures?.map((row) => row.length)).toEqual(Array(60).fill(DEFAULT_FEATURE_SPEC.channels.length));
    expect(deletion?.fraction).toBe(0.2);
    const stored = await call<Signal[]>('signals.list', { ...key, from: candle.time, to: candle.time });
    expect(stored).toEqual([kept]);
  });

  it('gives a bit-identical signal for the same model and window', async () => {
    const candle = candles[1299] as Candle;
    const again = await engine.scorer?.scoreCandle(key, candle.time);
    const first = created[0] as Signal;
    expect({ ...again, createdAt: 0 }).toEqual({ ...first, createdAt: 0 });
    const explained = await call<Signal>('signals.explain', { id: first.id, method: first.method });
    expect(explained.cam).toEqual(first.cam);
    expect(explained.probabilities).toEqual(first.probabilities);
    expect(explained.candleFeatures).toEqual(first.candleFeatures);
    const other = await call<Signal>('signals.explain', { id: first.id, method: 'scorecam' });
    expect(other.method).toBe('scorecam');
    expect(other.cam).not.toEqual(first.cam);
  });

  it('replays the stored session with exactly the signals live gave, from the candles so far only', async () => {
    const steps: EventPayload<'replay.step'>[] = [];
    const stop = engine.events.listen((name, payload) => {
      if (name === 'replay.step') steps.push(payload as EventPayload<'replay.step'>);
    });
    const { state } = await call<{ state: { id: string } }>('replay.start', {
      ...key,
      from: (candles[1297] as Candle).time,
      to: (candles[1299] as Candle).time,
      warmup: 200,
    });
    for (let i = 0; i < 3; i++) await call('replay.control', { id: state.id, action: 'step' });
    stop();
    const live = created[0] as Signal;
    const replayed = steps.at(-1)?.signal;
    expect(replayed?.candleStart).toBe(live.candleStart);
    expect({ ...replayed, id: 0, createdAt: 0 }).toEqual({ ...live, id: 0, createdAt: 0 });
    expect(steps.map((s) => s.signal?.windowStarts.at(-1))).toEqual(steps.map((s) => s.candle.time));
  });

  it('replays with a chosen model that is not the active one, and re-explains a signal by the model that gave it', async () => {
    const bundled = bundledModelPath();
    if (bundled === undefined) throw new Error('no bundled model in resources/models');
    await engine.model?.useModel(bundled);
    try {
      const live = created[0] as Signal;
      const steps: EventPayload<'replay.step'>[] = [];
      const stop = engine.events.listen((name, payload) => {
        if (name === 'replay.step') steps.push(payload as EventPayload<'replay.step'>);
      });
      const { state } = await call<{ state: { id: string } }>('replay.start', {
        ...key,
        from: live.candleStart,
        to: live.candleStart,
        warmup: 200,
        modelVersion: live.modelVersion,
      });
      await call('replay.control', { id: state.id, action: 'step' });
      stop();
      expect({ ...steps[0]?.signal, id: 0, createdAt: 0 }).toEqual({ ...live, id: 0, createdAt: 0 });
      const again = await call<Signal>('signals.explain', { id: live.id, method: live.method });
      expect(again.modelVersion).toBe(live.modelVersion);
      expect(again.cam).toEqual(live.cam);
      await expect(call('replay.start', { ...key, from: live.candleStart, to: live.candleStart, modelVersion: 'nope' })).rejects.toThrow(
        'no registered model nope',
      );
    } finally {
      await engine.model?.useModel(modelDir);
    }
  });

  it('scores live candles, not the history a backfill brings in', async () => {
    const live = candles[1299] as Candle;
    const withFeed = createEngine({
      storePath: join(tempDir(), 'feed.db'),
      seedSample: false,
      modelPath: modelDir,
      // A feed with nothing to watch (no network), on a clock just after the live candle.
      market: { watch: [], marketNow: () => live.time + 60_000 },
    });
    try {
      await withFeed.model?.ready;
      withFeed.store.write(key, candles.slice(0, 1300));
      const scored: number[] = [];
      withFeed.events.listen((name, payload) => name === 'signal.created' && scored.push((payload as Signal).candleStart));
      for (const candle of [candles[1000], live] as Candle[]) withFeed.bus.emit('candle.updated', { ...key, candle });
      await withFeed.scorer?.idle();
      expect(scored).toEqual([live.time]);
    } finally {
      withFeed.close();
    }
  });

  it('treats a backfill that lands while the model still loads as history too', async () => {
    const live = candles[1299] as Candle;
    const loading = createEngine({
      storePath: join(tempDir(), 'loading.db'),
      seedSample: false,
      modelPath: modelDir,
      market: { watch: [], marketNow: () => live.time + 60_000 },
    });
    try {
      loading.store.write(key, candles.slice(0, 1300));
      const scored: number[] = [];
      loading.events.listen((name, payload) => name === 'signal.created' && scored.push((payload as Signal).candleStart));
      // At once, before the model has loaded: its window length is not known yet.
      expect(loading.model?.info().status).toBe('starting');
      for (const candle of [candles[1000], live] as Candle[]) loading.bus.emit('candle.updated', { ...key, candle });
      await loading.model?.ready;
      await loading.scorer?.idle();
      expect(scored).toEqual([live.time]);
    } finally {
      loading.close();
    }
  });

  it('scores the candle still forming when asked, once per second at most, and stores nothing of it', async () => {
    const provisional: Signal[] = [];
    const stop = engine.events.listen((name, payload) => {
      if (name === 'signal.provisional') provisional.push(payload as Signal);
    });
    const forming = { ...(candles[1300] as Candle), confirmed: false };
    const tick = (close: number) => {
      const candle = { ...forming, close, high: Math.max(forming.high, close), low: Math.min(forming.low, close) };
      engine.store.write(key, [candle]);
      engine.bus.emit('candle.updated', { ...key, candle });
    };
    // The second is the throttle's own period, not a timing assumption about the machine.
    const afterThrottle = async () => {
      await new Promise((resolve) => setTimeout(resolve, PROVISIONAL_EVERY_MS + 200));
      await engine.scorer?.idle();
    };
    tick(forming.close);
    await afterThrottle();
    expect(provisional).toEqual([]); // off unless the user asks

    await call('preferences.set', { provisionalSignals: true });
    for (const close of [forming.close * 1.001, forming.close * 1.002, forming.close * 1.003]) tick(close);
    await afterThrottle();
    await call('preferences.set', { provisionalSignals: false });
    stop();
    expect(provisional).toHaveLength(1);
    expect(provisional[0]).toMatchObject({ id: 0, confirmed: false, candleStart: forming.time });
    expect(provisional[0]?.windowStarts.at(-1)).toBe(forming.time);
    expect(await call<Signal[]>('signals.list', { ...key, from: forming.time, to: forming.time })).toEqual([]);
  });

  it('stores nothing for a window that is too short, broken, or has NaN features, and keeps running', async () => {
    const before = created.length;
    const early = candles[100] as Candle;
    confirm(early);
    engine.store.write({ ...key, symbol: 'GAPPY' }, [...candles.slice(0, 300), ...candles.slice(310, 400)]);
    engine.bus.emit('candle.updated', { ...key, symbol: 'GAPPY', candle: candles[399] as Candle });
    const nanKey = { ...key, symbol: 'ZEROVOL' };
    engine.store.write(
      nanKey,
      candles.slice(0, 300).map((c, i) => (i === 250 ? { ...c, high: Infinity, close: Infinity } : c)),
    );
    engine.bus.emit('candle.updated', { ...nanKey, candle: candles[299] as Candle });
    await engine.scorer?.idle();
    expect(created.length).toBe(before);
    expect(await call<Signal[]>('signals.list', { ...key, symbol: 'GAPPY' })).toEqual([]);
    await expect(engine.scorer?.scoreCandle(key, early.time)).rejects.toThrow(/a window needs 160/);
    await expect(engine.scorer?.scoreCandle({ ...key, symbol: 'GAPPY' }, (candles[399] as Candle).time)).rejects.toThrow(
      /may not span a gap/,
    );
    await expect(engine.scorer?.scoreCandle(nanKey, (candles[299] as Candle).time)).rejects.toThrow(/Infinity|not finite/);
    const info = await call<{ status: string }>('model.info', {});
    expect(info.status).toBe('ready');
  });

  it('keeps its model when told to load a corrupt one', async () => {
    const bad = join(tempDir(), 'bad');
    mkdirSync(bad);
    copyFileSync(join(modelDir, 'model.json'), join(bad, 'model.json'));
    writeFileSync(join(bad, 'weights.bin'), new Uint8Array(12));
    await expect(engine.model?.useModel(bad)).rejects.toThrow(/holds 12 bytes/);
    const info = await call<{ model: { path: string } }>('model.info', {});
    expect(info.model.path).toBe(modelDir);
    const again = await engine.scorer?.scoreCandle(key, (candles[1299] as Candle).time);
    expect(again?.cam).toEqual(created[0]?.cam);
  });

  it('trains from the store in the worker with progress events, and cancels on request', async () => {
    const progress: EventPayload<'training.progress'>[] = [];
    const finished = new Promise<void>((resolve) => {
      engine.events.listen((name, payload) => {
        if (name !== 'training.progress') return;
        const event = payload as EventPayload<'training.progress'>;
        progress.push(event);
        if (event.state === 'done' || event.state === 'failed') resolve();
      });
    });
    const { trainingId } = await call<{ trainingId: number }>('training.start', { ...key, epochs: 1, stride: 5 });
    await finished;
    const mine = progress.filter((p) => p.trainingId === trainingId);
    expect(mine.some((p) => p.epoch === 1 && p.validationLoss !== undefined)).toBe(true);
    const done = mine.at(-1);
    expect(done?.state, done?.error).toBe('done');
    const models = await call<{ version: string }[]>('models.list', {});
    expect(models.map((m) => m.version)).toContain(done?.version);

    const cancelled = new Promise<EventPayload<'training.progress'>>((resolve) => {
      engine.events.listen((name, payload) => {
        const event = payload as EventPayload<'training.progress'>;
        if (name === 'training.progress' && event.state !== 'running') resolve(event);
      });
    });
    const second = await call<{ trainingId: number }>('training.start', { ...key, epochs: 50, stride: 1 });
    expect(await call<{ cancelled: boolean }>('training.cancel', second)).toEqual({ cancelled: true });
    expect(await cancelled).toMatchObject({ trainingId: second.trainingId, state: 'cancelled' });
  }, 120_000);
});

describe('training runs', () => {
  type Progress = EventPayload<'training.progress'>;
  const TERMINAL = ['done', 'failed', 'cancelled'];

  /** Every 'training.progress' event from now on, and a wait for a run's last one. */
  function record() {
    const progress: Progress[] = [];
    const waiting = new Map<number, () => void>();
    const stop = engine.events.listen((name, payload) => {
      if (name !== 'training.progress') return;
      const event = payload as Progress;
      progress.push(event);
      if (TERMINAL.includes(event.state)) waiting.get(event.trainingId)?.();
    });
    const ended = (trainingId: number) =>
      progress.some((p) => p.trainingId === trainingId && TERMINAL.includes(p.state))
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.set(trainingId, resolve));
    const states = (trainingId: number) => progress.filter((p) => p.trainingId === trainingId).map((p) => p.state);
    return { progress, ended, states, stop };
  }

  it('trains one run at a time: the others wait queued, a queued run cancelled never starts, a running one cancelled never reports done', async () => {
    const { progress, ended, states, stop } = record();
    const start = (epochs: number) => call<{ trainingId: number }>('training.start', { ...key, epochs, stride: 5 });
    const first = await start(50);
    const second = await start(1);
    const third = await start(1);
    expect(states(second.trainingId)).toEqual(['queued']);
    expect(states(third.trainingId)).toEqual(['queued']);
    expect(await call('training.cancel', third)).toEqual({ cancelled: true });
    await vi.waitFor(() => expect(progress.some((p) => p.trainingId === first.trainingId && p.batch !== undefined)).toBe(true), {
      timeout: 60_000,
      interval: 20,
    });
    expect(await call('training.cancel', first)).toEqual({ cancelled: true });
    await Promise.all([ended(first.trainingId), ended(second.trainingId)]);
    stop();
    expect(states(first.trainingId).at(-1)).toBe('cancelled');
    expect(states(first.trainingId)).not.toContain('done');
    expect(states(second.trainingId).at(-1)).toBe('done');
    expect(states(third.trainingId)).toEqual(['queued', 'cancelled']);
    // No run reports progress between another's start and its end.
    let running: number | undefined;
    for (const p of progress) {
      if (p.state === 'running') expect([undefined, p.trainingId]).toContain(running);
      if (p.state === 'running') running = p.trainingId;
      else if (p.trainingId === running) running = undefined;
    }
    expect(await call('training.cancel', third)).toEqual({ cancelled: false });
  }, 120_000);

  it('refuses a start beyond MAX_QUEUED_TRAININGS waiting runs, with a clear error', async () => {
    const { ended, stop } = record();
    const started: { trainingId: number }[] = [];
    for (let i = 0; i <= MAX_QUEUED_TRAININGS; i++) started.push(await call('training.start', { ...key, epochs: 50, stride: 5 }));
    await expect(call('training.start', { ...key, epochs: 1, stride: 5 })).rejects.toThrow(
      `training.start: ${MAX_QUEUED_TRAININGS} training runs are already waiting; cancel one or let them finish first`,
    );
    for (const run of started.reverse()) expect(await call('training.cancel', run)).toEqual({ cancelled: true });
    await Promise.all(started.map((run) => ended(run.trainingId)));
    stop();
  }, 60_000);

  it('never reports a cancelled run done, even when the cancel comes after its last batch', async () => {
    const { progress, ended, states, stop } = record();
    let reply: Promise<unknown> | undefined;
    const { trainingId } = await call<{ trainingId: number }>('training.start', { ...key, epochs: 1, stride: 5 });
    // The last epoch's report: the run has only its evaluation and its model folder left to do.
    const cancelOnLastEpoch = engine.events.listen((name, payload) => {
      const event = payload as Progress;
      if (name === 'training.progress' && event.trainingId === trainingId && event.epoch === 1 && event.batch === undefined)
        reply ??= call('training.cancel', { trainingId });
    });
    await ended(trainingId);
    cancelOnLastEpoch();
    stop();
    expect(progress.some((p) => p.epoch === 1)).toBe(true);
    expect(await reply).toEqual({ cancelled: true });
    expect(states(trainingId)).not.toContain('done');
    expect(states(trainingId).at(-1)).toBe('cancelled');
  }, 120_000);
});

describe('first run', () => {
  it('loads the bundled model offline and gives a signal on the bundled sample', async () => {
    const first = createEngine({ storePath: join(tempDir(), 'first.db') });
    try {
      await first.model?.ready;
      const reply = await first.dispatch('model.info', {});
      expect(reply).toMatchObject({ ok: true, value: { status: 'ready', model: { interval: '1', windowLength: 60 } } });
      if (reply.ok) expect((reply.value as { model: { version: string } }).model.version).toMatch(/^default-[0-9a-f]{12}$/);
      const last = first.store.range(key, 0, Number.MAX_SAFE_INTEGER, 1)[0] as Candle;
      const signal = await first.scorer?.scoreCandle(key, last.time);
      expect(signal?.windowStarts.at(-1)).toBe(last.time);
      expect(signal?.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    } finally {
      first.close();
    }
  }, 60_000);
});
