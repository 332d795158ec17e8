import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallResponse } from '../../src-shared/contract/bridge';
import { candlesFromColumns, type Candle, type StreamKeyValue } from '../../src-shared/domain/market';
import { resample } from '../../src-shared/domain/resample';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import { parseCandleCsv } from '../../src-main/market/candle-csv';
import { CandleStore } from '../../src-main/store/candles';
import { openDatabase } from '../../src-main/store/database';
import { callEngine, sharedCsvHead, tempDir } from '../helpers';

const MINUTE = 60_000;
const minuteKey: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '1' };
const real = parseCandleCsv(sharedCsvHead('bybit_BTCUSDT_1m.csv', 3_000), '1');
// A break of 3 hours after the first 1,000 minutes: whole 15m buckets missing, and one cut on each side.
const stored: Candle[] = [...real.slice(0, 1_000), ...real.slice(1_180)];

let engine: Engine;
beforeAll(() => {
  const path = join(tempDir(), 'store.db');
  const db = openDatabase(path);
  new CandleStore(db).write(minuteKey, stored);
  db.close();
  engine = createEngine({ storePath: path, market: false, modelPath: false });
});
afterAll(() => engine.close());

const resampled = (payload: object) =>
  callEngine<CallResponse<'candles.resampled'>>(engine, 'candles.resampled', { symbol: 'BTCUSDT', ...payload });

describe('candles.resampled, from the real store', () => {
  it('gives the newest buckets of the stored minutes, as resampling them gives', async () => {
    const { candles, cut } = await resampled({ interval: '15', limit: 20 });
    const all = resample(stored, '15');
    expect(candlesFromColumns(candles)).toEqual(all.candles.slice(-20));
    expect(cut).toEqual(all.cut.filter((start) => start >= (all.candles.at(-20)?.time ?? 0)));
  });

  it('pages back from `to` in whole buckets, and steps over a break longer than a page', async () => {
    const all = resample(stored, '15').candles;
    const breakEnd = real[1_180]?.time ?? 0;
    const before = all.findIndex((c) => c.time >= breakEnd);
    const { candles } = await resampled({ interval: '15', limit: 5, to: (all[before]?.time ?? 0) - 1 });
    // The 3 hours before `to` hold no minute: the page is the 5 buckets before the break.
    expect(candlesFromColumns(candles)).toEqual(all.slice(before - 5, before));
    expect(candlesFromColumns(candles).at(-1)?.time).toBeLessThan(breakEnd - 2 * 60 * MINUTE);
  });

  it('answers an empty page before the first minute, and refuses an interval it does not resample', async () => {
    const { candles } = await resampled({ interval: '60', to: (stored[0]?.time ?? 0) - 1 });
    expect(candles.time).toEqual([]);
    await expect(resampled({ interval: 'M' })).rejects.toThrow(/candles.resampled/);
  });
});
