/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { Bridge } from './lib/bridge';
import type { RawBridge } from '../../src-shared/contract/transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser served by `serve`. */
    candleLensIpc?: RawBridge;
    candleLens?: Bridge;
    /** Chart geometry, for the browser tests and the devtools console. */
    candleLensChart?: {
      timeToX(ms: number): number | null;
      paneHeight(): number;
      /** Every pane's height, top to bottom (CSS px; a 1 px separator between two). */
      paneHeights(): number[];
      markerIds(): string[];
      priceToY(price: number): number | null;
      /** The markers drawn now, with their x (null off screen). */
      markers(): { x: number | null; position: string; text: string; id: string }[];
      /** The candles in view: the first's and last's starts (ms) and how many. */
      shownSpan(): { first: number | null; last: number | null; count: number };
    };
  }
}
