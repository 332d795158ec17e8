/**
 * `npm start`: the desktop app when Electron can run here; otherwise one line saying why, then the
 * same engine headless (`serve`), which prints the URL to open.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { downloadElectron, electronBinary, electronUnavailable } from './electron-binary';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);

if (electronBinary() === undefined) downloadElectron();
const binary = electronBinary();
const reason = electronUnavailable();

const child =
  binary !== undefined && reason === undefined
    ? spawn(binary, [root, ...args], { stdio: 'inherit' })
    : (console.log(`Candle Lens: ${reason}; starting headless instead: open the URL below in a browser.`),
      spawn(process.execPath, [join(root, 'bin', 'candle-lens.js'), 'serve', ...args], { stdio: 'inherit' }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
