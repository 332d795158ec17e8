/** How the renderer asks for a signal's model view (the bridge's `signals.modelView`). */
import type { CallRequest } from '../../../../src-shared/contract/bridge';
import type { Signal } from '../../../../src-shared/domain/signal';

/**
 * What the view of `signal` is asked by: a stored one by its id; one not stored (a replayed candle's,
 * the forming candle's) by its window, stream, model and method. Explained as the signal is.
 */
export function viewRequest(signal: Signal): CallRequest<'signals.modelView'> {
  const explained = { method: signal.method, ...(signal.explains === undefined ? {} : signal.explains) };
  if (signal.id > 0) return { id: signal.id, ...explained };
  const { category, symbol, interval, candleStart, modelVersion } = signal;
  return { window: { category, symbol, interval, candleStart, modelVersion, forming: !signal.confirmed }, ...explained };
}
