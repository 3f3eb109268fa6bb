/**
 * Loads one of the extension's own bundles (dist/extension.js, dist/features.js) with a V8 code
 * cache, so that a new window does not compile the same code again: compiling is most of what
 * loading a bundle costs (dist/features.js: about 11 ms without a cache, 1–1.5 ms with one, on
 * plain Node). The cache lives in the extension's global storage folder, one file per bundle,
 * named by a hash of the bundle's source and the V8 version, so an update or another runtime
 * never reads a stale one (V8 also refuses a cache made by another version or with other flags).
 * It holds compiled code of our bundles only, never data.
 *
 * The bundle becomes a regular CommonJS module, registered in `require.cache` under its real
 * path, so a later `require()` of it returns the same exports. Anything unexpected falls back to
 * a plain `require()`. Nothing here imports `vscode`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import * as vm from 'node:vm';

/** How long after a bundle was loaded its cache is written: long enough to hold the functions the first use compiled. */
export const WRITE_DELAY_MS = 5_000;

export interface LoadOptions {
  /** Folder for the cache files; without it the bundle is simply required. */
  cacheDir?: string;
  /** Write the cache now instead of WRITE_DELAY_MS later (tests). */
  writeNow?: boolean;
}

/** What happened to the cache on the last load of each bundle (diagnostics and tests). */
export type CacheOutcome = 'used' | 'written' | 'rejected' | 'off' | 'failed';
export const lastOutcome = new Map<string, CacheOutcome>();

let configuredDir: string | undefined;

/** The cache folder inside the extension's global storage folder. */
export function codeCacheDir(globalStoragePath: string): string {
  return path.join(globalStoragePath, 'code-cache');
}

/** Sets the cache folder for later loads that name none (the features bundle, loaded on first use). */
export function configureCodeCache(cacheDir: string | undefined): void {
  configuredDir = cacheDir;
}

/** The folder configureCodeCache set. */
export function configuredCodeCacheDir(): string | undefined {
  return configuredDir;
}

const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) { ';
const WRAPPER_END = '\n});';

/** The cache file of a bundle's current source in `dir`: `<name>-<hash>.v8`. */
export function cacheFileFor(dir: string, file: string, source: string): string {
  const hash = createHash('sha256').update(process.versions.v8).update('\0').update(source).digest('hex').slice(0, 24);
  return path.join(dir, `${path.basename(file, '.js')}-${hash}.v8`);
}

/** Loads `file` (an absolute path to a CommonJS bundle) and returns its exports. */
export function loadBundle<T>(file: string, options: LoadOptions = {}): T {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return require(file) as T;
  }
  const existing = require.cache[real];
  if (existing) return existing.exports as T;
  const name = path.basename(real);
  const dir = options.cacheDir ?? configuredDir;
  if (!dir) {
    lastOutcome.set(name, 'off');
    return require(real) as T;
  }
  let mod: Module | undefined;
  try {
    const source = fs.readFileSync(real, 'utf8');
    const cacheFile = cacheFileFor(dir, real, source);
    const cachedData = readIfPresent(cacheFile);
    const script = new vm.Script(WRAPPER_START + source + WRAPPER_END, {
      filename: real,
      // Stack traces show the bundle's own columns, not the wrapper's.
      columnOffset: -WRAPPER_START.length,
      cachedData,
      // No dynamic-import loader: the bundles require their vendor files (the build checks).
    });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    mod = new Module(real, module);
    mod.filename = real;
    mod.paths = [];
    require.cache[real] = mod;
    const m = mod;
    const localRequire = Object.assign((id: string) => m.require(id), {
      resolve: (id: string) => require.resolve(id, { paths: [path.dirname(real)] }),
      cache: require.cache,
    });
    wrapper.call(mod.exports, mod.exports, localRequire, mod, real, path.dirname(real));
    mod.loaded = true;
    const used = cachedData !== undefined && !script.cachedDataRejected;
    lastOutcome.set(name, used ? 'used' : cachedData ? 'rejected' : 'written');
    const write = () => writeCache(script, dir, cacheFile, name);
    loadedScripts.set(name, write);
    if (options.writeNow) write();
    else if (!used) {
      pending.add(name);
      setTimeout(() => pending.has(name) && write(), WRITE_DELAY_MS).unref();
    }
    return mod.exports as T;
  } catch {
    // A half-initialised module must not be returned to a later require(): start over plainly.
    if (mod && require.cache[real] === mod) delete require.cache[real];
    lastOutcome.set(name, 'failed');
    return require(real) as T;
  }
}

/** The cache write of every bundle loaded with a cache folder, by bundle name. */
const loadedScripts = new Map<string, () => void>();
/** Bundles whose cache was missing or refused and is not written yet. */
const pending = new Set<string>();

/**
 * Writes the cache of every bundle this window loaded, with all the code it compiled so far
 * (what deactivation does: the next window starts from what this one ran, the first command's
 * code included, not only what the first 5 s compiled).
 */
export function flushCodeCache(): void {
  for (const write of [...loadedScripts.values()]) write();
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (other windows may be reading it) and removes older caches of the same bundle. */
function writeCache(script: vm.Script, dir: string, cacheFile: string, name: string): void {
  pending.delete(name);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
    const prefix = `${path.basename(name, '.js')}-`;
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.v8') && path.join(dir, name) !== cacheFile) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A cache that cannot be written costs the next window a compile, nothing else.
  }
}
