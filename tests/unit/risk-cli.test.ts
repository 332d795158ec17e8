/** `risk-baselines`: the baselines' risk report of a real file as JSON, and its refusals. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RiskReportSchema } from '../../src-shared/domain/risk-report';
import { runCli, sharedCsvHead, tempDir } from '../helpers';

const dir = tempDir();
const csv = join(dir, 'eth.csv');
writeFileSync(csv, sharedCsvHead('bybit_ETHUSDT_1m.csv', 3000));

describe('risk-baselines', () => {
  it("prints the baselines' report, fitted on training's walk-forward split, and each VaR backtest in words", () => {
    const result = runCli(['risk-baselines', '--csv', csv, '--horizon', '5', '--sharp-k', '1.5']);
    expect(result.status, result.stderr).toBe(0);
    const { csv: file, interval, ...report } = JSON.parse(result.stdout) as Record<string, unknown>;
    expect([file, interval]).toEqual([csv, '1']);
    const parsed = RiskReportSchema.parse(report);
    expect(parsed.horizon).toBe(5);
    expect(parsed.sharpMove?.k).toBe(1.5);
    expect(parsed.verdicts).toEqual([]);
    // 2,935 windows (60 trailing returns before, 5 candles after): validation ends at the window ending at candle
    // 60 + ⌊0.85·2935⌋ − 1 = 2553; a test window's 60 returns start past that window's label (candle 2558) and an
    // embargo of 5 more, so the first ends at 2623; 2623 … 2994 are 372 windows.
    expect(parsed.test.windows).toBe(372);
    expect(parsed.test.from).toBeGreaterThan(parsed.training.to + 5 * 60_000);
    expect(parsed.volatility?.baselines).toHaveLength(4);
    expect(result.stderr).toMatch(/^EWMA-normal's VaR at 5% was broken/m);
  });

  it('refuses a horizon longer than the data and a bad k, saying why', () => {
    const long = runCli(['risk-baselines', '--csv', csv, '--horizon', '3000']);
    expect(long.status).toBe(1);
    expect(long.stderr).toMatch(/a horizon of 3000 candles is longer than the data \(3000 candles\)/);
    const badK = runCli(['risk-baselines', '--csv', csv, '--sharp-k', '0']);
    expect(badK.status).toBe(2);
    expect(badK.stderr).toMatch(/--sharp-k must be a positive number, got "0"/);
  });
});
