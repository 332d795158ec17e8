/**
 * Horizontal lines set as price alerts: each stored candle of their stream is checked against them; a
 * candle that ends after the alert was set and whose range touches the line fires it once (the line stays,
 * its alert is turned off in the store) and the firing is pushed to renderers as 'drawing.alert'.
 */
import type { Drawing } from '../../src-shared/domain/drawings';
import { nextCandleStart } from '../../src-shared/domain/intervals';
import type { Candle, StreamKeyValue } from '../../src-shared/domain/market';
import type { EngineBus } from '../bus/bus';
import type { EventHub } from '../ipc/dispatch';
import type { DrawingStore } from './drawings';

/** Whether the candle fires the line: it touches the price and ended after the alert was last set. */
export function firesPriceAlert(line: Drawing, candle: Candle): boolean {
  if (line.shape.kind !== 'hline' || !line.shape.alert) return false;
  const touched = candle.low <= line.shape.price && line.shape.price <= candle.high;
  return touched && nextCandleStart(line.interval, candle.time) > line.updatedAt;
}

const streamId = (key: StreamKeyValue) => `${key.exchange} ${key.category} ${key.symbol} ${key.interval}`;

export function watchPriceAlerts(bus: EngineBus, drawings: DrawingStore, events: EventHub, log: (line: string) => void): () => void {
  // The candle path is hot (every push): the armed lines are read from the store only after a drawing changed.
  let seen = -1;
  let armed = new Map<string, Drawing[]>();
  return bus.listen('candle.updated', (update) => {
    if (seen !== drawings.changes) {
      seen = drawings.changes;
      armed = new Map();
      for (const line of drawings.priceAlerts()) armed.set(streamId(line), [...(armed.get(streamId(line)) ?? []), line]);
    }
    for (const line of armed.get(streamId(update)) ?? []) {
      if (!firesPriceAlert(line, update.candle) || line.shape.kind !== 'hline') continue;
      const fired = drawings.save({ ...line, shape: { ...line.shape, alert: false } });
      log(`price alert: ${line.symbol} ${line.interval} touched ${line.shape.price}`);
      events.emit('drawing.alert', { drawing: fired, candle: update.candle });
    }
  });
}
