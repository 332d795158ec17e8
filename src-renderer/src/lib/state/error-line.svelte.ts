/** The one error line of the page: the last failure of any action, in words, with times in the user's zone. */
import type { CallName } from '../../../../src-shared/contract/bridge';
import { localizeTimes } from '../../../../src-shared/domain/iso-time';
import type { Bridge } from '../bridge';

/** Calls that are something the user did: the next one that succeeds clears the line. Reads and polls never do. */
const ACTIONS: ReadonlySet<CallName> = new Set([
  'preferences.set',
  'watchlist.add',
  'watchlist.remove',
  'alerts.add',
  'alerts.remove',
  'replay.start',
  'replay.control',
  'models.use',
  'signals.explain',
  'training.start',
  'training.cancel',
  'backtest.run',
  'audit.verify',
  'forecasts.explain',
  'drawings.save',
  'drawings.remove',
  'layouts.save',
]);

export class ErrorLine {
  message = $state('');
  readonly #formatTime: (ms: number) => string;

  /** `formatTime`: epoch ms in the user's zone; a message's ISO times are shown with it. */
  constructor(formatTime: (ms: number) => string) {
    this.#formatTime = formatTime;
  }

  /** Shows a failure; passed to every state module as its `fail`. */
  readonly fail = (err: unknown): void => {
    this.message = localizeTimes((err as Error).message, this.#formatTime);
  };

  /** The bridge as the page's views use it: an action that succeeds clears the line (its failure is past). */
  clearedBySuccess(bridge: Bridge): Bridge {
    return {
      subscribe: (name, listener) => bridge.subscribe(name, listener),
      invoke: async (name, request) => {
        const value = await bridge.invoke(name, request);
        if (ACTIONS.has(name)) this.message = '';
        return value;
      },
    };
  }
}
