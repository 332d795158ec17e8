/**
 * Electron shell: only wires the engine to windows. Follows Electron's security checklist: isolated,
 * sandboxed renderer without Node, served from a custom protocol (not file://), a CSP, no navigation
 * or new windows, no permission granted, and IPC only from our page. The packaged app's fuses are set
 * by electron-builder.config.ts.
 */
import { app, BrowserWindow, ipcMain, net, Notification, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/contract/transport';
import { alertText } from '../src-shared/domain/alerts';
import { ownOptions } from './cli/args';
import { feedFromOptions, feedOptions } from './cli/feed-options';
import { createEngine } from './engine/engine';
import { defaultStorePath } from './paths';
import { CONTENT_SECURITY_POLICY } from './security';
import { isRendererPage, RENDERER_PAGE_URL, RENDERER_SCHEME, rendererFileFor } from './shell/renderer-page';

// The same store and feed options as `serve` (e.g. `--feed replay --csv FILE` for an offline demo).
const options = ownOptions(process.argv.slice(1), { db: { type: 'string' }, ...feedOptions });
const storePath = options.db ?? defaultStorePath();
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const rendererDir = join(import.meta.dirname, '../renderer');

// Must precede app.whenReady: a standard, secure scheme gives the page a real origin for 'self' in the CSP.
protocol.registerSchemesAsPrivileged([{ scheme: RENDERER_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

await app.whenReady();
// Alerts notify from this process (Notification below); the page needs no permission at all.
session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
session.defaultSession.setPermissionCheckHandler(() => false);
// Only files inside the renderer folder, each sent with the CSP; anything else is a 404.
protocol.handle(RENDERER_SCHEME, async (request) => {
  const file = rendererFileFor(request.url, rendererDir);
  // A regular file only: Chromium would list a folder's contents.
  if (file === undefined || statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return new Response('not found', { status: 404 });
  const response = await net.fetch(pathToFileURL(file).href);
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return new Response(response.body, { status: response.status, headers });
});
session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
  callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
});

const log = (line: string) => console.log(`[engine] ${line}`);
const feed = await feedFromOptions(options, log);
const engine = createEngine({
  storePath,
  log,
  market: feed.market,
  seedSample: feed.seedSample,
  sampleWhenOffline: feed.sampleWhenOffline,
  scoreSample: true,
});

engine.bus.listen('alert.fired', (fired) => {
  if (Notification.isSupported()) new Notification(alertText(fired)).show();
});

ipcMain.handle(INVOKE_CHANNEL, (event: IpcMainInvokeEvent, name: unknown, payload: unknown) => {
  if (!isRendererPage(event.senderFrame?.url, devServerUrl)) {
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
  else void win.loadURL(RENDERER_PAGE_URL);
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
