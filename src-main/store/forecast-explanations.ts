/** Persistence of forecast heads' explanations: one row per (signal, head), kept with the signal's row. */
import { ForecastExplanationSchema, type ForecastExplanation } from '../../src-shared/domain/forecast-explanation';
import type { Db } from './database';

interface ExplanationRow {
  head: string;
  target: number;
  cam: string;
  features: string;
}

export class ForecastExplanationStore {
  readonly #put;
  readonly #of;

  constructor(db: Db) {
    this.#put = db.prepare(
      `INSERT INTO forecast_explanations (signal_id, head, target, cam, features) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET target = excluded.target, cam = excluded.cam, features = excluded.features`,
    );
    this.#of = db.prepare<[number], ExplanationRow>(
      'SELECT head, target, cam, features FROM forecast_explanations WHERE signal_id = ? ORDER BY head',
    );
  }

  /** Stores the explanations of signal `signalId`'s forecasts (the caller's transaction keeps them with the signal). */
  put(signalId: number, explanations: readonly ForecastExplanation[]): void {
    for (const e of explanations) this.#put.run(signalId, e.head, e.target, JSON.stringify(e.cam), JSON.stringify(e.features));
  }

  /** The stored explanations of a signal's forecasts, by head name. */
  of(signalId: number): ForecastExplanation[] {
    return this.#of
      .all(signalId)
      .map((r) =>
        ForecastExplanationSchema.parse({ head: r.head, target: r.target, cam: JSON.parse(r.cam), features: JSON.parse(r.features) }),
      );
  }
}
