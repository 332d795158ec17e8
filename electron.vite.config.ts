import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    // The model worker thread is its own entry: out/main/model-worker.js (see src-main/worker/client.ts).
    build: {
      rolldownOptions: { input: { index: resolve('src-main/index.ts'), 'model-worker': resolve('src-main/worker/model-worker.ts') } },
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
