// `npm run demo`: a real VS Code (code-server) in your browser with the packaged extension
// installed and already pointed at a local PingOne-compatible sandbox, so the extension can be tried
// without a PingOne account. Runs until Ctrl-C (SIGINT/SIGTERM), then stops everything.
//
//   node esbuild.js --tests && node out/test/host/demo.js
//
// Steps: production build + VSIX (in a temp folder), the sandbox on loopback, code-server
// (installed into .vscode-test on first use), a clean demo folder .vscode-test/demo/{user-data,
// extensions,workspace} (recreated each run), the VSIX installed there, the sandbox environments
// seeded (see test/e2e/stack.ts), code-server on 127.0.0.1.
//
// Environment:
//   SANDBOX_PORT   port of the sandbox (default: any free port)
//   DEMO_PORT      port of code-server (default: any free port)
//   PTE_HOST_CACHE where code-server is installed and the demo folder lives (default <repo>/.vscode-test)
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { SEED_NAMES, WORKBENCH_SETTINGS, packageVsix, sandboxHost, sandboxInfo, seedPlan, writeSeedExtension } from '../e2e/stack';
import { exitOnSignals, onCleanup } from './lib/cleanup';
import { cacheRoot, ensureCodeServer, installVsix, startCodeServer, workbenchUrl, type CodeServer } from './lib/codeServer';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';
import { runLauncher } from './lib/launcher';

const LABEL = 'demo';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

function portFromEnv(name: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}

/** Whether 127.0.0.1:port can be bound right now (to fail clearly on a taken DEMO_PORT). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  const started = Date.now();
  const repo = repoRoot();
  const sandboxPort = portFromEnv('SANDBOX_PORT');
  const demoPort = portFromEnv('DEMO_PORT');
  if (demoPort && !(await portFree(demoPort))) throw new Error(`DEMO_PORT ${demoPort} is in use on 127.0.0.1`);

  // 1. The VSIX, built like `npm run package` but into a temp folder (nothing left in the repo).
  const scratch = makeRunDir(LABEL);
  onCleanup(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const vsix = path.join(scratch, 'pingone-token-explorer.vsix');
  log('packaging the extension…');
  packageVsix(repo, vsix, log);

  // 2. The sandbox, in this process.
  let sandbox: Sandbox | undefined;
  onCleanup(() => sandbox?.close());
  sandbox = await startSandbox({ port: sandboxPort, host: await sandboxHost() });
  log(`sandbox on ${sandbox.url}`);

  // 3. code-server and a clean demo folder.
  const install = await ensureCodeServer();
  const demoRoot = path.join(cacheRoot(), 'demo');
  fs.rmSync(demoRoot, { recursive: true, force: true });
  const userDataDir = ensureDir(demoRoot, 'user-data');
  const extensionsDir = ensureDir(demoRoot, 'extensions');
  const workspace = ensureDir(demoRoot, 'workspace');
  fs.writeFileSync(path.join(workspace, 'DEMO.md'), demoNotes(sandbox));
  await installVsix(vsix, extensionsDir, { userDataDir, install, log });
  writeSeedExtension(extensionsDir, seedPlan(sandboxInfo(sandbox)));

  let server: CodeServer | undefined;
  onCleanup(() => server?.stop());
  server = await startCodeServer({
    install,
    userDataDir,
    extensionsDir,
    folder: workspace,
    logFile: path.join(demoRoot, 'code-server.log'),
    settings: { ...WORKBENCH_SETTINGS },
    // The last --bind-addr wins: a fixed port only when DEMO_PORT asks for one.
    extraArgs: demoPort ? ['--bind-addr', `127.0.0.1:${demoPort}`] : [],
    log,
  });
  const url = workbenchUrl(server, { folder: workspace });

  console.log(banner(url, sandbox, server, demoRoot, Date.now() - started));
  // Machine-readable, for scripts that start the demo in the background.
  console.log(`DEMO_READY ${JSON.stringify({ url, sandbox: sandbox.url, codeServerPid: server.pid })}`);

  // Run until a signal (exitOnSignals cleans up and exits) or until code-server dies.
  let stopping = false;
  onCleanup(() => {
    stopping = true; // runs first (cleanups run newest first): code-server stopping is expected now
  });
  const running = server;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!running.running && !stopping) {
        clearInterval(timer);
        resolve();
      }
    }, 1000);
  });
  console.error(`${LABEL}: code-server exited; see ${server.logFile}`);
  return 1;
}

function banner(url: string, sb: Sandbox, server: CodeServer, demoRoot: string, ms: number): string {
  const { worker, web, pfWorker } = sb.clients;
  const rule = '─'.repeat(78);
  return [
    '',
    rule,
    `PingOne Token Explorer demo is running (ready in ${(ms / 1000).toFixed(1)} s)`,
    rule,
    '',
    'Open this URL in a browser on this machine:',
    '',
    `    ${url}`,
    '',
    'Then:',
    `  1. Click the PingOne key icon in the activity bar (left). The Environments view shows`,
    `     "${SEED_NAMES.pingone}" and "${SEED_NAMES.pingfederate}" with their applications.`,
    `  2. Hover "${SEED_NAMES.worker}" and click its key button (Get Token), or press F1 and run`,
    `     "PingOne: Get Token (Client Credentials)". A token set appears under the app (expand it`,
    `     if it stays collapsed), "expires in 59 min".`,
    '  3. Click the token set: the Token Inspector shows the claims and a live countdown.',
    '     Right-click it for Refresh, Introspect, Revoke, Copy as curl…',
    `  4. Sign a user in: right-click "${SEED_NAMES.web}" › "Sign In with Username and Password`,
    `     (Flows API)", or "Sign In (Authorization Code)" to use the browser: choose Open when VS`,
    `     Code asks, sign in on the sandbox's page in the new tab; if no tab opens, use "Copy`,
    `     Sign-in URL" in the sign-in notification and open the URL yourself.`,
    '',
    'Sandbox (PingOne-compatible, loopback only; documented demo credentials, not secrets):',
    `  base URL / auth base  ${sb.url}`,
    `  environment ID        ${sb.envId}`,
    `  PingOne issuer        ${sb.pingone.issuer}`,
    `  PingFederate issuer   ${sb.pingfederate.issuer}`,
    `  user                  ${sb.user.username} / ${sb.user.password}  (${sb.user.name}, ${sb.user.email})`,
    `  clients               ${worker.clientId} / ${worker.clientSecret}  (client credentials)`,
    `                        ${web.clientId} / ${web.clientSecret}  (authorization code)`,
    `                        ${pfWorker.clientId} / ${pfWorker.clientSecret}  (PingFederate, client credentials)`,
    '',
    `Files: ${demoRoot} (recreated each run); code-server log ${server.logFile}`,
    '',
    'Ctrl-C to stop.',
    rule,
  ].join('\n');
}

function demoNotes(sb: Sandbox): string {
  return [
    '# PingOne Token Explorer demo',
    '',
    'Click the **PingOne** key icon in the activity bar. The environments below are already configured',
    '(a helper extension added them through the public API).',
    '',
    `- **${SEED_NAMES.pingone}**: environment \`${sb.envId}\`, auth base \`${sb.url}\``,
    `- **${SEED_NAMES.pingfederate}**: issuer \`${sb.pingfederate.issuer}\``,
    '',
    `Test user: \`${sb.user.username}\` / \`${sb.user.password}\``,
    '',
  ].join('\n');
}

runLauncher(LABEL, main);
