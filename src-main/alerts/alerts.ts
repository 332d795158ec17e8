/**
 * Alerts: rules kept in the store, checked against every live signal; each firing is stored (for
 * the alerts list and the audit) and published as 'alert.fired' on the engine's bus.
 */
import { SIGNAL_CLASSES, type Signal } from '../../src-shared/domain/signal';
import type { AlertRule, FiredAlert } from '../../src-shared/domain/alerts';
import type { EngineBus } from '../bus/bus';
import type { Db } from '../store/database';
import { ForecastExplanationStore } from '../store/forecast-explanations';
import { matchAlerts } from './rules';

interface RuleRow {
  id: number;
  exchange: string;
  category: AlertRule['category'];
  symbol: string;
  class: AlertRule['class'];
  min_probability: number;
  min_concentration: number;
  created_at: number;
}

interface FiredRow extends Omit<RuleRow, 'id' | 'created_at'> {
  id: number;
  rule_id: number;
  rule_created_at: number;
  signal_id: number;
  interval: FiredAlert['interval'];
  candle_start: number;
  probability: number;
  concentration: number;
  fired_at: number;
  thumbnail: string | null;
}

const toRule = (r: Omit<RuleRow, 'id' | 'created_at'> & { id: number; created_at: number }): AlertRule => ({
  id: r.id,
  exchange: 'bybit',
  category: r.category,
  symbol: r.symbol,
  class: r.class,
  minProbability: r.min_probability,
  minConcentration: r.min_concentration,
  createdAt: r.created_at,
});

export type NewAlertRule = Omit<AlertRule, 'id' | 'createdAt'>;

export class AlertStore {
  // The statements of the live path (every signal checks the rules), prepared once.
  readonly #rules;
  readonly #insertFired;
  readonly #fire;
  readonly #forecastExplanations;

  constructor(private readonly db: Db) {
    this.#forecastExplanations = new ForecastExplanationStore(db);
    this.#rules = db.prepare<[], RuleRow>('SELECT * FROM alert_rules ORDER BY symbol, id');
    this.#insertFired = db.prepare(
      `INSERT OR IGNORE INTO alerts_fired (rule_id, signal_id, interval, candle_start, probability, concentration, fired_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#fire = db.transaction((signal: Signal, now: number) =>
      matchAlerts(this.rules(), signal, SIGNAL_CLASSES, this.#sharpCam(signal)).flatMap(
        ({ rule, probability, concentration }): FiredAlert[] => {
          const { interval, candleStart } = signal;
          const { changes, lastInsertRowid } = this.#insertFired.run(
            rule.id,
            signal.id,
            interval,
            candleStart,
            probability,
            concentration,
            now,
          );
          if (changes === 0) return [];
          return [
            {
              id: Number(lastInsertRowid),
              rule,
              signalId: signal.id,
              interval,
              candleStart,
              probability,
              concentration,
              firedAt: now,
              thumbnail: null,
            },
          ];
        },
      ),
    );
  }

  /** The stored attention of a signal's sharp-move explanation, read only when it has that forecast. */
  #sharpCam(signal: Signal): number[] {
    if (signal.forecasts?.sharpMove === undefined) return [];
    return this.#forecastExplanations.of(signal.id).find((e) => e.head === 'sharp')?.cam ?? [];
  }

  rules(): AlertRule[] {
    return this.#rules.all().map(toRule);
  }

  add(rule: NewAlertRule, now = Date.now()): AlertRule {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO alert_rules (exchange, category, symbol, class, min_probability, min_concentration, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(rule.exchange, rule.category, rule.symbol, rule.class, rule.minProbability, rule.minConcentration, now);
    return { ...rule, id: Number(lastInsertRowid), createdAt: now };
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  fired(limit = 100): FiredAlert[] {
    const rows = this.db
      .prepare<{ limit: number }, FiredRow>(
        `SELECT f.*, r.exchange, r.category, r.symbol, r.class, r.min_probability, r.min_concentration, r.created_at AS rule_created_at
         FROM alerts_fired f JOIN alert_rules r ON r.id = f.rule_id
         ORDER BY f.fired_at DESC, f.id DESC LIMIT @limit`,
      )
      .all({ limit });
    return rows.map((r) => ({
      id: r.id,
      rule: toRule({ ...r, id: r.rule_id, created_at: r.rule_created_at }),
      signalId: r.signal_id,
      interval: r.interval,
      candleStart: r.candle_start,
      probability: r.probability,
      concentration: r.concentration,
      firedAt: r.fired_at,
      thumbnail: r.thumbnail,
    }));
  }

  /** For the audit: each firing's signal and rule, newest first, without the rows' thumbnails. */
  firings(): { signalId: number; class: AlertRule['class']; minProbability: number }[] {
    return this.db
      .prepare<[], { signalId: number; class: AlertRule['class']; minProbability: number }>(
        `SELECT f.signal_id AS signalId, r.class, r.min_probability AS minProbability
         FROM alerts_fired f JOIN alert_rules r ON r.id = f.rule_id
         ORDER BY f.fired_at DESC, f.id DESC`,
      )
      .all();
  }

  /** For one audit page: the firings of these signals, newest first (on the firings' signal index). */
  firingsOf(signalIds: readonly number[]): { signalId: number; class: AlertRule['class']; minProbability: number }[] {
    return this.db
      .prepare<[string], { signalId: number; class: AlertRule['class']; minProbability: number }>(
        `SELECT f.signal_id AS signalId, r.class, r.min_probability AS minProbability
         FROM alerts_fired f JOIN alert_rules r ON r.id = f.rule_id
         WHERE f.signal_id IN (SELECT value FROM json_each(?))
         ORDER BY f.fired_at DESC, f.id DESC`,
      )
      .all(JSON.stringify(signalIds));
  }

  setThumbnail(firedId: number, png: string): boolean {
    return this.db.prepare('UPDATE alerts_fired SET thumbnail = ? WHERE id = ?').run(png, firedId).changes > 0;
  }

  /** Stores every firing of a signal, once per rule, and returns the new ones. */
  fire(signal: Signal, now = Date.now()): FiredAlert[] {
    return this.#fire(signal, now);
  }
}

/** Checks each stored live signal against the rules; returns a function that stops watching. */
export function watchAlerts(bus: EngineBus, alerts: AlertStore, log: (line: string) => void): () => void {
  return bus.listen('signal.stored', (signal) => {
    const firedNow = alerts.fire(signal);
    // Published after the signal itself has reached every listener, so a renderer knows the signal first.
    queueMicrotask(() => {
      for (const fired of firedNow) {
        const what = fired.rule.class === 'sharp' ? 'sharp move' : fired.rule.class;
        log(`alert: ${signal.symbol} ${signal.interval} ${what} at ${(fired.probability * 100).toFixed(0)}%`);
        bus.emit('alert.fired', fired);
      }
    });
  });
}
