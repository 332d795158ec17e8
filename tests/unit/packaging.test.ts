/**
 * The packaging configuration (electron-builder.config.ts), checked offline: valid for
 * electron-builder's schema, the four installers, every file the app reads at run time packed, and
 * every file that must live outside the ASAR matched by a real file. The packaging run itself needs
 * an Electron binary; without one it says so in one line and does not run.
 */
import { getCurrentFuseWire, FuseState, FuseV1Options } from '@electron/fuses';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import config, { ASAR_UNPACK, FUSES, setFuses } from '../../electron-builder.config';
import { electronBinary, electronUnavailable } from '../../scripts/electron-binary';
import { unpackedTwin } from '../../src-main/paths';
import { ROOT, tempDir } from '../helpers';

const CONFIG_FILE = 'electron-builder.config.ts';

/** Every file below `dir` (relative to the repository root, '/'-separated); none when it is absent. */
function filesUnder(dir: string): string[] {
  const absolute = join(ROOT, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/** The folder a glob starts from: its path up to the first segment with a wildcard. */
function globRoot(glob: string): string {
  const segments = glob.split('/');
  return segments
    .slice(
      0,
      segments.findIndex((s) => /[*?[{]/.test(s)),
    )
    .join('/');
}

/** Whether electron-builder's `files` patterns (later negations exclude) pack `file`. */
function packed(file: string, patterns: string[]): boolean {
  return patterns.reduce(
    (included, pattern) =>
      pattern.startsWith('!')
        ? included && !minimatch(file, pattern.slice(1), { dot: true })
        : included || minimatch(file, pattern, { dot: true }),
    false,
  );
}

describe('packaging configuration', () => {
  it('is the file electron-builder reads, valid for its schema, and `npm run package` uses it', async () => {
    const loaded = await getConfig(ROOT, CONFIG_FILE, null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    // electron-builder loads its own copy of the module, so the hook is a twin of ours, not ours.
    expect(typeof loaded.afterPack === 'function' && loaded.afterPack.name).toBe(setFuses.name);
    for (const key of ['appId', 'asarUnpack', 'linux', 'mac', 'win', 'nsis'] as const) expect(loaded[key], key).toEqual(config[key]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.scripts.package).toContain(`electron-builder --config ${CONFIG_FILE}`);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['electron-builder', '@electron/fuses']));
  });

  it('builds AppImage and deb for Linux, dmg for macOS and nsis for Windows', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toBe('dmg');
    expect(config.win?.target).toBe('nsis');
  });

  it('unpacks the wasm files, better-sqlite3 binary and the pthread worker, each glob matching real files', () => {
    expect(config.asarUnpack).toEqual(ASAR_UNPACK);
    for (const glob of ASAR_UNPACK) {
      const matches = filesUnder(globRoot(glob)).filter((file) => minimatch(file, glob, { dot: true }));
      expect(matches.length, `${glob} matches no file`).toBeGreaterThan(0);
    }
    const unpacked = (file: string) => ASAR_UNPACK.some((glob) => minimatch(file, glob, { dot: true }));
    for (const wasm of filesUnder('node_modules/@tensorflow/tfjs-backend-wasm/dist').filter((f) => f.endsWith('.wasm'))) {
      expect(unpacked(wasm), wasm).toBe(true);
    }
    expect(filesUnder('node_modules/better-sqlite3').filter((f) => f.endsWith('.node') && unpacked(f)).length).toBeGreaterThan(0);
    expect(unpacked('resources/wasm-pthread-worker.cjs')).toBe(true);
  });

  it('packs the build, the migrations, the bundled model and the sample candles', () => {
    const patterns = config.files as string[];
    const needed = [
      ...filesUnder('db'),
      ...filesUnder('resources/models'),
      ...filesUnder('resources/sample'),
      'resources/wasm-pthread-worker.cjs',
    ];
    expect(needed.some((f) => f.endsWith('weights.bin'))).toBe(true);
    expect(needed.some((f) => f.startsWith('resources/sample/') && f.endsWith('.csv'))).toBe(true);
    for (const file of [...needed, 'package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      expect(packed(file, patterns), file).toBe(true);
    }
    for (const file of ['src-main/index.ts', 'tests/helpers.ts', 'out/main/index.js.map']) expect(packed(file, patterns), file).toBe(false);
  });

  it('sets the fuses: no run as Node, no NODE_OPTIONS or --inspect, cookies encrypted, ASAR only and integrity-checked', () => {
    expect(FUSES).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    });
  });

  it('packs a Linux app folder with the files unpacked and the fuses set', async (context) => {
    const binary = electronBinary();
    const reason = binary === undefined ? electronUnavailable() : undefined;
    if (binary === undefined || !existsSync(join(ROOT, 'out', 'main', 'index.js'))) {
      console.log(`Packaging run did not run: ${reason ?? 'the app is not built (run `npm run build`)'}.`);
      context.skip();
      return;
    }
    const output = tempDir('candle-lens-package-');
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
        '--dir',
        '--linux',
        '--config',
        CONFIG_FILE,
        `-c.directories.output=${output}`,
        `-c.electronDist=${join(binary, '..')}`,
        '-c.npmRebuild=false',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 600_000 },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const app = join(output, 'linux-unpacked');
    expect(existsSync(join(app, 'resources', 'app.asar'))).toBe(true);
    const unpackedDir = join(app, 'resources', 'app.asar.unpacked');
    expect(existsSync(join(unpackedDir, 'resources', 'wasm-pthread-worker.cjs'))).toBe(true);
    expect(
      readdirSync(join(unpackedDir, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist')).filter((f) => f.endsWith('.wasm')),
    ).toHaveLength(3);
    const wire = await getCurrentFuseWire(join(app, 'candle-lens'));
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
  }, 660_000);
});

describe('unpacked files in a packaged app', () => {
  it('are found beside the ASAR on Windows and POSIX paths, and only when present there', () => {
    const everywhere = () => true;
    expect(unpackedTwin('/opt/Candle Lens/resources/app.asar/resources/wasm-pthread-worker.cjs', everywhere)).toBe(
      '/opt/Candle Lens/resources/app.asar.unpacked/resources/wasm-pthread-worker.cjs',
    );
    expect(
      unpackedTwin('C:\\Program Files\\Candle Lens\\resources\\app.asar\\node_modules\\@tensorflow\\tfjs-backend-wasm\\dist\\', everywhere),
    ).toBe('C:\\Program Files\\Candle Lens\\resources\\app.asar.unpacked\\node_modules\\@tensorflow\\tfjs-backend-wasm\\dist\\');
    expect(unpackedTwin('/opt/app/resources/app.asar/resources/x.cjs', () => false)).toBe('/opt/app/resources/app.asar/resources/x.cjs');
    for (const path of [
      '/work/candle-lens/resources/wasm-pthread-worker.cjs',
      '/opt/app.asar.unpacked/x',
      '/opt/my-app.asar/x',
      'C:\\app.asarx\\y',
    ]) {
      expect(unpackedTwin(path, everywhere), path).toBe(path);
    }
  });
});
