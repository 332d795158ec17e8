/** The Electron shell's pure parts: the app:// URL to renderer file mapping and the IPC sender check, on Windows and POSIX paths. */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRendererPage, RENDERER_PAGE_URL, rendererFileFor } from '../../src-main/shell/renderer-page';

const platforms = [
  { name: 'Windows', api: path.win32, dir: 'C:\\Program Files\\Candle Lens\\resources\\app.asar\\out\\renderer' },
  { name: 'POSIX', api: path.posix, dir: '/opt/Candle Lens/resources/app.asar/out/renderer' },
];

describe.each(platforms)('renderer files on $name paths', ({ api, dir }) => {
  it('maps the page and its assets to files inside the renderer folder', () => {
    expect(rendererFileFor(RENDERER_PAGE_URL, dir, api)).toBe(api.join(dir, 'index.html'));
    expect(rendererFileFor('app://candle-lens/', dir, api)).toBe(api.join(dir, 'index.html'));
    expect(rendererFileFor('app://candle-lens/assets/index-CpkNlmA4.js?v=1#x', dir, api)).toBe(
      api.join(dir, 'assets', 'index-CpkNlmA4.js'),
    );
    expect(rendererFileFor('app://candle-lens/assets/a%20b.css', dir, api)).toBe(api.join(dir, 'assets', 'a b.css'));
  });

  it('refuses other origins and any path out of the folder', () => {
    for (const url of [
      'file:///etc/passwd',
      'file:///C:/Windows/win.ini',
      'app://other/index.html',
      'app://candle-lens.evil/index.html',
      'https://candle-lens/index.html',
      'app://candle-lens/..%2f..%2fetc%2fpasswd',
      'app://candle-lens/assets%5c..%5c..%5c..%5cwin.ini',
      'app://candle-lens/C:%5cWindows%5cwin.ini',
      'app://candle-lens/C:/Windows/win.ini',
      'app://candle-lens/%2fetc%2fpasswd',
      'app://candle-lens/index.html%00.png',
      'app://candle-lens/assets/',
      'app://candle-lens/assets//index.js',
      'app://candle-lens/%E0%A4%A',
      'not a url',
    ]) {
      expect(rendererFileFor(url, dir, api), url).toBeUndefined();
    }
  });

  it('never maps any path to a file outside the folder', () => {
    const segment = fc.oneof(
      fc.constantFrom('..', '.', '%2e%2e', '%2E.', '..%2f', '..%5c', '%5c', 'C:', '', 'a', 'index.html'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const file = rendererFileFor(`app://candle-lens/${segments.join('/')}`, dir, api);
        if (file === undefined) return;
        const rel = api.relative(dir, file);
        // Outside means the relative path climbs out ('..' as a whole segment), not a name such as '..&'.
        const outside = rel === '' || rel === '..' || rel.startsWith(`..${api.sep}`) || api.isAbsolute(rel);
        expect(outside, `${segments.join('/')} → ${file}`).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IPC sender check', () => {
  it('accepts only the custom-protocol page, whatever the platform (a file:// sender is refused)', () => {
    expect(isRendererPage(RENDERER_PAGE_URL)).toBe(true);
    expect(isRendererPage('app://candle-lens/')).toBe(true);
    expect(isRendererPage('app://candle-lens/index.html#/signals')).toBe(true);
    for (const url of [
      undefined,
      '',
      'garbage',
      'file:///C:/Program%20Files/Candle%20Lens/resources/app.asar/out/renderer/index.html',
      'file:///opt/Candle%20Lens/resources/app.asar/out/renderer/index.html',
      'app://candle-lens/other.html',
      'app://candle-lens.evil/index.html',
      'app://evil/index.html',
      'http://127.0.0.1:5173/',
    ]) {
      expect(isRendererPage(url), String(url)).toBe(false);
    }
  });

  it('in development accepts the dev server only', () => {
    expect(isRendererPage('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isRendererPage('http://localhost:5173/index.html?x=1', 'http://localhost:5173/')).toBe(true);
    expect(isRendererPage('http://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isRendererPage(RENDERER_PAGE_URL, 'http://localhost:5173')).toBe(false);
    expect(isRendererPage('http://localhost:5173/', 'not a url')).toBe(false);
  });
});
