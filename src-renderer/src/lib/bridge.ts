/** The renderer's side of the bridge: the typed, validated client over whatever transport carries it. */
import { z } from 'zod';
import {
  calls,
  events,
  isCallName,
  isEventName,
  type CallName,
  type CallRequest,
  type CallResponse,
  type EventName,
  type EventPayload,
} from '../../../src-shared/contract/bridge';
import { Envelope, type BridgeErrorCode, type RawBridge } from '../../../src-shared/contract/transport';

/** Raised when a call is refused or its answer does not match the contract. */
export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The object the renderer talks to, whatever the transport. */
export interface Bridge {
  invoke<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>>;
  subscribe<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

/** Turns an envelope into the typed value, or throws a BridgeError. */
export function openEnvelope<K extends CallName>(name: K, raw: unknown): CallResponse<K> {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) throw new BridgeError('transport', `malformed reply to ${name}`);
  if (!envelope.data.ok) throw new BridgeError(envelope.data.error.code, envelope.data.error.message);
  const value = calls[name].response.safeParse(envelope.data.value);
  if (!value.success) throw new BridgeError('bad_response', `${name}: ${z.prettifyError(value.error)}`);
  return value.data as CallResponse<K>;
}

/** Validates an event payload; undefined when it does not match the contract. */
export function parseEvent<K extends EventName>(name: K, raw: unknown): EventPayload<K> | undefined {
  const parsed = events[name].safeParse(raw);
  return parsed.success ? (parsed.data as EventPayload<K>) : undefined;
}

/** The typed, validated bridge over a raw transport. */
export function createBridge(raw: RawBridge): Bridge {
  return {
    async invoke(name, request) {
      if (!isCallName(name)) throw new BridgeError('unknown_call', `unknown call: ${String(name)}`);
      return openEnvelope(name, await raw.calls[name](request));
    },
    subscribe(name, listener) {
      if (!isEventName(name)) throw new BridgeError('unknown_call', `unknown event: ${String(name)}`);
      return raw.subscribe(name, (payload) => {
        const parsed = parseEvent(name, payload);
        if (parsed === undefined) console.warn(`dropped a malformed ${name} event`);
        else listener(parsed);
      });
    },
  };
}
