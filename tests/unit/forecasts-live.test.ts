/**
 * The forecast heads on the live path, end to end: an engine following the fake Bybit server with a
 * tiny multi-head model stores every confirmed candle's forecasts with their explanations, pushes
 * them, audits them bit for bit (bridge and `audit --verify`), replays them, explains a chosen head
 * again, fires a sharp-move alert, and stores nothing when a forecast is not finite.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { loadModel, saveModel } from '../../src-main/model/model-file';
import { SignalStore } from '../../src-main/store/signals';
import { TrainJobSchema } from '../../src-main/training/job';
import { trainAndSave } from '../../src-main/training/pipeline';
import type { EventPayload } from '../../src-shared/contract/bridge';
import { attentionConcentration } from '../../src-shared/domain/attention';
import type { FiredAlert } from '../../src-shared/domain/alerts';
import { DEFAULT_FEATURE_SPEC, DEFAULT_LABEL_SPEC } from '../../src-shared/domain/feature-spec';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import type { Signal } from '../../src-shared/domain/signal';
import { engineOnFake } from '../engine-on-fake';
import { callEngine, runCli, SHARED_DATA, sharedCsvHead, tempDir } from '../helpers';

const SOURCE = join(SHARED_DATA, 'bybit_BTCUSDT_1m.csv');
const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const HISTORY = 1200;
const LIVE = 3;
const FAST = {
  connection: { pingIntervalMs: 50, deadAfterMs: 300, reconnectBaseMs: 5, reconnectMaxMs: 50 },
  backfillRetryMs: 50,
  healthIntervalMs: 100,
};
const CHANNELS = DEFAULT_FEATURE_SPEC.channels;

let dir: string;
let modelDir: string;
let fake: FakeBybit;
let engine: Engine;
let storePath: string;
/** Signals pushed after the backfill (the live candles), and the backfill's own. */
const created: Signal[] = [];
let backfilled: Signal[] = [];
const fired: FiredAlert[] = [];
const call = <T>(name: string, payload: unknown) => callEngine<T>(engine, name, payload);

beforeAll(async () => {
  await useBackend(['wasm', 'cpu']);
  dir = tempDir();
  // A tiny model with every head (window 30, warm-up 40): the plumbing is the point, not the skill.
  const job = TrainJobSchema.parse({
    source: 'BTCUSDT first 1000',
    interval: '1',
    features: { ...DEFAULT_FEATURE_SPEC, windowLength: 30, warmup: 40 },
    labels: DEFAULT_LABEL_SPEC,
    convs: [{ filters: 8, kernel_size: 3, padding: 1 }],
    heads: { direction: {}, volatility: {}, var: { quantiles: [0.01, 0.05] }, sharp: { k: 2 } },
    settings: { epochs: 1, batchSize: 64, stride: 3 },
    modelsDir: join(dir, 'models'),
  });
  modelDir = (await trainAndSave(job, parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 1000), '1'))).dir;

  const rows = readSourceCsv(SOURCE, 2000, HISTORY + LIVE + 1);
  fake = await new FakeBybit({ rows, symbols: ['BTCUSDT'], startIndex: HISTORY }).listen();
  storePath = join(dir, 'store.db');
  engine = engineOnFake(storePath, fake, { backfillDepthMs: (HISTORY + 100) * 60_000, watch: [KEY], ...FAST }, undefined, {
    modelPath: modelDir,
  });
  engine.events.listen((name, payload) => {
    if (name === 'signal.created') created.push(payload as EventPayload<'signal.created'>);
    if (name === 'alert.fired') fired.push(payload as EventPayload<'alert.fired'>);
  });
  await engine.model?.ready;
  await vi.waitFor(() => expect(engine.feed?.health().streams[0]?.state).toBe('live'), { timeout: 60_000, interval: 20 });
  // The backfill's last model window is live enough to be scored; older candles are history. Those
  // scored, the candles confirmed from now on are the live ones this test follows.
  await engine.scorer?.idle();
  backfilled = created.splice(0);
  await call('alerts.add', { symbol: 'BTCUSDT', class: 'sharp', minProbability: 0 });
  await call('alerts.add', { symbol: 'BTCUSDT', class: 'sharp', minProbability: 1 });
  fake.advanceCandles(LIVE);
  await vi.waitFor(() => expect(created.length).toBe(LIVE), { timeout: 60_000, interval: 20 });
  await engine.scorer?.idle();
}, 180_000);

afterAll(async () => {
  engine?.close();
  await fake?.close();
});

describe('forecasts on the live path', () => {
  it('stores each confirmed candle’s forecasts with an explanation per head, and pushes them with the signal', async () => {
    const store = new SignalStore(engine.store.db);
    for (const signal of created) {
      const { volatility, var01, var05, sharpMove, horizon } = signal.forecasts ?? {};
      // H, the candles ahead they are of: the model's label horizon.
      expect(horizon).toBe(DEFAULT_LABEL_SPEC.horizon);
      expect(volatility).toBeGreaterThan(0);
      expect(var01).toBeLessThan(var05 ?? NaN);
      expect(sharpMove).toBeGreaterThan(0);
      expect(sharpMove).toBeLessThan(1);
      const explanations = store.forecastExplanations(signal.id);
      expect(explanations.map((e) => [e.head, e.target])).toEqual([
        ['sharp', 0],
        ['var', 0],
        ['volatility', 0],
      ]);
      for (const e of explanations) {
        expect(e.cam).toHaveLength(30);
        expect(e.cam.every((w) => w >= 0 && w <= 1)).toBe(true);
        expect(e.features.map((f) => f.name)).toEqual(CHANNELS);
        // Each head's explanation is its own, not the direction call's.
        expect(e.features).not.toEqual(signal.features);
      }
    }
    const first = created[0] as Signal;
    const last = created.at(-1) as Signal;
    const listed = await call<Signal[]>('signals.list', { ...KEY, from: first.candleStart, to: last.candleStart });
    expect(listed.map((s) => s.forecasts)).toEqual(created.map((s) => s.forecasts));
  });

  it('explains a chosen head again, from the same candles, exactly as stored', async () => {
    const signal = created[0] as Signal;
    const stored = new SignalStore(engine.store.db).forecastExplanations(signal.id);
    for (const head of ['volatility', 'var', 'sharp'] as const) {
      const explained = await call<Signal>('forecasts.explain', { id: signal.id, head });
      expect(explained.explains).toEqual({ head, target: 0 });
      expect(explained.forecasts).toEqual(signal.forecasts);
      const own = stored.find((e) => e.head === head);
      expect(explained.cam).toEqual(own?.cam);
      expect(explained.features).toEqual(own?.features);
      expect(explained.candleFeatures).toHaveLength(30);
    }
    // The 5% VaR quantile is another output, with another explanation.
    const var05 = await call<Signal>('forecasts.explain', { id: signal.id, head: 'var', target: 1, method: 'scorecam' });
    expect(var05.explains).toEqual({ head: 'var', target: 1 });
    expect(var05.method).toBe('scorecam');
    expect(var05.features).not.toEqual(stored.find((e) => e.head === 'var')?.features);
    await expect(call('forecasts.explain', { id: signal.id, head: 'var', target: 2 })).rejects.toThrow(
      /target output of the var head must be 0..1, got 2/,
    );
    await expect(call('forecasts.explain', { id: 999_999, head: 'sharp' })).rejects.toThrow(/no signal 999999/);
  });

  it('fires a sharp-move rule with the forecast’s probability and the focus of its own heatmap', async () => {
    await vi.waitFor(() => expect(fired.length).toBe(LIVE));
    const store = new SignalStore(engine.store.db);
    for (const alert of fired) {
      const signal = created.find((s) => s.id === alert.signalId);
      expect(alert.rule.class).toBe('sharp');
      expect(alert.rule.minProbability).toBe(0);
      expect(alert.probability).toBe(signal?.forecasts?.sharpMove);
      const sharpCam = store.forecastExplanations(alert.signalId).find((e) => e.head === 'sharp')?.cam ?? [];
      expect(alert.concentration).toBe(attentionConcentration(sharpCam));
    }
    // The renderer's heatmap thumbnail is kept with the firing.
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(await call('alerts.thumbnail', { firedId: (fired[0] as FiredAlert).id, png })).toEqual({ stored: true });
    const listed = await call<FiredAlert[]>('alerts.fired', {});
    expect(listed.find((a) => a.id === fired[0]?.id)?.thumbnail).toBe(png);
    const audited = await call<{ rows: { signal: Signal; alertsFired: string[] }[] }>('audit.list', { filter: { stream: KEY } });
    const liveIds = new Set(created.map((s) => s.id));
    expect(audited.rows.filter((r) => liveIds.has(r.signal.id)).map((r) => r.alertsFired)).toEqual(created.map(() => ['sharp>=0']));
  });

  it('replays the forecasts as live gave them', async () => {
    const steps: EventPayload<'replay.step'>[] = [];
    const stop = engine.events.listen((name, payload) => {
      if (name === 'replay.step') steps.push(payload as EventPayload<'replay.step'>);
    });
    const { state } = await call<{ state: { id: string } }>('replay.start', {
      ...KEY,
      from: (created[0] as Signal).candleStart,
      to: (created.at(-1) as Signal).candleStart,
      warmup: 100,
    });
    for (let i = 0; i < LIVE; i++) await call('replay.control', { id: state.id, action: 'step' });
    stop();
    expect(steps.map((s) => s.signal?.forecasts)).toEqual(created.map((s) => s.forecasts));
  });

  it('audits the forecasts and their explanations bit for bit, and tells a changed one apart', async () => {
    const signal = created[1] as Signal;
    const verdict = await call<{ verdict: string; detail: string }>('audit.verify', { id: signal.id });
    expect(verdict).toEqual({
      id: signal.id,
      verdict: 'reproduced',
      detail: 'probabilities, attention and attributions, forecasts and their explanations identical bit for bit',
    });
    const db = engine.store.db;
    const original = db.prepare("SELECT cam FROM forecast_explanations WHERE signal_id = ? AND head = 'sharp'").pluck().get(signal.id);
    const cam = JSON.parse(original as string) as number[];
    cam[0] = (cam[0] ?? 0) + 1e-9;
    db.prepare("UPDATE forecast_explanations SET cam = ? WHERE signal_id = ? AND head = 'sharp'").run(JSON.stringify(cam), signal.id);
    expect((await call<{ verdict: string }>('audit.verify', { id: signal.id })).verdict).toBe('differs');
    db.prepare("UPDATE forecast_explanations SET cam = ? WHERE signal_id = ? AND head = 'sharp'").run(original, signal.id);
    const forecasts = JSON.parse(db.prepare('SELECT forecasts FROM signals WHERE id = ?').pluck().get(signal.id) as string);
    db.prepare('UPDATE signals SET forecasts = ? WHERE id = ?').run(
      JSON.stringify({ ...forecasts, volatility: forecasts.volatility * (1 + 1e-12) }),
      signal.id,
    );
    expect((await call<{ verdict: string }>('audit.verify', { id: signal.id })).verdict).toBe('differs');
    db.prepare('UPDATE signals SET forecasts = ? WHERE id = ?').run(JSON.stringify(forecasts), signal.id);
  });

  it('audit --verify reproduces every stored forecast from the store alone', { timeout: 120_000 }, async () => {
    engine.close();
    await fake.close();
    const audit = runCli(['audit', '--db', storePath, '--verify'], 110_000);
    const stored = backfilled.length + LIVE;
    expect(backfilled.every((s) => s.forecasts !== undefined)).toBe(true);
    expect(audit.stderr).toContain(`audit: ${stored} of ${stored} signals reproduced bit for bit`);
    expect(audit.status).toBe(0);
    // Each row carries its forecasts, as stored, beside the call (before the alerts it fired and the verdict).
    const [header, ...rows] = audit.stdout.trim().split('\n');
    expect(header?.split(',').slice(-3)).toEqual(['forecasts', 'alerts_fired', 'reproduced']);
    const live = created[0] as Signal;
    const { volatility, var: levels, sharpMove } = live.forecasts ?? {};
    const row = rows.find((r) => r.startsWith(`${live.id},`));
    expect(row).toContain(
      `,volatility=${volatility} var0.01=${levels?.[0]?.logReturn} var0.05=${levels?.[1]?.logReturn} sharp=${sharpMove} horizon=15,sharp>=0,reproduced`,
    );
  });
});

describe('a forecast that is not finite', () => {
  it('stores nothing and says why', { timeout: 60_000 }, async () => {
    // A finite model whose volatility forecast overflows: e^1000.
    const model = loadModel(modelDir);
    const weights = new Map(model.weights);
    const bias = weights.get('heads.volatility.bias');
    if (bias === undefined) throw new Error('no volatility head');
    weights.set('heads.volatility.bias', { shape: bias.shape, data: new Float32Array(bias.data.length).fill(1000) });
    const stormyDir = join(dir, 'stormy');
    saveModel(stormyDir, { ...model.metadata, version: 'stormy-1' }, weights);
    const lines: string[] = [];
    const stormy = createEngine({
      storePath: join(dir, 'stormy.db'),
      seedSample: false,
      market: false,
      modelPath: stormyDir,
      log: (line) => lines.push(line),
    });
    try {
      const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 200), '1');
      stormy.store.write(KEY, candles);
      await stormy.model?.ready;
      stormy.bus.emit('candle.updated', { ...KEY, candle: candles.at(-1)! });
      await stormy.scorer?.idle();
      expect(stormy.store.db.prepare('SELECT count(*) FROM signals').pluck().get()).toBe(0);
      expect(stormy.store.db.prepare('SELECT count(*) FROM forecast_explanations').pluck().get()).toBe(0);
      expect(lines.join('\n')).toMatch(
        /no signal for BTCUSDT 1 at \d+: the model's output is not finite \((forecasts|outputs) holds -?Infinity/,
      );
    } finally {
      stormy.close();
    }
  });
});
