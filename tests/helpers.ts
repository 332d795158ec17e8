/** Shared test plumbing: temp folders, the real CLI as a child process, slices of ../shared/data. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Engine } from '../src-main/engine/engine';

export const ROOT = resolve(import.meta.dirname, '..');
/** ../shared/data beside the clone (as on CI); CANDLE_LENS_SHARED points elsewhere. */
export const SHARED_DATA = resolve(process.env.CANDLE_LENS_SHARED ?? resolve(ROOT, '..', 'shared'), 'data');
/** ../shared/bybit: real Bybit v5 example messages. */
export const SHARED_BYBIT = resolve(SHARED_DATA, '..', 'bybit');
/** PyTorch reference outputs for the FinancialCNN (../shared/golden). */
export const SHARED_GOLDEN = resolve(SHARED_DATA, '..', 'golden', 'financial-cnn');
/** The PyTorch reference of the Gramian-angular-field CNN: encoding, logits, 2-D Grad-CAM, decoding onto time. */
export const SHARED_GAF_GOLDEN = resolve(SHARED_DATA, '..', 'golden', 'gaf-cnn');
/** The PyTorch reference of one LSTM layer (batch-first, PyTorch's gate order): logits and gradient × input. */
export const SHARED_LSTM_GOLDEN = resolve(SHARED_DATA, '..', 'golden', 'lstm');
const CLI = join(ROOT, 'bin', 'candle-lens.js');

export function tempDir(prefix = 'candle-lens-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI; with `timeoutMs`, a run that hangs is killed (status -1) so that its test fails instead of hanging. */
export function runCli(args: string[], timeoutMs?: number): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The first `rows` candles of a real data file, header included, as CSV text. */
export function sharedCsvHead(file: string, rows: number): string {
  const lines = readFileSync(join(SHARED_DATA, file), 'utf8').split('\n');
  return `${lines.slice(0, rows + 1).join('\n')}\n`;
}

export function sharedBybitExample(file: string): string {
  return readFileSync(join(SHARED_BYBIT, file), 'utf8');
}

/** Starts `candle-lens serve` and resolves with the URL it prints; `output` is all it printed so far. */
export async function startServe(
  args: string[],
): Promise<{ url: string; process: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Open (http\S+)$/m.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  return { url, process: child, output: () => output, stop };
}

/** The value of a bridge call on `engine`; a refused call throws with its name and message. */
export async function callEngine<T = unknown>(engine: Engine, name: string, payload: unknown): Promise<T> {
  const reply = await engine.dispatch(name, payload);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.message}`);
  return reply.value as T;
}

/** A 127.0.0.1 port nothing listens on: a network that refuses every connection. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
