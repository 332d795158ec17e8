/**
 * Electron shell: only wires the engine to windows. Follows Electron's security checklist: isolated,
 * sandboxed renderer without Node, a CSP, no navigation or new windows, and IPC only from our page.
 */
import { app, BrowserWindow, ipcMain, Notification, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { alertText } from '../src-shared/domain/alerts';
import { ownOptions } from './cli/args';
import { feedFromOptions, feedOptions } from './cli/feed-options';
import { createEngine } from './engine/engine';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/contract/transport';
import { defaultStorePath } from './paths';
import { CONTENT_SECURITY_POLICY } from './security';

// The same store and feed options as `serve` (e.g. `--feed replay --csv FILE` for an offline demo).
const options = ownOptions(process.argv.slice(1), { db: { type: 'string' }, ...feedOptions });
const storePath = options.db ?? defaultStorePath();
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = join(import.meta.dirname, '../renderer/index.html');

function isOurPage(url: string | undefined): boolean {
  if (url === undefined) return false;
  if (devServerUrl !== undefined) return new URL(url).origin === new URL(devServerUrl).origin;
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname) === rendererFile;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

await app.whenReady();
session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'notifications'));
session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
  callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
});

const log = (line: string) => console.log(`[engine] ${line}`);
const feed = await feedFromOptions(options, log);
const engine = createEngine({ storePath, log, market: feed.market, seedSample: feed.seedSample });

engine.bus.listen('alert.fired', (fired) => {
  if (Notification.isSupported()) new Notification(alertText(fired)).show();
});

ipcMain.handle(INVOKE_CHANNEL, (event: IpcMainInvokeEvent, name: unknown, payload: unknown) => {
  if (!isOurPage(event.senderFrame?.url)) {
    return { ok: false, error: { code: 'transport', message: 'IPC refused: sender is not the Candle Lens page' } };
  }
  return engine.dispatch(name, payload);
});

function openWindow(): void {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Candle Lens',
    backgroundColor: '#131722',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const unlisten = engine.events.listen((name, payload) => win.webContents.send(EVENT_CHANNEL, name, payload));
  win.on('closed', unlisten);
  if (devServerUrl !== undefined) void win.loadURL(devServerUrl);
  else void win.loadFile(rendererFile);
}

openWindow();
app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) openWindow();
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  engine.close();
  void feed.stop();
});
