/**
 * Paints an image model's picture on a canvas: its cells (./picture-pixels) scaled up without
 * smoothing, so each cell stays a sharp block, then outlines in the colour the chart outlines related
 * candles in: the rows and columns of the candle under the chart's crosshair, or the hovered cell, row or column.
 */
import type { ModelImage } from '../../../../src-shared/domain/model-view';
import { RELATED_CANDLE_COLOUR } from '../heatmap/colour-scale';
import { pictureRgba } from './picture-pixels';
import { linesOfCandle, type PicturePart } from './related-candles';

export interface PictureScene {
  image: ModelImage;
  channel: number;
  showHeat: boolean;
  /** CSS px per cell. */
  cellWidth: number;
  cellHeight: number;
  /** The window's candle hovered on the chart. */
  chartCandle: number | undefined;
  part: PicturePart | undefined;
}

/** Runs of consecutive indices as [first, last] pairs: a block of columns is outlined once. */
function runs(indices: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of indices) {
    const last = out.at(-1);
    if (last !== undefined && i === last[1] + 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

export function paintPicture(canvas: HTMLCanvasElement, scene: PictureScene): void {
  const { image, cellWidth, cellHeight } = scene;
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = image.width * cellWidth;
  const cssHeight = image.height * cellHeight;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const context = canvas.getContext('2d');
  if (context === null) return;
  const cells = document.createElement('canvas');
  cells.width = image.width;
  cells.height = image.height;
  cells.getContext('2d')?.putImageData(new ImageData(pictureRgba(image, scene.channel, scene.showHeat), image.width, image.height), 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(cells, 0, 0, canvas.width, canvas.height);
  context.scale(ratio, ratio);
  context.strokeStyle = RELATED_CANDLE_COLOUR;
  context.lineWidth = 2;
  if (scene.chartCandle !== undefined) {
    const { rows, columns } = linesOfCandle(image, scene.chartCandle);
    for (const [first, last] of runs(rows))
      context.strokeRect(1, first * cellHeight + 1, cssWidth - 2, (last - first + 1) * cellHeight - 2);
    for (const [first, last] of runs(columns))
      context.strokeRect(first * cellWidth + 1, 1, (last - first + 1) * cellWidth - 2, cssHeight - 2);
  }
  const { row, column } = scene.part ?? {};
  if (row !== undefined || column !== undefined) {
    const x = column === undefined ? 0 : column * cellWidth;
    const y = row === undefined ? 0 : row * cellHeight;
    const w = column === undefined ? cssWidth : cellWidth;
    const h = row === undefined ? cssHeight : cellHeight;
    context.strokeRect(x + 1, y + 1, Math.max(1, w - 2), Math.max(1, h - 2));
  }
}
