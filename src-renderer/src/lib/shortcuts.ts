/** Keyboard shortcuts for the frequent actions, declared once for the handler and the help overlay. */
export const SHORTCUTS = [
  { key: 'h', action: 'toggleHeatmap', help: 'show or hide the attention heatmap' },
  { key: 'm', action: 'nextMethod', help: 'next explanation method' },
  { key: 't', action: 'toggleTheme', help: 'dark or light theme' },
  { key: 'f', action: 'fit', help: 'fit all candles' },
  { key: ']', action: 'nextInterval', help: 'next interval' },
  { key: '[', action: 'previousInterval', help: 'previous interval' },
  { key: 'g', action: 'toggleModels', help: 'models: reports, training, the active model' },
  { key: 'r', action: 'toggleReplay', help: 'open or close replay' },
  { key: 'b', action: 'toggleBacktest', help: 'open or close the backtest' },
  { key: 'a', action: 'toggleAudit', help: 'audit: every stored signal, export, verify' },
  { key: 'e', action: 'exportPng', help: 'export the chart as a PNG, captioned with stream, time range, model and method' },
  { key: 'p', action: 'togglePanel', help: 'show or hide the side panel' },
  { key: 'Escape', action: 'closeExplanation', help: 'close the explanation; put the drawing tool down' },
  { key: 'H', action: 'drawHorizontalLine', help: 'draw a horizontal line (shift+h); select it to make it a price alert' },
  { key: 'J', action: 'drawHorizontalRay', help: 'draw a horizontal ray (shift+j)' },
  { key: 'L', action: 'drawTrendLine', help: 'draw a trend line (shift+l): press, drag, release, or click twice' },
  { key: 'R', action: 'drawRectangle', help: 'draw a rectangle (shift+r)' },
  { key: 'N', action: 'drawNote', help: 'write a text note (shift+n)' },
  { key: 'k', action: 'lockDrawing', help: 'lock or unlock the selected drawing' },
  { key: 'Delete', action: 'deleteDrawing', help: 'delete the selected drawing' },
  { key: 'Backspace', action: 'deleteDrawing', help: 'delete the selected drawing' },
  { key: '1', action: 'layoutOne', help: 'one chart' },
  { key: '2', action: 'layoutTwo', help: 'two charts side by side' },
  { key: '4', action: 'layoutFour', help: 'four charts' },
  { key: 'x', action: 'toggleSyncCrosshair', help: "sync the charts' crosshairs" },
  { key: 'z', action: 'toggleSyncTime', help: "sync the charts' time scales" },
  { key: '?', action: 'help', help: 'this help' },
] as const;

export type ShortcutAction = (typeof SHORTCUTS)[number]['action'];

/** The action for a key press, unless the user is typing in a field or holds a modifier. */
export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>): ShortcutAction | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  const target = event.target as { tagName?: string } | null;
  if (target?.tagName !== undefined && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return undefined;
  return SHORTCUTS.find((s) => s.key === event.key)?.action;
}
