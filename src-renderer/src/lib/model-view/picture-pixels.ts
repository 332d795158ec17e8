/**
 * The colours of an image model's picture as drawn in the explanation panel: each cell of the chosen
 * channel in grey (its lowest value black, its highest white), under the CAM on the chart's heat scale
 * (../heatmap/colour-scale), so the same colour means the same attention in the picture and the chart.
 */
import type { ModelImage } from '../../../../src-shared/domain/model-view';
import { heatRgba } from '../heatmap/colour-scale';
import { unitRange } from './related-candles';

/** How much of the heat colour covers the grey at the scale's full opacity: the picture stays readable under it. */
export const HEAT_COVER = 0.7;

/** RGBA bytes of the picture, row-major, for an ImageData of `image.width` × `image.height`. */
export function pictureRgba(image: ModelImage, channel: number, showHeat: boolean): Uint8ClampedArray<ArrayBuffer> {
  const cells = image.height * image.width;
  const C = image.channels.length;
  const grey = unitRange(Array.from({ length: cells }, (_, p) => image.pixels[p * C + channel] ?? 0));
  const heat = unitRange(image.cam);
  const out = new Uint8ClampedArray(cells * 4);
  for (let p = 0; p < cells; p++) {
    const g = (grey[p] ?? 0) * 255;
    const [r, gr, b, a] = showHeat ? heatRgba(heat[p] ?? 0) : [0, 0, 0, 0];
    const cover = a * HEAT_COVER;
    out[p * 4] = g + (r - g) * cover;
    out[p * 4 + 1] = g + (gr - g) * cover;
    out[p * 4 + 2] = g + (b - g) * cover;
    out[p * 4 + 3] = 255;
  }
  return out;
}
