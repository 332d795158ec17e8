/**
 * Frame work in the page while the chart takes live updates: from each frame's first rAF callback to
 * a message posted from it, which runs after that frame's rendering. Sent as source text: the
 * benches run under tsx, whose helpers do not exist in the page.
 */
import type { Page } from '@playwright/test';
import type { Candle } from '../../src-shared/domain/market';

/** Every frame's work over `ms` of the page's time, in ms, ascending, while `update` runs 10 times a second. */
export async function frameWork(
  page: Page,
  ms: number,
  update: (candle: Candle) => void,
  last: Candle,
): Promise<{ frames: number[]; updates: number }> {
  const sampling = page.evaluate(`new Promise((resolve) => {
    const samples = [];
    const channel = new MessageChannel();
    let start = 0;
    channel.port1.onmessage = () => samples.push(performance.now() - start);
    const end = performance.now() + ${ms};
    requestAnimationFrame(function frame() {
      start = performance.now();
      channel.port2.postMessage(null);
      if (performance.now() < end) requestAnimationFrame(frame);
      else setTimeout(() => resolve(samples), 50);
    });
  })`) as Promise<number[]>;
  let updates = 0;
  const timer = setInterval(() => {
    updates += 1;
    const close = last.close * (1 + Math.sin(updates / 5) / 1000);
    update({ ...last, close, high: Math.max(last.high, close), low: Math.min(last.low, close), confirmed: false });
  }, 100);
  try {
    return { frames: (await sampling).sort((a, b) => a - b), updates };
  } finally {
    clearInterval(timer);
  }
}
