// What the VSIX may contain: `vsce ls` (offline, the same file selection `vsce package` makes from
// .vscodeignore) compared with an allow-list. The repository holds plenty a user must not download:
// sources, tests, source maps, lint and format configuration, editor and CI settings, the
// contributor guide. `vsce ls` lists the files that exist, so this needs dist/ built (any build:
// `npm test` and `npm run test:unit` build it first); the development build's source maps must be
// left out all the same.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Every file the VSIX may hold, as patterns over its repository-relative path. */
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^dist\/(main|extension|features)\.js$/,
  /^dist\/webview\/[\w-]+\.js$/,
  /^dist\/vendor\/[\w-]+\.js$/,
  /^media\/(pingone\.svg|icon\.png|[\w-]+\.css)$/,
  /^schemas\/[\w-]+\.schema\.json$/,
];

/** What must be in it for the extension to run at all. */
const REQUIRED = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/main.js', 'dist/extension.js', 'dist/features.js', 'media/icon.png'];

/** Contributor files that exist in the repository and must stay out of the VSIX. */
const CONTRIBUTOR_FILES = [
  'eslint.config.mjs',
  '.prettierrc.json',
  '.prettierignore',
  '.editorconfig',
  '.vscode/launch.json',
  '.vscode/tasks.json',
  '.vscode/extensions.json',
  '.github/workflows/ci.yml',
  '.github/workflows/release.yml',
  '.github/dependabot.yml',
  'CONTRIBUTING.md',
  'test/fixtures/lint/floating.ts',
  'esbuild.js',
  'tsconfig.json',
];

function vsceLs(): string[] {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `vsce ls failed: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

describe('VSIX contents (vsce ls)', function () {
  this.timeout(120_000);
  let listed: string[];

  before(function () {
    if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('build first: node esbuild.js');
    listed = vsceLs();
  });

  it('holds only files on the allow-list, and what the extension needs to run', () => {
    assert.deepEqual(
      listed.filter((f) => !ALLOWED.some((p) => p.test(f))),
      [],
    );
    assert.deepEqual(
      REQUIRED.filter((f) => !listed.includes(f)),
      [],
    );
  });

  it('leaves out the contributor files (lint, format, editor, CI, guide) although they exist', () => {
    const present = CONTRIBUTOR_FILES.filter((f) => fs.existsSync(path.join(root, f)));
    assert.deepEqual(present, CONTRIBUTOR_FILES, 'a contributor file this test guards is missing from the repository');
    assert.deepEqual(
      listed.filter((f) => CONTRIBUTOR_FILES.includes(f) || f.startsWith('.vscode/') || f.startsWith('.github/') || f.startsWith('test/') || f.startsWith('src/')),
      [],
    );
  });

  it('leaves out source maps, which the development build writes next to the bundles', () => {
    assert.deepEqual(
      listed.filter((f) => f.endsWith('.map')),
      [],
    );
  });
});
