/** The bridge's replay calls: a session over stored candles, and its controls. */
import type { HandlersFor } from '../ipc/dispatch';
import type { ModelRegistry } from '../store/models';
import type { Replays } from './replay';

export function replayHandlers(replays: Replays, registry: ModelRegistry): HandlersFor<'replay'> {
  return {
    'replay.start': (request) => {
      if (request.modelVersion !== undefined && registry.get(request.modelVersion) === undefined)
        throw new Error(`no registered model ${request.modelVersion}`);
      return replays.start(request);
    },
    'replay.control': (request) => replays.control(request),
  };
}
