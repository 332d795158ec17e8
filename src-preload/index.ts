/**
 * Sandboxed preload: exposes exactly the contract's calls and events to the page, each as its own
 * function, and never ipcRenderer itself. Validation happens in the renderer (createBridge) and in
 * main (dispatch).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/contract/transport';
import { CALL_NAMES, isEventName, type CallName, type EventName } from '../src-shared/contract/bridge';
import type { RawBridge } from '../src-shared/contract/transport';

const calls = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (request: unknown) => ipcRenderer.invoke(INVOKE_CHANNEL, name, request)]),
) as Record<CallName, (request: unknown) => Promise<unknown>>;

const bridge: RawBridge = {
  calls,
  subscribe(name: EventName, listener: (payload: unknown) => void) {
    if (!isEventName(name)) throw new Error(`unknown event: ${String(name)}`);
    const onEvent = (_event: IpcRendererEvent, eventName: unknown, payload: unknown) => {
      if (eventName === name) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, onEvent);
    return () => void ipcRenderer.off(EVENT_CHANNEL, onEvent);
  },
};

contextBridge.exposeInMainWorld('candleLensIpc', bridge);
