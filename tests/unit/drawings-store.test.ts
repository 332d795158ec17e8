/**
 * Drawings and layouts over the bridge of a real engine on a SQLite file: stored per stream, kept across a
 * restart on the same file, locked ones kept still, malformed ones refused with a clear error and nothing
 * stored, and a horizontal line set as a price alert fired once by a candle that touches it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../src-shared/contract/bridge';
import type { Drawing, NamedLayout } from '../../src-shared/domain/drawings';
import { createEngine, type Engine } from '../../src-main/engine/engine';
import { callEngine, tempDir } from '../helpers';

const stream = { symbol: 'BTCUSDT', interval: '1' } as const;
const trend = { kind: 'trend', from: { time: 1_700_000_000_000, price: 97_000 }, to: { time: 1_700_000_600_000, price: 97_500.5 } };

const open: Engine[] = [];
function start(storePath: string): Engine {
  const engine = createEngine({ storePath, market: false, modelPath: false, seedSample: false });
  open.push(engine);
  return engine;
}
afterEach(() => open.splice(0).forEach((engine) => engine.close()));

describe('drawings', () => {
  it('are stored per stream and survive a restart on the same file', async () => {
    const path = join(tempDir(), 'store.db');
    const first = start(path);
    const saved = await callEngine<Drawing>(first, 'drawings.save', { ...stream, shape: trend });
    await callEngine(first, 'drawings.save', { symbol: 'ETHUSDT', interval: '1', shape: { kind: 'hline', price: 3000 } });
    first.close();
    open.splice(0);
    const again = start(path);
    const listed = await callEngine<Drawing[]>(again, 'drawings.list', stream);
    expect(listed).toEqual([{ ...saved, exchange: 'bybit', category: 'linear', locked: false }]);
    expect(listed[0]?.shape).toEqual(trend);
  });

  it('keeps a locked drawing where it is until it is unlocked', async () => {
    const engine = start(join(tempDir(), 'store.db'));
    const note = await callEngine<Drawing>(engine, 'drawings.save', {
      ...stream,
      locked: true,
      shape: { kind: 'text', at: { time: 1_700_000_000_000, price: 97_000 }, text: 'support' },
    });
    const moved = { ...stream, id: note.id, locked: true, shape: { ...note.shape, at: { time: 1_700_000_060_000, price: 97_100 } } };
    expect(await engine.dispatch('drawings.save', moved)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/locked/) } });
    expect(await engine.dispatch('drawings.remove', { id: note.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/locked/) },
    });
    await callEngine(engine, 'drawings.save', { ...stream, id: note.id, locked: false, shape: note.shape });
    await callEngine(engine, 'drawings.save', { ...moved, locked: false });
    expect((await callEngine<Drawing[]>(engine, 'drawings.list', stream))[0]?.shape).toEqual(moved.shape);
    expect(await callEngine(engine, 'drawings.remove', { id: note.id })).toEqual({ removed: true });
    expect(await callEngine(engine, 'drawings.list', stream)).toEqual([]);
  });

  it('refuses a malformed drawing with a clear error and stores nothing', async () => {
    const engine = start(join(tempDir(), 'store.db'));
    const malformed: [unknown, RegExp][] = [
      [{ ...stream, shape: { kind: 'trend', from: trend.from } }, /shape\.to/],
      [{ ...stream, shape: { kind: 'hline', price: -1 } }, /price/],
      [{ ...stream, shape: { kind: 'hline', price: 'NaN' } }, /price/],
      [{ ...stream, shape: { kind: 'circle', at: trend.from } }, /kind/],
      [{ ...stream, shape: { kind: 'text', at: trend.from, text: 'x'.repeat(201) } }, /text/],
      [{ ...stream, shape: { kind: 'text', at: trend.from, text: '   ' } }, /text/],
      [{ ...stream, shape: { ...trend, colour: 'red' } }, /colour/],
      [{ ...stream, interval: '2', shape: trend }, /interval/],
      [{ ...stream, id: 99, shape: trend }, /no drawing 99/],
    ];
    for (const [request, reason] of malformed) {
      const reply = await engine.dispatch('drawings.save', request);
      expect(reply, JSON.stringify(request)).toMatchObject({ ok: false, error: { message: expect.stringMatching(reason) } });
    }
    expect(await callEngine(engine, 'drawings.list', stream)).toEqual([]);
  });

  it('fires a horizontal line set as a price alert once, on a candle that touches it', async () => {
    const engine = start(join(tempDir(), 'store.db'));
    const line = await callEngine<Drawing>(engine, 'drawings.save', { ...stream, shape: { kind: 'hline', price: 100, alert: true } });
    const pushed: { name: EventName; payload: unknown }[] = [];
    engine.events.listen((name, payload) => pushed.push({ name, payload }));
    const candle = (time: number, low: number, high: number) => ({ time, open: low, high, low, close: high, volume: 1, confirmed: false });
    const now = Date.now() - (Date.now() % 60_000);
    const key = { exchange: 'bybit', category: 'linear', ...stream } as const;
    engine.bus.emit('candle.updated', { ...key, candle: candle(now, 90, 99) });
    engine.bus.emit('candle.updated', { ...key, symbol: 'ETHUSDT', candle: candle(now, 90, 110) });
    // A candle that ended before the alert was set does not fire it (a backfill of old history).
    engine.bus.emit('candle.updated', { ...key, candle: candle(now - 3_600_000, 90, 110) });
    expect(pushed.filter((e) => e.name === 'drawing.alert')).toEqual([]);
    engine.bus.emit('candle.updated', { ...key, candle: candle(now, 95, 101) });
    engine.bus.emit('candle.updated', { ...key, candle: candle(now, 95, 102) });
    const fired = pushed.filter((e) => e.name === 'drawing.alert');
    expect(fired).toHaveLength(1);
    expect(fired[0]?.payload).toMatchObject({
      drawing: { id: line.id, shape: { kind: 'hline', price: 100, alert: false } },
      candle: { high: 101 },
    });
    expect((await callEngine<Drawing[]>(engine, 'drawings.list', stream))[0]?.shape).toEqual({ kind: 'hline', price: 100, alert: false });
  });
});

describe('layouts', () => {
  const four = {
    charts: 4,
    others: [
      { category: 'linear', symbol: 'ETHUSDT', interval: '5' },
      { category: 'linear', symbol: 'SOLUSDT', interval: '15' },
      { category: 'spot', symbol: 'BTCUSDT', interval: '60' },
    ],
    syncCrosshair: true,
    syncTime: true,
  };

  it('are saved by name and restored after a restart', async () => {
    const path = join(tempDir(), 'store.db');
    const first = start(path);
    await callEngine(first, 'layouts.save', { name: 'current', layout: four });
    await callEngine(first, 'layouts.save', { name: 'single', layout: { charts: 1 } });
    first.close();
    open.splice(0);
    const listed = await callEngine<NamedLayout[]>(start(path), 'layouts.list', {});
    expect(listed.map(({ name, layout }) => ({ name, layout }))).toEqual([
      { name: 'current', layout: four },
      { name: 'single', layout: { charts: 1, others: [], syncCrosshair: true, syncTime: false } },
    ]);
  });

  it('refuses a malformed layout with a clear error and stores nothing', async () => {
    const engine = start(join(tempDir(), 'store.db'));
    const malformed: [unknown, RegExp][] = [
      [{ name: 'three', layout: { charts: 3 } }, /charts/],
      [{ name: 'many', layout: { ...four, others: [...four.others, four.others[0]] } }, /others/],
      [{ name: 'bad symbol', layout: { charts: 2, others: [{ category: 'linear', symbol: 'eth/usdt', interval: '5' }] } }, /symbol/],
      [{ name: '', layout: four }, /name/],
      [{ name: 'x', layout: { ...four, syncCrosshair: 'yes' } }, /syncCrosshair/],
    ];
    for (const [request, reason] of malformed) {
      const reply = await engine.dispatch('layouts.save', request);
      expect(reply, JSON.stringify(request)).toMatchObject({
        ok: false,
        error: { code: 'bad_request', message: expect.stringMatching(reason) },
      });
    }
    expect(await callEngine(engine, 'layouts.list', {})).toEqual([]);
  });
});
