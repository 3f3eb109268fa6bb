// The "sandbox" task of .vscode/tasks.json, which F5 ("Run Extension" in .vscode/launch.json) starts
// before it opens the Extension Development Host. It does for desktop VS Code what `npm run demo`
// does for code-server, minus the VSIX: the extension under development is loaded from the
// repository (`--extensionDevelopmentPath`), and the demo's seed extension (test/e2e/stack.ts) is
// loaded next to it as a second development path, so the host starts with the sandbox's
// environments and applications already added through the public API.
//
//   node esbuild.js --tests && node out/test/host/devHost.js
//
// Writes (recreated each run, ignored by git):
//   .dev-host/seed/       the seed extension, its seed.json pointing at this run's sandbox
//   .dev-host/workspace/  the folder the host opens, with a README saying what is configured
// Runs until Ctrl-C (or until the task is terminated), then stops the sandbox.
//
// Environment: SANDBOX_PORT  port of the sandbox (default: any free port)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { SEED_NAMES, sandboxInfo, seedPlan, writeSeedExtension } from '../e2e/stack';
import { exitOnSignals, onCleanup } from './lib/cleanup';
import { runLauncher } from './lib/launcher';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';

const LABEL = 'dev-host';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

function sandboxPort(): number {
  const raw = process.env.SANDBOX_PORT;
  if (raw === undefined || raw === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`SANDBOX_PORT must be a port number (1-65535), got "${raw}"`);
  return port;
}

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  log('starting the sandbox…'); // the task's problem matcher waits from this line to DEV_HOST_READY
  const root = path.join(repoRoot(), '.dev-host');

  let sandbox: Sandbox | undefined;
  onCleanup(() => sandbox?.close());
  sandbox = await startSandbox({ port: sandboxPort() });

  // The seed extension, written where launch.json's second --extensionDevelopmentPath points.
  // writeSeedExtension lays it out for an extensions folder (and lists it in that folder's
  // extensions.json); a development path needs only the extension's own folder.
  const scratch = makeRunDir(LABEL);
  onCleanup(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const written = writeSeedExtension(scratch, seedPlan(sandboxInfo(sandbox)));
  const seed = path.join(root, 'seed');
  fs.rmSync(seed, { recursive: true, force: true });
  ensureDir(root);
  fs.cpSync(written, seed, { recursive: true });

  const workspace = ensureDir(root, 'workspace');
  fs.writeFileSync(path.join(workspace, 'README.md'), notes(sandbox));

  log(`sandbox on ${sandbox.url}; seed extension in ${seed}`);
  console.log(`DEV_HOST_READY ${JSON.stringify({ sandbox: sandbox.url, seed, workspace })}`);

  // Until a signal: exitOnSignals runs the cleanups (the sandbox closes) and exits.
  await new Promise<never>(() => undefined);
  return 0;
}

function notes(sb: Sandbox): string {
  const { worker, web } = sb.clients;
  return [
    '# Extension Development Host (F5)',
    '',
    'This window runs PingOne Token Explorer from your working copy. The seed extension added the',
    `sandbox's environments through the public API: **${SEED_NAMES.pingone}** and **${SEED_NAMES.pingfederate}**.`,
    '',
    `- sandbox: ${sb.url} (environment \`${sb.envId}\`)`,
    `- ${SEED_NAMES.worker}: \`${worker.clientId}\` (client credentials)`,
    `- ${SEED_NAMES.web}: \`${web.clientId}\` (authorization code)`,
    `- user: \`${sb.user.username}\` / \`${sb.user.password}\``,
    '',
    "These are the sandbox's documented demo credentials. The seed log is in the Output view",
    '("PingOne Sandbox Seed").',
    '',
  ].join('\n');
}

runLauncher(LABEL, main);
