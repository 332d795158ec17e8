/**
 * The backtest's risk side through the bridge, against a real engine and SQLite store: a model with
 * forecast heads (trained by the CLI on the stored sample and registered in the same store) sized by
 * its volatility head and its VaR head backtested over the range, its baselines fitted on the stored
 * candles before it; a direction-only model says plainly what it cannot do.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, SAMPLE_FILE, SAMPLE_STREAM, type Engine } from '../../src-main/engine/engine';
import type { CallResponse } from '../../src-shared/contract/bridge';
import type { VarBacktest } from '../../src-shared/domain/backtest';
import { callEngine, runCli, tempDir } from '../helpers';

let engine: Engine;
let version = '';
let directionOnly = '';
let modelDir = '';
const dir = tempDir();
const storePath = join(dir, 'store.db');

/** A tiny model trained by the CLI on the stored sample, registered in the store, with `heads`. */
function trainTiny(heads: string): { version: string; dir: string } {
  const trained = runCli(
    ['train', '--csv', SAMPLE_FILE, '--interval', '1', '--db', storePath, '--out', join(dir, 'models'), '--epochs', '1'].concat([
      '--stride',
      '3',
      '--window',
      '30',
      '--convs',
      '8:3',
      '--heads',
      heads,
    ]),
  );
  expect(trained.status, trained.stderr).toBe(0);
  return JSON.parse(trained.stdout) as { version: string; dir: string };
}

beforeAll(async () => {
  engine = createEngine({ storePath, market: false });
  await engine.model?.ready;
  ({ version, dir: modelDir } = trainTiny('direction,volatility,var,sharp'));
  directionOnly = trainTiny('direction').version;
}, 240_000);
afterAll(() => engine.close());

describe('the VaR backtest and volatility targeting through backtest.run (real store, model worker)', () => {
  it('sizes each trade by the volatility head and backtests the VaR head over the range, fitted on the candles before it', async () => {
    const range = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 600);
    const from = range[0]?.time ?? 0;
    const report = await callEngine<CallResponse<'backtest.run'>>(engine, 'backtest.run', {
      ...SAMPLE_STREAM,
      runId: 'risk',
      from,
      modelVersion: version,
      rules: { threshold: 0.34, holdCandles: 10, volatilityTarget: 0.2, maxPosition: 3 },
    });
    expect(report.candles).toBe(600);
    expect(report.trades.length).toBeGreaterThan(0);
    // Each position is its own size, never past the cap, and the trade's return is the size times the move net of costs.
    const sizes = new Set(report.trades.map((t) => t.size));
    expect(sizes.size, [...sizes].join(' ')).toBeGreaterThan(1);
    for (const trade of report.trades) {
      expect(trade.size).toBeGreaterThan(0);
      expect(trade.size).toBeLessThanOrEqual(3);
      const move = (trade.side === 'long' ? 1 : -1) * (trade.exitPrice / trade.entryPrice - 1);
      expect(trade.return).toBeCloseTo(trade.size * (move - (2 * (5.5 + 1)) / 10_000), 12);
    }

    const varBacktest = report.varBacktest;
    if (varBacktest?.status !== 'done') throw new Error(`no VaR backtest: ${JSON.stringify(varBacktest)}`);
    const { training, test, var: levels } = varBacktest.report;
    // Fitted on the stored candles before the range, tested on the range's windows with H = 15 candles after them.
    expect(training.to).toBe(from - 60_000);
    expect(test.from).toBe(from);
    expect(test.windows).toBe(600 - 15);
    expect(levels?.map((l) => l.quantile)).toEqual([0.01, 0.05]);
    for (const level of levels ?? []) {
      for (const figures of [level.model, ...level.baselines]) {
        expect(figures?.violationTimes).toHaveLength(figures?.violations ?? -1);
        expect(figures?.violationTimes?.every((t) => t >= from && t <= test.to)).toBe(true);
        expect(figures?.kupiec.acceptance.max).toBeGreaterThanOrEqual(figures?.kupiec.acceptance.min ?? Infinity);
      }
      expect(level.baselines.map((b) => b.name)).toEqual(['historical simulation', 'EWMA-normal']);
    }
  }, 180_000);

  it('with a direction-only model: volatility targeting is refused with the reason, and the VaR backtest says why there is none', async () => {
    const from = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 300)[0]?.time ?? 0;
    const refused = await engine.dispatch('backtest.run', {
      ...SAMPLE_STREAM,
      runId: 'sized',
      from,
      modelVersion: directionOnly,
      rules: { threshold: 0.34, volatilityTarget: 0.5 },
    });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringMatching(/the model has no volatility head/) } });
    const plain = await callEngine<CallResponse<'backtest.run'>>(engine, 'backtest.run', {
      ...SAMPLE_STREAM,
      runId: 'plain',
      from,
      modelVersion: directionOnly,
    });
    expect(plain.varBacktest).toEqual({ status: 'unavailable', reason: 'the model has no VaR head: there is no VaR to backtest' });
    expect(plain.trades.every((t) => t.size === 1)).toBe(true);
    const bad = await engine.dispatch('backtest.run', { ...SAMPLE_STREAM, runId: 'bad', rules: { volatilityTarget: 0 } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('volatilityTarget') } });
  }, 180_000);

  it('the backtest command sizes to a volatility target and prints the VaR backtest of the file, fitted on its first part', () => {
    const csv = join(dir, 'recent.csv');
    writeFileSync(csv, `${readFileSync(SAMPLE_FILE, 'utf8').trim().split('\n').slice(0, 1201).join('\n')}\n`);
    const out = runCli(['backtest', '--model', modelDir, '--csv', csv, '--threshold', '0.34', '--vol-target', '0.2', '--threads', '1']);
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as {
      rules: { volatilityTarget: number; maxPosition: number };
      trades: { size: number }[];
      varBacktest: VarBacktest;
    };
    expect(report.rules).toMatchObject({ volatilityTarget: 0.2, maxPosition: 2 });
    expect(report.trades.some((t) => t.size !== 1 && t.size <= 2)).toBe(true);
    if (report.varBacktest.status !== 'done') throw new Error(report.varBacktest.reason);
    // 1,200 candles and nothing before: the baselines fitted on the first 450 (30 H, more than a third:
    // HAR's long component needs 22 H), the windows after them with H candles ahead tested.
    expect(report.varBacktest.report.test.windows).toBe(1200 - 450 - 15);
    expect(runCli(['backtest', '--model', modelDir, '--csv', csv, '--vol-target', '0']).stderr).toContain(
      '--vol-target must be a number above 0 and at most 100, got "0"',
    );
  }, 180_000);
});
