import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalsCsv, tradesCsv } from '../../src-shared/domain/backtest-csv';
import { ExplainPool } from '../../src-main/backtest/explain-pool';
import { localExplainer, runBacktest } from '../../src-main/backtest/run';
import { DEFAULT_RULES } from '../../src-main/backtest/simulate';
import { bundledModelPath, createEngine, SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { CallResponse, EventPayload } from '../../src-shared/contract/bridge';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { useBackend } from '../../src-main/model/backend';
import { loadModel } from '../../src-main/model/model-file';
import { FinancialCnn } from '../../src-main/model/network';
import { callEngine, sharedCsvHead, tempDir } from '../helpers';

let engine: Engine;

beforeAll(async () => {
  engine = createEngine({ storePath: join(tempDir(), 'store.db'), market: false });
  await engine.model?.ready;
}, 120_000);
afterAll(() => engine.close());

describe('backtest.run through the bridge (real store, bundled model in its worker)', () => {
  it('trades a stored range, reports progress, explains each entry exactly as live does, and exports CSV', async () => {
    const candles = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 400);
    const from = candles[0]?.time ?? 0;
    const progress: EventPayload<'backtest.progress'>[] = [];
    const stop = engine.events.listen((name, payload) => {
      if (name === 'backtest.progress') progress.push(payload as EventPayload<'backtest.progress'>);
    });
    const report = await callEngine<CallResponse<'backtest.run'>>(engine, 'backtest.run', {
      ...SAMPLE_STREAM,
      runId: 'r1',
      from,
      rules: { threshold: 0.34, holdCandles: 10 },
    });
    stop();
    // Every candle of the range is traded; each has its window (the warm-up came from before `from`).
    expect(report.candles).toBe(400);
    expect(report.signals).toHaveLength(400);
    expect(report.signals[0]?.candleStart).toBe(from);
    expect(progress.at(-1)).toEqual({ runId: 'r1', done: 400, total: 400 });
    expect(report.buyAndHold.trades).toBe(1);
    expect(report.trades.length).toBeGreaterThan(0);
    expect(report.strategy.trades).toBe(report.trades.length);
    expect(report.equity.at(-1)?.time).toBe(candles.at(-1)?.time);
    expect(report.equity.every((p) => p.drawdown <= 0)).toBe(true);
    // The buy-and-hold line ends where its report does, and 1m candles are annualised by √525,600.
    expect(report.equity.at(-1)?.hold).toBeCloseTo(1 + report.buyAndHold.totalReturn, 12);
    expect(report.periodsPerYear).toBe(525_600);

    const trade = report.trades[0];
    if (trade === undefined) throw new Error('no trade');
    expect(trade.entryTime).toBeGreaterThan(trade.signal.candleStart);
    const live = await engine.scorer?.scoreCandle(SAMPLE_STREAM, trade.signal.candleStart);
    expect(trade.explanation).toMatchObject({
      id: 0,
      candleStart: trade.signal.candleStart,
      probabilities: live?.probabilities,
      cam: live?.cam,
      features: live?.features,
      inputHash: live?.inputHash,
    });
    // The batched run gives the live path's probabilities bit for bit, whatever the batch's shape.
    const batched = report.signals.find((s) => s.candleStart === trade.signal.candleStart);
    expect(batched?.probabilities).toEqual(live?.probabilities);

    expect(tradesCsv(report.trades).trim().split('\n')).toHaveLength(report.trades.length + 1);
    expect(signalsCsv(report.signals).split('\n')[1]).toMatch(new RegExp(`^${from},(buy|hold|sell),`));
  }, 180_000);

  it('refuses bad rules and an unknown model with a clear error', async () => {
    const bad = await engine.dispatch('backtest.run', { ...SAMPLE_STREAM, runId: 'r2', rules: { threshold: 2 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('threshold') } });
    const unknown = await engine.dispatch('backtest.run', { ...SAMPLE_STREAM, runId: 'r3', modelVersion: 'nope' });
    expect(unknown).toMatchObject({ ok: false, error: { message: expect.stringContaining('no registered model nope') } });
  });

  it('cancels a running backtest', async () => {
    const cancelledOnce = new Promise<CallResponse<'backtest.cancel'>>((resolve) => {
      const stop = engine.events.listen((name, payload) => {
        if (name !== 'backtest.progress' || (payload as EventPayload<'backtest.progress'>).runId !== 'r4') return;
        stop();
        void callEngine<CallResponse<'backtest.cancel'>>(engine, 'backtest.cancel', { runId: 'r4' }).then(resolve);
      });
    });
    const run = engine.dispatch('backtest.run', { ...SAMPLE_STREAM, runId: 'r4' });
    expect(await cancelledOnce).toEqual({ cancelled: true });
    expect(await run).toMatchObject({ ok: false, error: { message: expect.stringContaining('cancelled') } });
    expect(await callEngine(engine, 'backtest.cancel', { runId: 'r4' })).toEqual({ cancelled: false });
  }, 180_000);
});

describe('audit through the bridge', () => {
  it('lists stored signals with their alerts and verifies one as reproduced', async () => {
    const last = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 1)[0];
    const signal = await engine.scorer?.scoreCandle(SAMPLE_STREAM, last?.time ?? 0);
    const { rows } = await callEngine<CallResponse<'audit.list'>>(engine, 'audit.list', {});
    expect(rows.map((r) => r.signal.id)).toContain(signal?.id);
    expect(rows.every((r) => Array.isArray(r.alertsFired))).toBe(true);
    expect(await callEngine(engine, 'audit.verify', { id: signal?.id ?? -1 })).toMatchObject({ id: signal?.id, verdict: 'reproduced' });
    expect(await engine.dispatch('audit.verify', { id: 987_654 })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('no signal') },
    });
  }, 120_000);
});

describe('the backtest on helper threads', () => {
  it('gives exactly the windows and trades of the model on this thread', async () => {
    const modelPath = bundledModelPath();
    if (modelPath === undefined) throw new Error('no bundled model');
    const loaded = loadModel(modelPath);
    const backend = await useBackend(['wasm']);
    // A real break inside: windows on both sides, none across it.
    const candles = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 1200), '1').filter((_, i) => i < 500 || i >= 520);
    const model = new FinancialCnn(loaded.metadata.spec, loaded.weights);
    const rules = { ...DEFAULT_RULES, threshold: 0.34 };
    const local = await runBacktest(localExplainer(model), candles, 60_000, loaded.metadata, rules);
    model.dispose();
    const pool = await ExplainPool.start(modelPath, [backend], 2);
    const threaded = await runBacktest(pool.explain, candles, 60_000, loaded.metadata, rules, { parallel: pool.size }).finally(() =>
      pool.close(),
    );
    expect(local.windows).toHaveLength(500 - 159 + (680 - 159));
    expect(threaded.windows).toEqual(local.windows);
    expect(threaded.trades).toEqual(local.trades);
  }, 180_000);
});
