/**
 * The pieces the UI end-to-end launcher (test/host/e2e.ts) and `npm run demo` (test/host/demo.ts)
 * share: package the VSIX the way `npm run package` does, and pre-configure the installed
 * extension with the sandbox's environments and applications.
 *
 * Seeding. The extension keeps environments and applications in `globalState` and client secrets
 * in SecretStorage; neither can be written from outside VS Code. So a tiny second extension,
 * `pte-test.pte-sandbox-seed`, is generated into the extensions dir next to the installed VSIX. It
 * activates `onStartupFinished`, depends on ours (`extensionDependencies`), and configures it
 * through our public API (src/api.ts), exactly as any other extension could:
 *     const api = await vscode.extensions.getExtension('pingone-tools.pingone-token-explorer').activate();
 *     const env = await api.addEnvironment({ kind: 'pingone', name, environmentId, authBaseUrl });
 *     await api.addApplication(env.id, { name, clientId, clientSecret, authMethod, grants, scopes });
 * What to add (the sandbox's URL, environment ID, clients and secrets) is written beside it in
 * `seed.json`. It only adds what is missing: an environment is left alone when it already has
 * this sandbox's issuer and all its applications with their secrets, so a window reload keeps the
 * token sets (one left from another sandbox port, or whose secrets are lost, is re-created).
 * In code-server both `globalState` and the secrets live in the browser profile (IndexedDB; no
 * state.vscdb is written under the user-data dir), so each new browser profile starts empty and is
 * seeded on its first load, while a reload with the same profile finds everything in place. The
 * folder is also registered in the extensions dir's `extensions.json`, as `--install-extension`
 * does, so VS Code treats it as an installed extension.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Sandbox, SandboxClient } from '../sandbox/index';

export const EXTENSION_ID = 'pingone-tools.pingone-token-explorer';
/** test/fixtures/consumer-extension: another extension that asks `vscode.authentication` for a PingOne session. */
export const CONSUMER_ID = 'pte-tests.pingone-consumer';
export const SEED_ID = 'pte-test.pte-sandbox-seed';
const SEED_VERSION = '0.0.1';

/** What the seed and the tests need to know about a running sandbox (plain data, JSON-safe). */
export type SandboxInfo = Pick<Sandbox, 'url' | 'envId' | 'pingone' | 'pingfederate' | 'clients' | 'user'>;

export function sandboxInfo(sb: SandboxInfo): SandboxInfo {
  const { url, envId, pingone, pingfederate, clients, user } = sb;
  return structuredClone({ url, envId, pingone, pingfederate, clients, user });
}

/**
 * User settings for the e2e and demo workbenches (merged over the launchers' QUIET_SETTINGS): the
 * dark theme the screenshots use, and no Git prompt when the workspace sits inside a repository
 * (the demo's .vscode-test/demo/workspace does).
 */
export const WORKBENCH_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.colorTheme': 'Default Dark Modern',
  'git.openRepositoryInParentFolders': 'never',
  // The sandbox, the sign-in listener and code-server itself are all on loopback: without this the
  // Ports view fills with ports nobody asked to forward.
  'remote.autoForwardPorts': false,
};

/**
 * The loopback address the sandbox listens on in the demo and the e2e workbench. code-server
 * rewrites a URL on `localhost`, `127.0.0.1` or `0.0.0.0` passed to `openExternal` into its
 * port-forward URL (`/proxy/PORT/`) and drops the path and the query, so a browser sign-in against
 * a sandbox there lands on NOT_FOUND. Another address of the loopback range (127.0.0.2: Linux
 * routes all of 127.0.0.0/8 to loopback) is not rewritten. Where it cannot be bound (macOS without
 * an alias), 127.0.0.1 is used and the sign-in URL has to be copied from the progress notification.
 */
export async function sandboxHost(): Promise<string> {
  const preferred = '127.0.0.2';
  const ok = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(0, preferred, () => srv.close(() => resolve(true)));
  });
  return ok ? preferred : '127.0.0.1';
}

/** Names shown in the tree: the tests look for these. */
export const SEED_NAMES = {
  pingone: 'Sandbox (PingOne)',
  pingfederate: 'Sandbox (PingFederate)',
  worker: 'Worker app',
  web: 'Web app',
  native: 'Native app',
  pfWorker: 'PingFederate worker',
  pfWeb: 'PingFederate web app',
  device: 'TV app',
} as const;

interface SeedApplication {
  name: string;
  clientId: string;
  clientSecret?: string;
  authMethod: SandboxClient['authMethod'];
  grants: Array<'client_credentials' | 'authorization_code' | 'device_code'>;
  scopes: string;
  redirectUri?: string;
}

export interface SeedPlan {
  environments: Array<{
    environment: { name: string; kind: 'pingone' | 'pingfederate'; environmentId?: string; authBaseUrl?: string; apiBaseUrl?: string; issuer?: string };
    /** The issuer the environment resolves to: one stored for another sandbox (port) is replaced. */
    expectedIssuer: string;
    applications: SeedApplication[];
  }>;
}

function app(name: string, c: SandboxClient): SeedApplication {
  const grants = c.grantTypes
    .map((g) => (g === 'urn:ietf:params:oauth:grant-type:device_code' ? 'device_code' : g))
    .filter((g): g is SeedApplication['grants'][number] => g === 'client_credentials' || g === 'authorization_code' || g === 'device_code');
  return {
    name,
    clientId: c.clientId,
    ...(c.clientSecret ? { clientSecret: c.clientSecret } : {}),
    authMethod: c.authMethod,
    grants,
    scopes: c.scopes,
    ...(c.redirectUris[0] ? { redirectUri: c.redirectUris[0] } : {}),
  };
}

/** The sandbox's PingOne environment (worker, web and native apps) and PingFederate (worker, web). */
export function seedPlan(sb: SandboxInfo): SeedPlan {
  const c = sb.clients;
  return {
    environments: [
      {
        environment: { name: SEED_NAMES.pingone, kind: 'pingone', environmentId: sb.envId, authBaseUrl: sb.pingone.authBase, apiBaseUrl: `${sb.url}/v1` },
        expectedIssuer: sb.pingone.issuer,
        applications: [app(SEED_NAMES.worker, c.worker), app(SEED_NAMES.web, c.web), app(SEED_NAMES.native, c.native), app(SEED_NAMES.device, c.device)],
      },
      {
        environment: { name: SEED_NAMES.pingfederate, kind: 'pingfederate', issuer: sb.pingfederate.issuer },
        expectedIssuer: sb.pingfederate.issuer,
        applications: [app(SEED_NAMES.pfWorker, c.pfWorker), app(SEED_NAMES.pfWeb, c.pfWeb)],
      },
    ],
  };
}

const SEED_MAIN = `// Generated by test/e2e/stack.ts for tests and the demo: configures PingOne Token Explorer with the
// sandbox's environments and applications (seed.json) through its public API. Adds only what is missing.
'use strict';
const vscode = require('vscode');
const plan = require('./seed.json');

exports.activate = async function activate(context) {
  const out = vscode.window.createOutputChannel('PingOne Sandbox Seed');
  context.subscriptions.push(out);
  try {
    const ext = vscode.extensions.getExtension(${JSON.stringify(EXTENSION_ID)});
    if (!ext) throw new Error(${JSON.stringify(`${EXTENSION_ID} is not installed`)});
    const api = await ext.activate();
    for (const want of plan.environments) {
      const existing = api.listEnvironments().find((e) => e.name === want.environment.name);
      if (existing) {
        const apps = await api.listApplications(existing.id);
        const complete =
          existing.issuer === want.expectedIssuer &&
          want.applications.every((a) => apps.some((x) => x.clientId === a.clientId && (x.hasSecret || !a.clientSecret)));
        if (complete) {
          out.appendLine('already configured: ' + existing.name);
          continue;
        }
        out.appendLine('outdated (another sandbox) or incomplete (secrets missing), re-creating: ' + existing.name);
        await api.removeEnvironment(existing.id);
      }
      const env = await api.addEnvironment(want.environment);
      for (const a of want.applications) await api.addApplication(env.id, a);
      out.appendLine('added ' + env.name + ' with ' + want.applications.length + ' application(s)');
    }
  } catch (err) {
    out.appendLine('seeding failed: ' + ((err && err.stack) || err));
    void vscode.window.showErrorMessage('Sandbox seed failed: ' + ((err && err.message) || err));
  }
};

exports.deactivate = function deactivate() {};
`;

/**
 * Writes the seed extension into `extensionsDir` (after the VSIX is installed there) and registers
 * it in `extensions.json`. Returns its folder.
 */
export function writeSeedExtension(extensionsDir: string, plan: SeedPlan): string {
  const [publisher, name] = SEED_ID.split('.');
  const folderName = `${SEED_ID}-${SEED_VERSION}`;
  const dir = path.join(extensionsDir, folderName);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name,
    publisher,
    displayName: 'PingOne Token Explorer: sandbox seed (tests and demo)',
    description: 'Adds the local sandbox environments to PingOne Token Explorer through its public API.',
    version: SEED_VERSION,
    private: true,
    engines: { vscode: '^1.100.0' },
    main: './main.js',
    activationEvents: ['onStartupFinished'],
    extensionDependencies: [EXTENSION_ID],
    extensionKind: ['workspace'],
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'seed.json'), JSON.stringify(plan, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'main.js'), SEED_MAIN);

  // extensions.json lists what VS Code loads from this folder (--install-extension maintains it).
  const listFile = path.join(extensionsDir, 'extensions.json');
  const list: Array<{ identifier: { id: string } }> = fs.existsSync(listFile) ? JSON.parse(fs.readFileSync(listFile, 'utf8')) : [];
  const entry = {
    identifier: { id: SEED_ID },
    version: SEED_VERSION,
    location: { $mid: 1, path: dir, scheme: 'file' },
    relativeLocation: folderName,
    metadata: { installedTimestamp: Date.now(), source: 'resource' },
  };
  const others = list.filter((e) => e.identifier.id.toLowerCase() !== SEED_ID);
  fs.writeFileSync(listFile, JSON.stringify([...others, entry]));
  return dir;
}

/**
 * `npm run package` into `outFile` instead of the repository root: the production build
 * (`node esbuild.js --production`), then `vsce package --no-dependencies --out outFile`.
 */
export function packageVsix(repo: string, outFile: string, log: (line: string) => void = () => undefined): void {
  const step = (what: string, cmd: string, args: string[]) => {
    const started = Date.now();
    const r = spawnSync(cmd, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) {
      throw new Error(`${what} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`);
    }
    log(`${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  if (!fs.existsSync(path.join(repo, 'media', 'icon.png'))) {
    throw new Error('media/icon.png is missing (vsce needs it): node esbuild.js --tests && node out/test/host/make-icon.js');
  }
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  step('production build', process.execPath, [path.join(repo, 'esbuild.js'), '--production']);
  step(`vsce package → ${outFile}`, process.execPath, [path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--out', outFile]);
  if (!fs.existsSync(outFile)) throw new Error(`vsce did not write ${outFile}`);
  // The VSIX budget (issue 12; the bundle budgets are checked by the production build, esbuild.js).
  const bytes = fs.statSync(outFile).size;
  if (bytes > VSIX_BUDGET_BYTES) throw new Error(`the VSIX is ${(bytes / 1000).toFixed(1)} KB, over its budget of ${VSIX_BUDGET_BYTES / 1000} KB`);
}

/** At most 400 KB (1 KB = 1,000 bytes). */
export const VSIX_BUDGET_BYTES = 400_000;

/**
 * Packages test/fixtures/consumer-extension (plain JS, no dependencies, no build) into `outFile`
 * with vsce, offline, so it is installed with `--install-extension` exactly like our VSIX.
 */
export function packageConsumerExtension(repo: string, outFile: string, log: (line: string) => void = () => undefined): void {
  const dir = path.join(repo, 'test', 'fixtures', 'consumer-extension');
  const started = Date.now();
  const vsce = path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', outFile];
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !fs.existsSync(outFile)) {
    throw new Error(
      `vsce package of ${path.relative(repo, dir)} failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`,
    );
  }
  log(`vsce package ${CONSUMER_ID} → ${outFile} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
