/**
 * The house rules of .dependency-cruiser.cjs (checked on the real tree by `npm run lint`, as
 * `npm run deps`) catch what they are meant to: a small tree breaking each one is refused, rule by rule.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers';

const rules = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;

function tree(files: Record<string, string>): string {
  const dir = tempDir('candle-lens-house-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function violations(dir: string): Promise<string[]> {
  const { output } = await cruise(['src-main', 'src-shared', 'src-renderer'], {
    baseDir: dir,
    validate: true,
    ruleSet: { forbidden: rules.forbidden },
  });
  return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
}

describe('the house rules', () => {
  it('refuse a cycle of folders, I/O in a pure folder, a renderer reaching into main, and product code importing tests', async () => {
    const dir = tree({
      'src-shared/domain/vocabulary.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      'src-main/features/windows.ts': "import { open } from '../store/database';\nexport const w = open;\n",
      'src-main/store/database.ts': 'export const open = 1;\n',
      'src-main/alpha/a.ts': "import { b } from '../beta/b';\nexport const a = b;\n",
      'src-main/beta/b.ts': "import { c } from '../alpha/c';\nexport const b = c;\n",
      'src-main/alpha/c.ts': 'export const c = 1;\n',
      'src-main/cli/replay.ts': "import { fake } from '../../tests/fake';\nexport const r = fake;\n",
      'tests/fake.ts': 'export const fake = 1;\n',
      'src-renderer/src/view.ts': "import { open } from '../../src-main/store/database';\nexport const v = open;\n",
    });
    const found = await violations(dir);
    expect(found).toEqual(
      expect.arrayContaining([
        'pure-has-no-io: src-shared/domain/vocabulary.ts -> fs',
        'pure-has-no-io: src-main/features/windows.ts -> src-main/store/database.ts',
        expect.stringMatching(/^no-folder-cycles: src-main\/(alpha|beta) -> src-main\/(alpha|beta)$/),
        'product-never-imports-tests: src-main/cli/replay.ts -> tests/fake.ts',
        'renderer-imports-only-shared: src-renderer/src/view.ts -> src-main/store/database.ts',
      ]),
    );
  });
});
