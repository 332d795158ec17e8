import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledModelPath } from '../../src-main/engine/engine';
import { ROOT, runCli } from '../helpers';

const sample = join(ROOT, 'resources', 'sample', 'bybit_BTCUSDT_1m.csv');
const bundled = bundledModelPath() ?? 'no bundled model in resources/models';

describe('trust', () => {
  it('runs the planted-pattern benchmark for an architecture and prints the table per method', () => {
    const args = ['trust', '--csv', sample, '--window', '20', '--convs', '8:5,16:3', '--windows', '200', '--epochs', '2'];
    const result = runCli([...args, '--methods', 'gradcam,gradxinput', '--seed', '7']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/planted benchmark: held-out accuracy \d\.\d{3}; measuring 2 methods/);
    const printed = JSON.parse(result.stdout) as {
      table: { method: string; pointingGame: number }[];
      testWindows: number;
      plantedWindows: number;
    };
    expect(printed.table.map((r) => r.method)).toEqual(['gradcam', 'gradxinput']);
    expect(printed.testWindows).toBe(30);
    expect(printed.plantedWindows).toBe(15);
    for (const row of printed.table) expect(row.pointingGame).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it("runs it for an image kind's own network, its candles removed in candle space (it ran a 1-D network before)", () => {
    const args = ['trust', '--csv', sample, '--kind', 'image-cnn', '--window', '12', '--convs', '4:3', '--windows', '120', '--epochs', '1'];
    const result = runCli([...args, '--methods', 'gradcam', '--seed', '7']);
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      kind: string;
      windowLength: number;
      table: { method: string; pointingGame: number; roadCombined: number }[];
      report: { space: string; rows: { randomization: unknown[] }[] };
    };
    expect(printed.kind).toBe('image-cnn');
    expect(printed.windowLength).toBe(12);
    expect(printed.report.space).toBe('candles');
    expect(printed.table.map((r) => r.method)).toEqual(['gradcam']);
    expect(Number.isFinite(printed.table[0]?.roadCombined)).toBe(true);
    expect(printed.table[0]?.pointingGame).toBeGreaterThanOrEqual(0);
    // The image kind's own trunk: one conv block, so the heads and that block are randomized.
    expect(printed.report.rows[0]?.randomization).toHaveLength(2);
  }, 120_000);

  it('refuses what it cannot run, saying why', () => {
    expect(runCli(['trust']).stderr).toMatch(/--csv FILE is required/);
    expect(runCli(['trust', '--csv', sample, '--methods', 'gradcam,nope']).stderr).toMatch(
      /--methods takes gradcam, gradcampp, scorecam, layercam, gradxinput, got "nope"/,
    );
    const both = runCli(['trust', '--csv', sample, '--model', bundled, '--convs', '8:5']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give --model M or --kind\/--convs\/--window, not both/);
    expect(runCli(['trust', '--csv', sample, '--kind', 'nope']).stderr).toMatch(/--kind must be one of financial-cnn, gaf-cnn, image-cnn/);
  }, 60_000);
});
