/**
 * Two confirmations of one candle against the fake Bybit server: the first is final however they are
 * batched (one frame, two frames in one TCP write, separate frames, a later batch); a differing one
 * is counted and logged as a conflict, an identical one changes nothing and is not counted.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src-main/engine/engine';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { engineOnFake } from '../engine-on-fake';
import { FakeBybit, readSourceCsv, type SourceRow } from '../../src-main/market/fake-bybit/server';
import { SHARED_DATA, tempDir } from '../helpers';

const KEY: StreamKeyValue = { exchange: 'bybit', category: 'linear', symbol: 'ETHUSDT', interval: '1' };
const TOPIC = 'kline.1.ETHUSDT';
const rows = readSourceCsv(join(SHARED_DATA, 'bybit_ETHUSDT_1m.csv'), 30_000, 300);

let fake: FakeBybit;
let engine: Engine | undefined;
afterEach(async () => {
  engine?.close();
  engine = undefined;
  await fake.close();
});

/** A confirmation of `row` as Bybit pushes it; `close` replaces the true close (kept inside low..high). */
function confirmation(row: SourceRow, close = row.close): object {
  return {
    start: row.start,
    end: row.start + 59_999,
    interval: '1',
    open: row.open,
    close,
    high: row.high,
    low: row.low,
    volume: row.volume,
    turnover: '0',
    confirm: true,
    timestamp: fake.now(),
  };
}

const frame = (...candles: object[]) => JSON.stringify({ topic: TOPIC, data: candles, ts: fake.now(), type: 'snapshot' });

/** A close other than the row's, inside its range, so that the only thing wrong is the disagreement. */
const otherClose = (row: SourceRow) => String((Number(row.high) + Number(row.low)) / 2 + (row.close === row.high ? -0.01 : 0.01));

describe('confirmations of one candle that disagree', () => {
  it('keep the first, whatever the batching, and count each later differing one as a conflict', async () => {
    const log: string[] = [];
    fake = await new FakeBybit({ rows, startIndex: 200, updatesPerCandle: 1 }).listen();
    const e = engineOnFake(
      join(tempDir(), 'store.db'),
      fake,
      { backfillDepthMs: 300 * 60_000, watch: [KEY], connection: { reconnectBaseMs: 5, reconnectMaxMs: 50 } },
      (line) => log.push(line),
    );
    engine = e;
    await vi.waitFor(() => expect(e.feed?.health().streams[0]?.state).toBe('live'), { timeout: 30_000, interval: 10 });
    await e.feed!.idle();
    const conflicts = () => e.feed!.health().streams[0]!.rejected.conflicting_confirmation ?? 0;
    const stored = (row: SourceRow) => e.store.range(KEY, row.start, row.start)[0];
    const first = (row: SourceRow) => ({ confirmed: true, close: Number(row.close) });

    /** The fake plays the next candle's open update and ends it, its own confirmation lost: ours stand in. */
    const nextEndedCandle = () => {
      const row = fake.rows[fake.cursor]!;
      fake.loseConfirmations(1);
      fake.advanceCandles(1);
      return row;
    };

    // Both in one frame.
    const inOneFrame = nextEndedCandle();
    fake.sendRaw(frame(confirmation(inOneFrame), confirmation(inOneFrame, otherClose(inOneFrame))));
    await vi.waitFor(() => expect(conflicts()).toBe(1), { timeout: 10_000, interval: 10 });
    expect(stored(inOneFrame)).toMatchObject(first(inOneFrame));

    // Two frames in one TCP write: read together.
    const inOneWrite = nextEndedCandle();
    fake.sendRawTogether([frame(confirmation(inOneWrite)), frame(confirmation(inOneWrite, otherClose(inOneWrite)))]);
    await vi.waitFor(() => expect(conflicts()).toBe(2), { timeout: 10_000, interval: 10 });
    expect(stored(inOneWrite)).toMatchObject(first(inOneWrite));

    // Separate frames, sent one after the other.
    const separate = nextEndedCandle();
    fake.sendRaw(frame(confirmation(separate)));
    fake.sendRaw(frame(confirmation(separate, otherClose(separate))));
    await vi.waitFor(() => expect(conflicts()).toBe(3), { timeout: 10_000, interval: 10 });
    expect(stored(separate)).toMatchObject(first(separate));

    // The second in a later batch, the first already stored.
    const acrossBatches = nextEndedCandle();
    fake.sendRaw(frame(confirmation(acrossBatches)));
    await vi.waitFor(() => expect(stored(acrossBatches)).toMatchObject(first(acrossBatches)), { timeout: 10_000, interval: 10 });
    fake.sendRaw(frame(confirmation(acrossBatches, otherClose(acrossBatches))));
    await vi.waitFor(() => expect(conflicts()).toBe(4), { timeout: 10_000, interval: 10 });
    expect(stored(acrossBatches)).toMatchObject(first(acrossBatches));

    // The same confirmation again, in one frame, in one write and later: nothing to count.
    const same = nextEndedCandle();
    fake.sendRaw(frame(confirmation(same), confirmation(same)));
    fake.sendRawTogether([frame(confirmation(same)), frame(confirmation(same))]);
    await vi.waitFor(() => expect(stored(same)).toMatchObject(first(same)), { timeout: 10_000, interval: 10 });
    fake.sendRaw(frame(confirmation(same)));
    // The fake's next candle, after all of those: once it is stored, every frame before it was handled.
    fake.advanceCandles(1);
    await vi.waitFor(() => expect(stored(fake.rows[fake.cursor - 1]!)).toMatchObject({ confirmed: true }), {
      timeout: 10_000,
      interval: 10,
    });
    expect(conflicts()).toBe(4);
    expect(e.feed!.health().rejected.conflicting_confirmation).toBe(4);
    expect(log.filter((l) => l.startsWith('rejected (conflicting_confirmation)'))).toEqual([
      expect.stringContaining(`ETHUSDT 1 candle ${inOneFrame.start} confirmed again as o/h/l/c/v`),
    ]);
  });
});
