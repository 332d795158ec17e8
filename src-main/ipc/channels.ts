/** Electron IPC channel names; the contract itself travels as (name, payload) over these two. */
export const INVOKE_CHANNEL = 'candle-lens:invoke';
export const EVENT_CHANNEL = 'candle-lens:event';
