/** The caption an exported chart picture carries. */
import { describe, expect, it } from 'vitest';
import { chartCaption } from '../../src-renderer/src/lib/chart-caption';
import { timeFormatters } from '../../src-renderer/src/lib/time-format';

describe('the exported chart caption', () => {
  const formatters = timeFormatters('UTC', 'en-GB');
  const formatTime = (ms: number) => formatters.label(ms / 1000);
  const stream = { exchange: 'bybit', category: 'linear', symbol: 'BTCUSDT', interval: '5' } as const;

  it('names the stream, the time range on screen in the user zone, the model and the method', () => {
    const from = Date.UTC(2025, 5, 29, 10, 0);
    const to = Date.UTC(2025, 5, 29, 16, 35);
    expect(
      chartCaption({ stream, range: { from, to }, modelVersion: 'default-f67a', method: 'gradcampp', timeZone: 'UTC' }, formatTime),
    ).toEqual([`BTCUSDT 5m linear · ${formatTime(from)} – ${formatTime(to)} (UTC)`, 'model default-f67a · Grad-CAM++ attention']);
  });

  it('says so when nothing is on screen or no model runs', () => {
    const [first, second] = chartCaption(
      { stream: { ...stream, interval: 'D' }, range: undefined, modelVersion: undefined, method: 'gradcam', timeZone: 'UTC' },
      formatTime,
    );
    expect(first).toBe('BTCUSDT D linear · no candles on screen');
    expect(second).toBe('model none · Grad-CAM attention');
  });
});
