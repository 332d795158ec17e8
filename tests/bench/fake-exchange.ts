/** The fake exchange for benchmarks. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StreamKeyValue } from '../../src-shared/domain/market';
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
