import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    // Worker threads are entries of their own: out/main/model-worker.js and explain-worker.js (see src-main/worker/spawn.ts).
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src-main/index.ts'),
          'model-worker': resolve('src-main/worker/model-worker.ts'),
          'explain-worker': resolve('src-main/backtest/explain-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() packages, so its dependencies (zod) are bundled in,
      // and it must be CommonJS.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    // Minified: the page parses less script before it can open the bridge and paint the first chart.
    build: { minify: true, rolldownOptions: { input: { index: resolve('src-renderer/index.html') } } },
    plugins: [svelte()],
  },
});
