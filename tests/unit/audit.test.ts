import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, SAMPLE_STREAM } from '../../src-main/engine/engine';
import { runCli, tempDir } from '../helpers';

describe('audit command', () => {
  it('exports every stored signal with its model, inputs hash and explanation, and re-runs each bit for bit', async () => {
    const db = join(tempDir(), 'store.db');
    const engine = createEngine({ storePath: db, market: false });
    await engine.model?.ready;
    const last = engine.store.range(SAMPLE_STREAM, 0, Number.MAX_SAFE_INTEGER, 2);
    const signals = [];
    for (const candle of last) signals.push(await engine.scorer?.scoreCandle(SAMPLE_STREAM, candle.time));
    engine.close();

    const result = runCli(['audit', '--db', db, '--verify']);
    expect(result.status).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toContain('model_version,input_hash');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(signals[0]?.inputHash ?? 'missing');
    expect(rows.every((row) => row.endsWith(',reproduced'))).toBe(true);
    expect(result.stderr).toContain('2 of 2 signals reproduced bit for bit');
  }, 120_000);
});
