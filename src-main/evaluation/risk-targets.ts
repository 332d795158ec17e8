/**
 * What the forecast heads are judged against, pure: for a window ending at candle t (the forecast
 * is made once t has closed), the realized variance and the log return of the next H candles, the
 * trailing volatility of the window's own returns, and whether the move was sharp. A target reads
 * only closes t … t + H; the trailing volatility only closes t − W … t.
 */
import { checkHorizon } from './volatility-baselines';

export interface RiskTargets {
  /** Σ r² over the 1-candle log returns of candles t + 1 … t + H (log realized volatility is half its log). */
  realizedVariance: number[];
  /** log(close[t + H] / close[t]). */
  futureReturn: number[];
  /** The population standard deviation of the W 1-candle log returns of candles t − W + 1 … t (as the direction labels take σ). */
  trailingVolatility: number[];
  /** 1 when |future return| > k · trailing volatility · √H. */
  sharpMove: number[];
}

export interface TargetSettings {
  horizon: number;
  /** W: the returns the trailing volatility is taken over. */
  trailingWindow: number;
  /** k of the sharp move. */
  sharpK: number;
}

export function checkTargetSettings({ horizon, trailingWindow, sharpK }: TargetSettings): void {
  checkHorizon(horizon);
  if (!Number.isInteger(trailingWindow) || trailingWindow < 2)
    throw new Error(`the trailing-volatility window must be a whole number of candles ≥ 2, got ${trailingWindow}`);
  if (!(sharpK > 0 && Number.isFinite(sharpK))) throw new Error(`the sharp-move k must be a positive finite number, got ${sharpK}`);
}

/** The targets of the windows ending at each of `ends` (indices into closes, each with W closes before it and H after). */
export function riskTargets(closes: readonly number[], ends: readonly number[], settings: TargetSettings): RiskTargets {
  checkTargetSettings(settings);
  const { horizon, trailingWindow, sharpK } = settings;
  const logReturn = (i: number): number => Math.log((closes[i] ?? NaN) / (closes[i - 1] ?? NaN));
  const targets: RiskTargets = { realizedVariance: [], futureReturn: [], trailingVolatility: [], sharpMove: [] };
  for (const t of ends) {
    if (!Number.isInteger(t) || t < trailingWindow || t + horizon >= closes.length)
      throw new RangeError(
        `a window ending at candle ${t} needs ${trailingWindow} returns before it and ${horizon} candles after it (${closes.length} candles)`,
      );
    let variance = 0;
    for (let i = t + 1; i <= t + horizon; i++) variance += logReturn(i) ** 2;
    const past = Array.from({ length: trailingWindow }, (_, j) => logReturn(t - trailingWindow + 1 + j));
    const mean = past.reduce((s, r) => s + r, 0) / trailingWindow;
    const sigma = Math.sqrt(past.reduce((s, r) => s + (r - mean) ** 2, 0) / trailingWindow);
    const move = Math.log((closes[t + horizon] ?? NaN) / (closes[t] ?? NaN));
    targets.realizedVariance.push(variance);
    targets.futureReturn.push(move);
    targets.trailingVolatility.push(sigma);
    targets.sharpMove.push(Math.abs(move) > sharpK * sigma * Math.sqrt(horizon) ? 1 : 0);
  }
  return targets;
}
