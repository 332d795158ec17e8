#!/usr/bin/env node
// The package's bin: runs the TypeScript CLI through tsx so it works straight after `npm ci`.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`candle-lens needs Node.js 22 or newer; this is ${process.version}`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../src-main/cli/main.ts');
