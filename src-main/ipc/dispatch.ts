/**
 * Transport-independent side of the bridge: validates every incoming call against the contract and
 * routes it to its handler. Electron IPC and the WebSocket server both go through here.
 */
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import {
  calls,
  events,
  isCallName,
  type CallInput,
  type CallName,
  type CallResponse,
  type EventName,
  type EventPayload,
} from '../../src-shared/contract/bridge';
import type { EnvelopeValue } from '../../src-shared/contract/transport';

export type Handlers = {
  [K in CallName]: (input: CallInput<K>) => CallResponse<K> | Promise<CallResponse<K>>;
};

/**
 * The handlers of one domain: every call named `prefix.…`, no more and no less. The engine joins the
 * domains' handlers and checks the whole against `Handlers`, so a call without a handler does not compile.
 */
export type HandlersFor<Prefix extends string> = {
  [K in CallName as K extends `${Prefix}.${string}` ? K : never]: Handlers[K];
};

export type Dispatch = (name: unknown, payload: unknown) => Promise<EnvelopeValue>;

export function createDispatch(handlers: Handlers): Dispatch {
  return async (name, payload) => {
    if (!isCallName(name)) {
      // Only a string is shown: String() of some values (an object without a prototype) throws.
      const shown = typeof name === 'string' ? name.slice(0, 80) : `a name of type ${typeof name}`;
      return { ok: false, error: { code: 'unknown_call', message: `unknown call: ${shown}` } };
    }
    const request = calls[name].request.safeParse(payload ?? {});
    if (!request.success) {
      return { ok: false, error: { code: 'bad_request', message: `${name}: ${z.prettifyError(request.error)}` } };
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, value: await handler(request.data) };
    } catch (err) {
      return { ok: false, error: { code: 'handler_failed', message: `${name}: ${(err as Error).message}` } };
    }
  };
}

type Listener = (name: EventName, payload: unknown) => void;

/** Fan-out of pushed events to every connected renderer; payloads are checked before they leave. */
export class EventHub {
  readonly #emitter = new EventEmitter();

  /**
   * @param onListenerError told of a listener that threw: the other listeners still get the event, and
   *   the emitter (a store write, a socket read) carries on
   */
  constructor(private readonly onListenerError: (err: Error, name: EventName) => void = () => {}) {}

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this.#emitter.emit('event', name, events[name].parse(payload));
  }

  /**
   * Pushes an event built only from data validated where it entered (the feed's candles, checked frame
   * by frame), without checking it a second time: on the feed's hot path that check cost as much as
   * storing the candle. A renderer still validates every event it receives (createBridge).
   */
  emitValidated<K extends EventName>(name: K, payload: EventPayload<K>): void {
    this.#emitter.emit('event', name, payload);
  }

  listen(listener: Listener): () => void {
    const guarded: Listener = (name, payload) => {
      try {
        listener(name, payload);
      } catch (err) {
        this.onListenerError(err as Error, name);
      }
    };
    this.#emitter.on('event', guarded);
    return () => this.#emitter.off('event', guarded);
  }
}
