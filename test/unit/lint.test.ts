// The lint stage of `npm test` (eslint.config.mjs) must catch the bug it is there for: a promise
// that nobody awaits, which in an extension host fails without a trace. The fixtures live in
// test/fixtures/lint/ (with a tsconfig of their own, so the type-aware rules see them quickly) and
// are ignored by the normal lint run.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../../..');
const fixture = (name: string) => path.join(root, 'test', 'fixtures', 'lint', name);

describe('lint configuration', function () {
  this.timeout(120_000);

  it('reports the floating promise in test/fixtures/lint/floating.ts on the line that starts it', async () => {
    const file = fixture('floating.ts');
    const marked =
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('// FLOATING')) + 1;
    assert.ok(marked > 0, 'the fixture marks its floating call');
    const [result] = await new ESLint({ cwd: root, ignore: false }).lintFiles([file]);
    assert.ok(result);
    assert.equal(result.fatalErrorCount, 0, JSON.stringify(result.messages));
    const floating = result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-floating-promises');
    assert.deepEqual(
      floating.map((m) => m.line),
      [marked],
    );
  });

  it('accepts the same call when it is awaited, caught or explicitly voided', async () => {
    const [result] = await new ESLint({ cwd: root, ignore: false }).lintFiles([fixture('awaited.ts')]);
    assert.ok(result);
    assert.deepEqual(result.messages, []);
  });

  it('leaves the fixtures out of `npm run lint` and lints src/, test/ and esbuild.js', async () => {
    const eslint = new ESLint({ cwd: root });
    assert.equal(await eslint.isPathIgnored(fixture('floating.ts')), true);
    for (const f of ['src/extension.ts', 'test/unit/lint.test.ts', 'esbuild.js']) assert.equal(await eslint.isPathIgnored(path.join(root, f)), false, f);
  });
});
