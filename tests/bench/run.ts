/**
 * `npm run bench`: runs every tests/bench/*.bench.ts in name order (or those named on the command
 * line) and lets each print its figures. Figures, never pass/fail: targets are compared by a person.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const only = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

for (const file of files) {
  console.log(`\n== ${file}`);
  const started = performance.now();
  await import(pathToFileURL(join(import.meta.dirname, file)).href);
  console.log(`(${file} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
