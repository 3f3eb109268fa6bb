/**
 * The V8 code cache that loads the extension's bundles (src/core/codeCache.ts), on real files in a
 * temporary folder: the first load writes the cache, the next one uses it, a damaged or foreign
 * cache is refused by V8 and rewritten, a changed bundle gets a new cache and the old one goes,
 * and the loaded bundle behaves as a required module (one identity, relative require, its own
 * line and column numbers in stack traces).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheFileFor, flushCodeCache, lastOutcome, loadBundle } from '../../src/core/codeCache';

interface Fixture {
  answer: number;
  helper: { name: string };
  loadVendor(): { vendor: string };
  fail(): never;
  work(): string;
  filename: string;
}

// A fresh process per load where the outcome matters: within one process V8 keeps compiled
// scripts in memory and never needs the file. This test file is also that process's program.
if (process.env.PTE_CODECACHE_CHILD) {
  const { bundle, cacheDir } = JSON.parse(process.env.PTE_CODECACHE_CHILD) as { bundle: string; cacheDir: string };
  const loaded = loadBundle<Fixture>(bundle, { cacheDir, writeNow: true });
  process.stdout.write(JSON.stringify({ answer: loaded.answer, outcome: lastOutcome.get(path.basename(bundle)) }));
  process.exit(0);
}

const BUNDLE = `'use strict';
const helper = require('./helper.js');
exports.answer = 42;
exports.helper = helper;
exports.filename = __filename;
exports.loadVendor = () => require('./vendor/dep.js');
exports.fail = () => { throw new Error('from the bundle'); };
exports.work = () => {
  const rows = [];
  for (let i = 0; i < 3; i++) rows.push({ i, square: i * i, text: String(i).padStart(4, '0'), even: i % 2 === 0 });
  return rows.map((r) => (r.even ? r.text.toUpperCase() : r.text.toLowerCase())).join(',') + JSON.stringify(rows.filter((r) => r.square > 1));
};
`;

describe('code cache for the bundles', () => {
  let dir: string;
  let cacheDir: string;
  let bundle: string;

  const forget = () => {
    for (const key of Object.keys(require.cache)) if (key.startsWith(fs.realpathSync(dir))) delete require.cache[key];
  };
  const load = () => {
    forget();
    return loadBundle<Fixture>(bundle, { cacheDir, writeNow: true });
  };
  /** Loads the bundle in a new Node process: its answer and what happened to the cache. */
  const loadFresh = (): { answer: number; outcome: string } => {
    const child = spawnSync(process.execPath, [__filename], {
      env: { ...process.env, PTE_CODECACHE_CHILD: JSON.stringify({ bundle, cacheDir }) },
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    return JSON.parse(child.stdout) as { answer: number; outcome: string };
  };
  const cacheFiles = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).sort() : []);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-codecache-'));
    cacheDir = path.join(dir, 'storage', 'code-cache');
    bundle = path.join(dir, 'dist', 'bundle.js');
    fs.mkdirSync(path.join(dir, 'dist', 'vendor'), { recursive: true });
    fs.writeFileSync(bundle, BUNDLE);
    fs.writeFileSync(path.join(dir, 'dist', 'helper.js'), "exports.name = 'helper';\n");
    fs.writeFileSync(path.join(dir, 'dist', 'vendor', 'dep.js'), "exports.vendor = 'cjs';\n");
  });
  afterEach(() => {
    forget();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the cache on the first load and a new process uses it', () => {
    assert.deepEqual(loadFresh(), { answer: 42, outcome: 'written' });
    const file = cacheFileFor(cacheDir, fs.realpathSync(bundle), BUNDLE);
    assert.deepEqual(cacheFiles(), [path.basename(file)]);
    assert.ok(fs.statSync(file).size > 0);
    assert.deepEqual(loadFresh(), { answer: 42, outcome: 'used' });
  });

  it('writes again on a flush (deactivation) with the code compiled since, which the next process uses', () => {
    const exports = load();
    const file = cacheFileFor(cacheDir, fs.realpathSync(bundle), BUNDLE);
    const before = fs.statSync(file).size;
    exports.work();
    flushCodeCache();
    assert.ok(fs.statSync(file).size > before, `the cache grew with the compiled function (${before} → ${fs.statSync(file).size} bytes)`);
    assert.deepEqual(loadFresh(), { answer: 42, outcome: 'used' });
  });

  it('loads a regular module: one identity, relative requires (a vendor file on first use)', () => {
    const exports = load();
    assert.equal(require(bundle), exports, 'a later require returns the same exports');
    assert.equal(loadBundle(bundle, { cacheDir }), exports, 'so does a later load');
    assert.equal(exports.helper.name, 'helper');
    assert.equal(exports.filename, fs.realpathSync(bundle));
    assert.equal(exports.loadVendor().vendor, 'cjs');
  });

  it("reports the bundle's own line and column in stack traces", () => {
    const exports = load();
    const err = (() => {
      try {
        exports.fail();
      } catch (e) {
        return e as Error;
      }
    })();
    const line = BUNDLE.split('\n').findIndex((l) => l.includes('from the bundle'));
    const column = BUNDLE.split('\n')[line].indexOf('new Error') + 1;
    assert.ok(err?.stack?.includes(`${fs.realpathSync(bundle)}:${line + 1}:${column}`), err?.stack);
  });

  it('refuses a damaged cache, still loads, and writes a good one', () => {
    loadFresh();
    const [name] = cacheFiles();
    fs.writeFileSync(path.join(cacheDir, name), Buffer.from('not a V8 code cache'));
    assert.deepEqual(loadFresh(), { answer: 42, outcome: 'rejected' });
    assert.deepEqual(loadFresh(), { answer: 42, outcome: 'used' });
  });

  it('gives a changed bundle a new cache and removes the old one', () => {
    loadFresh();
    const before = cacheFiles();
    fs.writeFileSync(bundle, BUNDLE.replace('42', '43'));
    assert.deepEqual(loadFresh(), { answer: 43, outcome: 'written' });
    const after = cacheFiles();
    assert.equal(after.length, 1);
    assert.notDeepEqual(after, before);
    assert.deepEqual(loadFresh(), { answer: 43, outcome: 'used' });
  });

  it('writes nothing without a cache folder, and nothing when the folder cannot be made', () => {
    forget();
    assert.equal(loadBundle<Fixture>(bundle).answer, 42);
    assert.equal(lastOutcome.get('bundle.js'), 'off');
    assert.deepEqual(cacheFiles(), []);

    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.writeFileSync(cacheDir, 'a file where the folder would be');
    assert.equal(load().answer, 42);
    assert.ok(fs.statSync(cacheDir).isFile());
  });

  it('lets an error thrown while the bundle loads reach the caller, and keeps no half-loaded module', () => {
    fs.writeFileSync(bundle, "exports.partly = true;\nthrow new Error('broken bundle');\n");
    assert.throws(() => load(), /broken bundle/);
    assert.equal(require.cache[fs.realpathSync(bundle)], undefined);
  });
});
