import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src-shared/contract/bridge';
import { createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { HistoryScoring } from '../../src-main/signals/history-scoring';
import { SignalStore } from '../../src-main/store/signals';
import { closedPort, runCli, tempDir } from '../helpers';

describe('the first run', () => {
  it('scores the newest stored windows newest first, stores them as live does, and audit reproduces them', async () => {
    const db = join(tempDir(), 'store.db');
    const engine = createEngine({ storePath: db, market: false });
    const { model } = engine;
    if (model === undefined) throw new Error('no bundled model');
    const published: number[] = [];
    const progress: [number, number][] = [];
    const job = new HistoryScoring({
      host: model,
      store: engine.store,
      signals: new SignalStore(engine.store.db),
      method: 'gradcam',
      publish: (signal) => published.push(signal.candleStart),
      progress: (_key, done, total) => progress.push([done, total]),
      limit: 4,
    });
    expect(await job.score(SAMPLE_STREAM)).toBe(4);
    engine.close();
    expect(progress).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    // Newest first: the chart's right edge fills before anything older.
    expect(published).toEqual([...published].sort((a, b) => b - a));
    expect(published[0]).toBe(1751215080000); // the sample's last candle

    const audit = runCli(['audit', '--db', db, '--verify']);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stderr).toContain('4 of 4 signals reproduced bit for bit');
  }, 120_000);

  it('the app scores the sample it imported in the background and says how far it got', async () => {
    const engine = createEngine({ storePath: join(tempDir(), 'store.db'), market: false, scoreSample: true });
    const seen: EventPayload<'signals.backfill'>[] = [];
    const created: number[] = [];
    engine.events.listen((name, payload) => {
      if (name === 'signals.backfill') seen.push(payload as EventPayload<'signals.backfill'>);
      if (name === 'signal.created') created.push((payload as EventPayload<'signal.created'>).candleStart);
    });
    await expect.poll(() => seen.length, { timeout: 60_000 }).toBeGreaterThan(3);
    engine.close();
    expect(seen[0]).toMatchObject({ symbol: 'BTCUSDT', interval: '1', done: 0, total: 500 });
    expect(created[0]).toBe(1751215080000);
  }, 120_000);

  it('with no network and nothing stored, imports the bundled sample and says so', async () => {
    const port = await closedPort();
    const started = Date.now();
    const engine = createEngine({
      storePath: join(tempDir(), 'store.db'),
      seedSample: false,
      sampleWhenOffline: true,
      modelPath: false,
      market: { wsBase: `ws://127.0.0.1:${port}`, restBase: `http://127.0.0.1:${port}`, watch: [SAMPLE_STREAM], rest: { retries: 0 } },
    });
    const imported: unknown[] = [];
    engine.events.listen((name, payload) => name === 'sample.imported' && imported.push(payload));
    expect(engine.store.isEmpty()).toBe(true);
    await expect.poll(() => imported.length, { timeout: 30_000 }).toBe(1);
    expect(engine.store.count(SAMPLE_STREAM)).toBe(4320);
    // The sample comes in when the backfill fails; the live socket's own refusal may come a moment later (under load).
    const stream = () => engine.feed?.health().streams[0];
    await expect.poll(() => stream()?.state, { timeout: 30_000 }).toBe('reconnecting');
    expect(stream()?.error).toContain('ECONNREFUSED');
    // Down since it started: never up, so "since" is when the feed began following it.
    expect(stream()?.stateSince).toBeGreaterThanOrEqual(started);
    expect(stream()?.stateSince).toBeLessThanOrEqual(Date.now());
    engine.close();
  }, 60_000);
});
