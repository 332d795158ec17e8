import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BybitRest } from '../../src-main/market/bybit/rest-client';
import { FakeBybit, readSourceCsv } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA } from '../helpers';

const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 0, 300);
let fake: FakeBybit | undefined;
afterEach(async () => fake?.close());

describe('Bybit REST client', () => {
  it('pauses every request after HTTP 403, not only the one that met it; a symbol search answers at once instead of waiting', async () => {
    fake = await new FakeBybit({ rows, startIndex: 250 }).listen();
    fake.failRest({ kind: 'http', status: 403, body: 'access too frequent' });
    const rest = new BybitRest(fake.restUrl, { forbiddenWaitMs: 500 });
    const from = rows[100]!.start;
    const started = performance.now();
    const first = rest.klinePage('linear', 'ETHUSDT', '1', from, from + 9 * 60_000);
    await vi.waitFor(() => expect(rest.stats.slowDowns).toBe(1), { interval: 5 });
    await expect(rest.instruments('linear')).rejects.toThrow(/instruments-info: requests paused for 1 s more, as Bybit asked/);
    const second = await rest.klinePage('linear', 'ETHUSDT', '1', from, from + 9 * 60_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(490); // it waited out the pause the first one met
    expect(second.candles).toHaveLength(10);
    expect((await first).candles).toEqual(second.candles);
    expect(fake.stats.restRequests).toBe(3); // the refused one, then one each after the pause
  });
});
