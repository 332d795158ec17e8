/** The fake exchange for benchmarks. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { StreamKeyValue } from '../../src-shared/domain/market';
import { klineTopic, publicStreamUrl } from '../../src-main/market/bybit/protocol';
import { ROOT } from '../helpers';

/** The fake exchange in its own process, as a remote one would be; resolves with its endpoints. */
export async function fakeProcess(source: string, args: string[]): Promise<{ wsBase: string; restBase: string; stop: () => void }> {
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src-main', 'market', 'fake-bybit', 'main.ts'), '--csv', source, ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [, wsBase = '', restBase = ''] = await new Promise<RegExpExecArray>((resolve) => {
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /--bybit-ws (\S+) --bybit-rest (\S+)/.exec(output);
      if (match) resolve(match);
    });
  });
  return { wsBase, restBase, stop: () => server.kill('SIGTERM') };
}

/** The linear 1-minute streams of these symbols. */
export const watch = (names: string[]) =>
  names.map((symbol) => ({ exchange: 'bybit', category: 'linear', symbol, interval: '1' }) satisfies StreamKeyValue);

/**
 * The exchange's clock: the `ts` of its last push, read by a client of the bench's own subscribed to
 * one symbol, advanced since at the replay's `speed` (market ms per real ms); `from` until the first
 * push. The engine refuses a candle that starts after its market clock allows, so that clock must
 * follow the exchange: one derived from the candles the engine stored fell behind whenever updates
 * were coalesced or pushed before it subscribed, and from the next candle on every push was refused
 * (the soak's stall). Advanced between pushes, it does not fall behind when this client's socket is
 * read after the engine's; ahead of the exchange it refuses nothing (confirmations are judged on the
 * pushes' own stamps).
 */
export function exchangeClock(wsBase: string, symbol: string, from: number, speed: number): { now: () => number; close: () => void } {
  let stamped = from;
  let stampedAt = performance.now();
  const observer = new WebSocket(publicStreamUrl(wsBase, 'linear'));
  observer.on('open', () => observer.send(JSON.stringify({ op: 'subscribe', args: [klineTopic('1', symbol)] })));
  observer.on('message', (data) => {
    const { ts } = JSON.parse(String(data)) as { ts?: unknown };
    if (typeof ts !== 'number') return;
    stamped = ts;
    stampedAt = performance.now();
  });
  let last = from;
  return {
    // Never backwards: a stamp can be older than the extrapolation before it.
    now: () => (last = Math.max(last, Math.round(stamped + (performance.now() - stampedAt) * speed))),
    close: () => observer.close(),
  };
}
