/** The bridge's drawing and layout calls. */
import type { HandlersFor } from '../ipc/dispatch';
import type { DrawingStore, LayoutStore } from './drawings';

export function drawingHandlers(drawings: DrawingStore): HandlersFor<'drawings'> {
  return {
    'drawings.list': (key) => drawings.list(key),
    'drawings.save': (input) => drawings.save(input),
    'drawings.remove': ({ id }) => ({ removed: drawings.remove(id) }),
  };
}

export function layoutHandlers(layouts: LayoutStore): HandlersFor<'layouts'> {
  return {
    'layouts.list': () => layouts.list(),
    'layouts.save': ({ name, layout }) => layouts.save(name, layout),
    'layouts.remove': ({ name }) => ({ removed: layouts.remove(name) }),
  };
}
