import type { FiredAlert } from '../ipc/contract';

/** The notification's words, the same in Electron and in a browser. */
export function alertText(alert: FiredAlert): { title: string; body: string } {
  return {
    title: `${alert.rule.class.toUpperCase()} ${alert.rule.symbol} ${alert.interval}`,
    body: `${(alert.probability * 100).toFixed(0)}% · attention focus ${(alert.concentration * 100).toFixed(0)}% · candle ${new Date(alert.candleStart).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  };
}
