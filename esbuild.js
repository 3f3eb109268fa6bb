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

const extension = {
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
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
  const configs = [extension, webview, ...(tests ? [testBuild] : [])].filter(
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
