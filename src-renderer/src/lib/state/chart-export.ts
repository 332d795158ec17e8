/** The main chart as a PNG file with a caption saying what it shows (stream, time range, model, method). */
import { chartCaption } from '../chart-caption';
import { downloadDataUrl } from '../download';
import type { ChartRef } from './chart-handle';
import type { EngineInfo } from './engine-info.svelte';
import type { PreferencesState } from './preferences.svelte';
import type { SignalsState } from './signals.svelte';
import { streamKey } from './stream-choice';
import type { StreamSession } from './stream-session.svelte';

export interface ChartExportTargets {
  prefs: PreferencesState;
  session: StreamSession;
  signals: SignalsState;
  chart: ChartRef;
  engine: EngineInfo;
  formatTime: (ms: number) => string;
  timeZone: string;
  fail: (err: unknown) => void;
}

/** Width of the exported picture, in pixels. */
const EXPORT_WIDTH = 1600;

export async function exportChartPng(targets: ChartExportTargets): Promise<void> {
  const { prefs, session, signals, chart } = targets;
  const view = chart();
  const current = session.current;
  const png = view?.snapshot(signals.bands, EXPORT_WIDTH);
  if (view === undefined || current === undefined || png === undefined || prefs.value === undefined) {
    targets.fail(new Error('the chart is not ready to export'));
    return;
  }
  const stream = streamKey(current);
  const explained = signals.explained;
  const lines = chartCaption(
    {
      stream,
      range: view.visibleTimes(),
      modelVersion: explained?.modelVersion ?? targets.engine.model?.model?.version,
      method: explained?.method ?? prefs.value.heatmap.method,
      timeZone: targets.timeZone,
    },
    targets.formatTime,
  );
  const style = getComputedStyle(document.documentElement);
  try {
    const captioned = await captionedPng(png, lines, {
      background: style.getPropertyValue('--panel').trim() || '#1e222d',
      text: style.getPropertyValue('--text').trim() || '#d1d4dc',
    });
    downloadDataUrl(`chart-${stream.symbol}-${stream.interval}.png`, captioned);
  } catch (err) {
    targets.fail(err);
  }
}

/** The PNG (data URL) with the caption in a band above it. */
export async function captionedPng(png: string, lines: readonly string[], colours: { background: string; text: string }): Promise<string> {
  const image = new Image();
  image.src = png;
  await image.decode();
  const LINE = 20;
  const band = LINE * lines.length + 12;
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height + band;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('cannot draw the picture: no 2D canvas');
  context.fillStyle = colours.background;
  context.fillRect(0, 0, canvas.width, band);
  context.fillStyle = colours.text;
  context.font = '14px system-ui, sans-serif';
  context.textBaseline = 'top';
  lines.forEach((line, i) => context.fillText(line, 10, 8 + i * LINE));
  context.drawImage(image, 0, band);
  return canvas.toDataURL('image/png');
}
