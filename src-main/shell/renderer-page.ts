/**
 * The Electron shell's page, pure: the renderer is served from `app://candle-lens/` (a privileged,
 * standard, secure custom scheme) rather than file://, so that the page has a real origin, cannot
 * read other files, and the IPC sender check compares URLs only, the same on every platform (a
 * file:// URL's path `/C:/…/index.html` never equalled the native path `C:\…\index.html`).
 */
import path from 'node:path';

export const RENDERER_SCHEME = 'app';
export const RENDERER_HOST = 'candle-lens';
export const RENDERER_PAGE_URL = `${RENDERER_SCHEME}://${RENDERER_HOST}/index.html`;

type PathApi = Pick<typeof path, 'join' | 'relative' | 'isAbsolute' | 'sep'>;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * The file inside `rendererDir` that an `app://candle-lens/…` request names, or undefined for any
 * other URL and for any path that would leave the folder (`..`, encoded or not, backslashes, NUL).
 * `pathApi` is the platform's (path.win32 or path.posix in tests).
 */
export function rendererFileFor(url: string, rendererDir: string, pathApi: PathApi = path): string | undefined {
  const parsed = parse(url);
  if (parsed?.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST) return undefined;
  let segments: string[];
  try {
    segments = parsed.pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.length === 1 && segments[0] === '') segments = ['index.html'];
  const unsafe = (segment: string) => segment === '' || segment === '.' || segment === '..' || /[\\/:\0]/.test(segment);
  if (segments.some(unsafe)) return undefined;
  const file = pathApi.join(rendererDir, ...segments);
  const rel = pathApi.relative(rendererDir, file);
  if (rel === '' || rel.startsWith(`..${pathApi.sep}`) || rel === '..' || pathApi.isAbsolute(rel)) return undefined;
  return file;
}

/**
 * Whether an IPC message comes from our page: the renderer's custom-protocol page, or in development
 * a page of electron-vite's dev server (`devServerUrl`).
 */
export function isRendererPage(senderUrl: string | undefined, devServerUrl?: string): boolean {
  const sender = senderUrl === undefined ? undefined : parse(senderUrl);
  if (sender === undefined) return false;
  if (devServerUrl !== undefined) {
    const dev = parse(devServerUrl);
    return dev !== undefined && sender.protocol === dev.protocol && sender.host === dev.host;
  }
  return sender.protocol === `${RENDERER_SCHEME}:` && sender.host === RENDERER_HOST && ['/', '/index.html'].includes(sender.pathname);
}
