/** The bridge's audit calls: the stored signals with their alerts, and the re-run of one. */
import type { AlertStore } from '../alerts/alerts';
import type { HandlersFor } from '../ipc/dispatch';
import type { ModelHost } from '../signals/model-host';
import type { CandleStore } from '../store/candles';
import type { SignalStore } from '../store/signals';
import { auditPage, verifySignal } from './audit';

export function auditHandlers(
  stores: { candles: CandleStore; signals: SignalStore; alerts: AlertStore },
  host: ModelHost | undefined,
): HandlersFor<'audit'> {
  return {
    'audit.list': (query) => auditPage(stores, query),
    'audit.facets': () => stores.signals.facets(),
    'audit.verify': async ({ id }) => {
      const signal = stores.signals.get(id);
      if (signal === undefined) throw new Error(`no signal ${id}`);
      return { id, ...(await verifySignal(host, signal, stores.signals.forecastExplanations(id))) };
    },
  };
}
