/** Dark and light palettes for the page (CSS variables) and the chart. */
import type { DeepPartial, ChartOptions } from 'lightweight-charts';

export type Theme = 'dark' | 'light';

const palettes = {
  dark: { bg: '#131722', panel: '#1e222d', border: '#2a2e39', text: '#d1d4dc', muted: '#787b86', grid: '#1f2430', accent: '#2962ff' },
  light: { bg: '#ffffff', panel: '#f0f3fa', border: '#d6dcde', text: '#131722', muted: '#6a6d78', grid: '#f0f3fa', accent: '#2962ff' },
} as const;

export function applyPageTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  const p = palettes[theme];
  root.style.colorScheme = theme;
  for (const [name, value] of Object.entries(p)) root.style.setProperty(`--${name}`, value);
}

export function chartTheme(theme: Theme): DeepPartial<ChartOptions> {
  const p = palettes[theme];
  return {
    layout: { background: { color: p.bg }, textColor: p.text, panes: { separatorColor: p.border, separatorHoverColor: p.accent } },
    grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
    timeScale: { borderColor: p.border },
    rightPriceScale: { borderColor: p.border },
  };
}
