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

  it('refuses what it cannot run, saying why', () => {
    expect(runCli(['trust']).stderr).toMatch(/--csv FILE is required/);
    expect(runCli(['trust', '--csv', sample, '--methods', 'gradcam,nope']).stderr).toMatch(
      /--methods takes gradcam, gradcampp, scorecam, layercam, gradxinput, got "nope"/,
    );
    const both = runCli(['trust', '--csv', sample, '--model', bundled, '--convs', '8:5']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give --model M or --convs\/--window, not both/);
  }, 60_000);
});
