import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: { rolldownOptions: { input: { index: resolve('src-main/index.ts') } } },
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
    build: { rolldownOptions: { input: { index: resolve('src-renderer/index.html') } } },
    plugins: [svelte()],
  },
});
