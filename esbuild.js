// Builds the extension (dist/), the webview scripts (dist/webview/) and, with --tests, every test
// entry point (out/). Type-checking is separate: `npm run typecheck`.
//   node esbuild.js               development build with source maps
//   node esbuild.js --production  minified, no source maps (what the VSIX ships)
//   node esbuild.js --watch       rebuild on change
//   node esbuild.js --tests       also build unit, integration, host and sandbox entry points
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

/** Every *.ts file under dir (recursively) whose name passes the filter. */
function entries(dir, filter) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && filter(f));
}

/**
 * Modules a dependency bundles but never runs on Node 20, replaced by tiny stand-ins:
 * - web-streams-polyfill (60 KB): fetch-blob loads it only when globalThis.ReadableStream is
 *   missing, and Node >= 18 always has it.
 * - debug (10 KB with supports-color, ms, has-flag): the proxy agents' diagnostics, which would
 *   only print with DEBUG=... set; our own log channel records requests.
 */
const stubs = {
  name: 'stubs',
  setup(build) {
    build.onResolve({ filter: /^web-streams-polyfill(\/.*)?$/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    build.onResolve({ filter: /^debug$/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents: args.path === 'debug'
        ? 'module.exports = function createDebug() { const d = function () {}; d.enabled = false; d.extend = () => d; return d; };'
        : 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/**
 * Dependencies the extension needs only once it makes a request or verifies a signature are shipped
 * as separate files in dist/vendor/ and loaded on first use, so activation does not parse them.
 * The source imports them lazily (import() / require() inside a function); this plugin points
 * those imports at the vendor files.
 */
const VENDOR = {
  'node-fetch': { file: './vendor/node-fetch.mjs', entry: 'node-fetch', format: 'esm' },
  './joseLazy': { file: './vendor/jose.mjs', entry: 'src/core/joseLazy.ts', format: 'esm' },
  './proxyAgentsLazy': { file: './vendor/proxy-agents.js', entry: 'src/core/proxyAgentsLazy.ts', format: 'cjs' },
};
const vendorSplit = {
  name: 'vendor-split',
  setup(build) {
    build.onResolve({ filter: /^(node-fetch|\.\/joseLazy|\.\/proxyAgentsLazy)$/ }, (args) =>
      args.kind === 'dynamic-import' || args.kind === 'require-call' ? { path: VENDOR[args.path].file, external: true } : undefined,
    );
  },
};
const vendor = Object.values(VENDOR).map((v) => ({
  entryPoints: [v.entry],
  outfile: path.join('dist', v.file),
  bundle: true,
  platform: 'node',
  format: v.format,
  target: 'node20',
  plugins: [stubs],
  minify: production,
  logLevel: 'warning',
  // ESM output still runs CommonJS dependencies that call require() on Node built-ins.
  banner: v.format === 'esm' ? { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } : undefined,
}));

const extension = {
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  plugins: [stubs, vendorSplit],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
};

const webview = {
  entryPoints: entries('src/webview', (f) => /[\\/]main\.ts$/.test(f)).map((f) => ({
    in: f,
    out: path.basename(path.dirname(f)),
  })),
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: production,
  sourcemap: production ? false : 'inline',
  logLevel: 'warning',
};

// Test code runs on plain Node (unit, host launchers, sandbox) or inside the extension host
// (integration). Packages that are ESM-only or must stay as they are on disk stay external.
const testBuild = {
  entryPoints: [
    ...entries('test/unit', (f) => f.endsWith('.test.ts')),
    ...entries('test/integration', (f) => f.endsWith('.test.ts') || /[\\/]index\.ts$/.test(f)),
    ...entries('test/host', (f) => !/[\\/]lib[\\/]/.test(f)),
    ...entries('test/e2e', (f) => f.endsWith('.test.ts')),
    ...entries('test/bench', (f) => !/[\\/]lib[\\/]/.test(f)),
    'test/sandbox/cli.ts',
  ].filter((f) => fs.existsSync(f)),
  outdir: 'out',
  outbase: '.',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha', 'oidc-provider', 'playwright-core', '@vscode/test-electron', 'esbuild'],
  sourcemap: true,
  logLevel: 'warning',
};

async function main() {
  // A test deleted from test/ must not keep running from a stale out/ bundle.
  if (tests) fs.rmSync('out', { recursive: true, force: true });
  const configs = [extension, webview, ...vendor, ...(tests ? [testBuild] : [])].filter(
    (c) => c.entryPoints.length > 0,
  );
  if (watch) {
    for (const c of configs) {
      const ctx = await esbuild.context(c);
      await ctx.watch();
    }
    console.log('[esbuild] watching…');
    return;
  }
  const results = await Promise.all(configs.map((c) => esbuild.build(c)));
  if (production) {
    fs.writeFileSync('dist/meta.json', JSON.stringify(results[0].metafile));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
