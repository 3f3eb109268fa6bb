// Where things are: the repository root and per-run temporary directories.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PACKAGE_NAME = 'pingone-token-explorer';

/**
 * The repository root: the nearest ancestor of this file (bundled: out/test/host/…, or the
 * sources under test/host/lib) whose package.json is this extension's. Falls back to the cwd.
 */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === PACKAGE_NAME) return dir;
      } catch {
        // not ours, keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** A fresh, empty directory under the OS temp dir, e.g. /tmp/pte-integration-Ab12Cd. */
export function makeRunDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pte-${prefix}-`));
}

/** Creates (recursively) and returns `path.join(...parts)`. */
export function ensureDir(...parts: string[]): string {
  const dir = path.join(...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
