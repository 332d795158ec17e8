/**
 * The forecasts' schema: migration 009 keeps every alert rule and firing while it lets a rule watch the
 * sharp-move forecast, and a sharp rule fires only on a signal that has that forecast.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AlertStore } from '../../src-main/alerts/alerts';
import { matchAlerts } from '../../src-main/alerts/rules';
import { migrate, readMigrations } from '../../src-main/store/database';
import { SIGNAL_CLASSES } from '../../src-shared/domain/signal';
import { fixtureSignal } from '../signal-fixtures';

describe('migration 009', () => {
  it('keeps the alert rules and their firings, with their cascade, and accepts a sharp-move rule', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(
      db,
      readMigrations().filter((m) => m.version < 9),
    );
    // Written as the schema before it stood (the stores of today prepare statements on the new tables).
    db.prepare(
      `INSERT INTO alert_rules (exchange, category, symbol, class, min_probability, min_concentration, created_at)
       VALUES ('bybit', 'linear', 'BTCUSDT', 'buy', 0.5, 0, 7)`,
    ).run();
    db.prepare(
      `INSERT INTO alerts_fired (rule_id, signal_id, interval, candle_start, probability, concentration, fired_at, thumbnail)
       VALUES (1, 42, '1', 60000, 0.9, 0.3, 8, 'data:image/png;base64,AA==')`,
    ).run();
    const addSharp = () =>
      db
        .prepare(
          `INSERT INTO alert_rules (exchange, category, symbol, class, min_probability, min_concentration, created_at)
           VALUES ('bybit', 'linear', 'BTCUSDT', 'sharp', 0.2, 0, 9)`,
        )
        .run();
    expect(addSharp).toThrow(/CHECK constraint failed/);
    const rule = {
      id: 1,
      exchange: 'bybit',
      category: 'linear',
      symbol: 'BTCUSDT',
      class: 'buy',
      minProbability: 0.5,
      minConcentration: 0,
      createdAt: 7,
    };

    expect(migrate(db)).toContain(9);
    const after = new AlertStore(db);
    expect(after.rules()).toEqual([rule]);
    expect(after.fired().map((f) => [f.rule.id, f.signalId, f.probability, f.thumbnail])).toEqual([
      [1, 42, 0.9, 'data:image/png;base64,AA=='],
    ]);
    addSharp();
    expect(after.rules().map((r) => r.class)).toEqual(['buy', 'sharp']);
    // Removing a rule still removes its firings.
    after.remove(rule.id);
    expect(after.fired()).toEqual([]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});

describe('a sharp-move rule', () => {
  const rule = {
    id: 1,
    exchange: 'bybit' as const,
    category: 'linear' as const,
    symbol: 'BTCUSDT',
    class: 'sharp' as const,
    minProbability: 0.3,
    minConcentration: 0.5,
    createdAt: 0,
  };
  const signal = { ...fixtureSignal(0), id: 1, cam: [1, 1, 1, 1, 1] };

  it('fires on the forecast probability and the focus of the sharp-move heatmap, not the call’s', () => {
    const focused = [0, 0, 0, 0, 1];
    const stormy = { ...signal, forecasts: { sharpMove: 0.4 } };
    expect(matchAlerts([rule], stormy, SIGNAL_CLASSES, focused)).toEqual([{ rule, probability: 0.4, concentration: 1 }]);
    // The call's heatmap is flat (focus 0.2): it is not what a sharp rule reads.
    expect(matchAlerts([rule], stormy, SIGNAL_CLASSES, [1, 1, 1, 1, 1])).toEqual([]);
    expect(matchAlerts([rule], { ...signal, forecasts: { sharpMove: 0.29 } }, SIGNAL_CLASSES, focused)).toEqual([]);
  });

  it('never fires on a signal without a sharp-move forecast', () => {
    expect(matchAlerts([{ ...rule, minProbability: 0, minConcentration: 0 }], signal, SIGNAL_CLASSES)).toEqual([]);
  });
});
