/**
 * Packaging of the desktop app (`npm run package`): electron-builder reads this file. The app is
 * the electron-vite build (out/), the migrations (db/) and resources/ (bundled model, sample
 * candles, the wasm thread worker) in an ASAR archive; files read by plain fs calls, WebAssembly or
 * dlopen are unpacked beside it. The packaged binary's fuses are set after packing.
 */
import { FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';
import type { AfterPackContext, Configuration } from 'electron-builder';

/** Unpacked from the ASAR: tfjs's .wasm files and its wasm script (read by worker threads), better-sqlite3's native module, our pthread worker. */
export const ASAR_UNPACK = [
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
  'node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/*.js',
  'node_modules/better-sqlite3/**/*.node',
  'resources/wasm-pthread-worker.cjs',
];

/**
 * Electron's fuses for the packaged app: no running as plain Node (ELECTRON_RUN_AS_NODE), no
 * NODE_OPTIONS or --inspect, cookies encrypted, the app loaded only from its ASAR and that ASAR
 * checked against the integrity hash electron-builder embeds (macOS and Windows), no extra file://
 * privileges (the page is served from app://).
 */
export const FUSES: FuseV1Config = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** electron-builder's afterPack hook: flips the fuses of the binary just packed (before signing). */
export async function setFuses(context: AfterPackContext): Promise<void> {
  // Flipping fuses invalidates an ad-hoc macOS signature (Apple silicon); it is reset, then signed for real later.
  await context.packager.addElectronFuses(context, { ...FUSES, resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' });
}

const config: Configuration = {
  appId: 'app.candle-lens.desktop',
  productName: 'Candle Lens',
  directories: { output: 'dist' },
  files: ['out/**', 'db/**', 'resources/**', 'package.json', '!**/*.map'],
  asar: true,
  asarUnpack: ASAR_UNPACK,
  afterPack: setFuses,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Finance',
    executableName: 'candle-lens',
    maintainer: 'Candle Lens <candle-lens@users.noreply.github.com>',
  },
  mac: { target: 'dmg', category: 'public.app-category.finance' },
  win: { target: 'nsis' },
  nsis: { oneClick: false, perMachine: false },
};

export default config;
