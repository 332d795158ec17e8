/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { Bridge, RawBridge } from '../../src-main/ipc/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser served by `serve`. */
    candleLensIpc?: RawBridge;
    candleLens?: Bridge;
    /** Chart geometry, for the browser tests and the devtools console. */
    candleLensChart?: { timeToX(ms: number): number | null; paneHeight(): number };
  }
}
