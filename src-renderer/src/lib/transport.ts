/**
 * The renderer picks its transport itself: the preload's IPC bridge inside Electron, otherwise a
 * WebSocket back to the `serve` process that served this page (token from the page URL).
 */
import { BridgeError, createBridge, type Bridge } from './bridge';
import { CALL_NAMES, type CallName, type EventName } from '../../../src-shared/contract/bridge';
import type { RawBridge } from '../../../src-shared/contract/transport';
import { BRIDGE_PATH, ServerFrame, type ClientFrameValue } from '../../../src-shared/contract/transport';

export type TransportKind = 'electron' | 'websocket';

const RECONNECT_MS = 1000;
const CLOSED_MESSAGE =
  'cannot reach the engine: the connection was refused or closed (open the exact URL that serve printed, token included)';

function webSocketBridge(url: string): RawBridge {
  const pending = new Map<number, { resolve: (reply: unknown) => void; reject: (err: Error) => void }>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket;

  const open = () => {
    socket = new WebSocket(url);
    socket.addEventListener('open', () => {
      for (const frame of outbox.splice(0)) socket.send(frame);
    });
    socket.addEventListener('message', (message: MessageEvent<string>) => {
      const frame = ServerFrame.safeParse(JSON.parse(message.data));
      if (!frame.success) return console.warn('dropped a malformed frame from the engine');
      if ('reply' in frame.data) {
        const { id, reply } = frame.data;
        if (id === null) return console.warn(`the engine refused a frame: ${JSON.stringify(reply)}`);
        pending.get(id)?.resolve(reply);
        pending.delete(id);
      } else {
        for (const listener of listeners.get(frame.data.event as EventName) ?? []) listener(frame.data.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const call of pending.values()) call.reject(new BridgeError('transport', CLOSED_MESSAGE));
      pending.clear();
      setTimeout(open, RECONNECT_MS);
    });
  };
  open();

  const send = (name: CallName, request: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const frame = JSON.stringify({ id, call: name, payload: request } satisfies ClientFrameValue);
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else outbox.push(frame);
    });

  return {
    calls: Object.fromEntries(CALL_NAMES.map((name) => [name, (request: unknown) => send(name, request)])) as RawBridge['calls'],
    subscribe(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set.add(listener));
      return () => void set.delete(listener);
    },
  };
}

export function connectBridge(): { bridge: Bridge; transport: TransportKind } {
  if (window.candleLensIpc !== undefined) return { bridge: createBridge(window.candleLensIpc), transport: 'electron' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_PATH}?token=${encodeURIComponent(token)}`;
  return { bridge: createBridge(webSocketBridge(url)), transport: 'websocket' };
}
