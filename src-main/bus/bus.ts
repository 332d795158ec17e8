/**
 * The engine's internal event bus: the live corridor from a stored candle to a scored, stored signal
 * and the alerts it fires. Typed end to end (each event name has its payload type), in-process only,
 * and separate from the push to renderers (ipc/dispatch's EventHub), which relays what they show.
 */
import type { EventPayload } from '../../src-shared/contract/bridge';
import type { FiredAlert } from '../../src-shared/domain/alerts';
import type { Signal } from '../../src-shared/domain/signal';

/** The corridor's events, in the order they follow each other. */
export interface EngineEvents {
  /** A candle row that changed in the store (confirmed, or still forming), after its commit. */
  'candle.updated': EventPayload<'candle.updated'>;
  /** A live signal, explained and stored. */
  'signal.stored': Signal;
  /** The signal of the window ending at the candle still forming; not stored. */
  'signal.provisional': Signal;
  /** A stored firing of an alert rule by a stored signal. */
  'alert.fired': FiredAlert;
}

type Listener<T> = (payload: T) => void;

export class TypedBus<Events extends object> {
  readonly #listeners: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  /**
   * @param onListenerError told of a listener that threw: the other listeners still get the event, and
   *   the emitter (a store write, a scoring) carries on
   */
  constructor(private readonly onListenerError: (err: Error, name: keyof Events) => void = () => {}) {}

  /** Delivers `payload` to each listener of `name`, in the order they started listening. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    // A copy: a listener that stops listening (or starts another) does not change this delivery.
    for (const listener of [...(this.#listeners[name] ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err as Error, name);
      }
    }
  }

  /** Returns a function that stops listening. */
  listen<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const listeners = this.#listeners[name] ?? new Set();
    this.#listeners[name] = listeners;
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }
}

export type EngineBus = TypedBus<EngineEvents>;

export function createEngineBus(log: (line: string) => void = () => {}): EngineBus {
  return new TypedBus<EngineEvents>((err, name) => log(`a '${String(name)}' listener failed: ${err.message}`));
}
