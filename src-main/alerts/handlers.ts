/** The bridge's alert calls: the rules, their firings and a firing's chart thumbnail. */
import type { HandlersFor } from '../ipc/dispatch';
import type { AlertStore } from './alerts';

export function alertHandlers(alerts: AlertStore): HandlersFor<'alerts'> {
  return {
    'alerts.list': () => alerts.rules(),
    'alerts.add': (rule) => alerts.add(rule),
    'alerts.remove': ({ id }) => ({ removed: alerts.remove(id) }),
    'alerts.fired': ({ limit }) => alerts.fired(limit),
    'alerts.thumbnail': ({ firedId, png }) => ({ stored: alerts.setThumbnail(firedId, png) }),
  };
}
