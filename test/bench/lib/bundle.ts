// Bundle figures: the production build of dist/main.js, dist/extension.js, dist/features.js and dist/vendor/ (raw and gzip bytes), the top inputs
// by bytes in the output (from esbuild's metafile), and the VSIX that vsce packs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../../host/lib/proc';

export interface Contributor {
  /** An npm package name, or a source folder such as src/core. */
  input: string;
  bytes: number;
}

export interface BundleFigures {
  /** dist/main.js + dist/extension.js: what activation loads. */
  extensionBytes: number;
  /** dist/features.js: the command handlers, the inspector and the grant code, loaded on first use. */
  featuresBytes: number;
  /** dist/vendor/: dependencies the extension loads on first use (see esbuild.js). */
  vendorBytes: number;
  vendorFiles: Record<string, number>;
  extensionGzipBytes: number;
  webviewBytes: number;
  contributors: Contributor[];
  vsixBytes?: number;
  /** Why the VSIX figure is missing. */
  vsixError?: string;
  vsixFiles?: number;
}

/** Groups an esbuild metafile input path by package (node_modules/<pkg> or node_modules/@scope/pkg) or by src/<folder>. */
export function inputGroup(file: string): string {
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

export function contributors(metafilePath: string, output = 'dist/extension.js'): Contributor[] {
  const meta = JSON.parse(fs.readFileSync(metafilePath, 'utf8')) as Metafile;
  const out = meta.outputs[output];
  if (!out) throw new Error(`${metafilePath} has no output ${output}`);
  const by = new Map<string, number>();
  for (const [file, v] of Object.entries(out.inputs)) by.set(inputGroup(file), (by.get(inputGroup(file)) ?? 0) + v.bytesInOutput);
  return [...by.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Builds the production bundle (`node esbuild.js --production`) and packs a VSIX into scratch. */
export async function measureBundle(repo: string, log: (s: string) => void): Promise<BundleFigures> {
  log('node esbuild.js --production');
  const build = await run(process.execPath, ['esbuild.js', '--production'], { cwd: repo });
  if (build.code !== 0) throw new Error(`production build failed:\n${build.output}`);
  // What activation loads: the entry (the code-cache loader) and the activation bundle.
  const ext = Buffer.concat([fs.readFileSync(path.join(repo, 'dist', 'main.js')), fs.readFileSync(path.join(repo, 'dist', 'extension.js'))]);
  const webviewDir = path.join(repo, 'dist', 'webview');
  const webviewBytes = fs.existsSync(webviewDir)
    ? fs
        .readdirSync(webviewDir)
        .filter((f) => f.endsWith('.js'))
        .reduce((n, f) => n + fs.statSync(path.join(webviewDir, f)).size, 0)
    : 0;
  const vendorDir = path.join(repo, 'dist', 'vendor');
  const vendorFiles = Object.fromEntries((fs.existsSync(vendorDir) ? fs.readdirSync(vendorDir) : []).map((f) => [f, fs.statSync(path.join(vendorDir, f)).size]));
  const figures: BundleFigures = {
    extensionBytes: ext.length,
    featuresBytes: fs.statSync(path.join(repo, 'dist', 'features.js')).size,
    vendorBytes: Object.values(vendorFiles).reduce((n, v) => n + v, 0),
    vendorFiles,
    extensionGzipBytes: gzipSync(ext, { level: 9 }).length,
    webviewBytes,
    contributors: contributors(path.join(repo, 'dist', 'meta.json')),
  };

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-bench-vsix-'));
  try {
    const vsix = path.join(scratch, 'x.vsix');
    log('vsce package --no-dependencies');
    // vsce runs vscode:prepublish (the same production build) first.
    const r = await run(path.join(repo, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', vsix], { cwd: repo });
    if (r.code === 0 && fs.existsSync(vsix)) {
      figures.vsixBytes = fs.statSync(vsix).size;
      const m = /(\d+) files?/.exec(r.output);
      if (m) figures.vsixFiles = Number(m[1]);
    } else {
      const reason = r.output
        .split('\n')
        .map((l) => l.trim())
        .find((l) => /^ERROR|error/i.test(l));
      figures.vsixError = (reason ?? `vsce exited with ${r.code}`).replace(/^ERROR\s*/, '').slice(0, 200);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
