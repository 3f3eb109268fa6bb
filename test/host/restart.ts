// Runs the restart suite (out/test/restart/*.test.js) in two editor sessions one after the other:
// code-server and headless Chromium are started, the suite runs with PTE_RESTART_PHASE=store, both
// are stopped, and they are started again on the same user-data folder and the same Chromium
// profile for PTE_RESTART_PHASE=restarted: a full restart of the editor. One sandbox, run here,
// outlives both sessions; its request counters (and a control for the lifetime of the access tokens
// it issues next) are served to the tests on a second loopback port.
//
//   node esbuild.js && node esbuild.js --tests && node out/test/host/restart.js
//
// Environment: PTE_TEST_TIMEOUT_MS (default 300000), PTE_KEEP_TMP=1, PTE_HOST_CACHE, as for the
// integration launcher. Exit code: 0 when both sessions passed, 1 otherwise.
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startSandbox } from '../sandbox';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench } from './lib/browser';
import { exitOnSignals, onCleanup } from './lib/cleanup';
import { changeUserSettings, ensureCodeServer, freeLoopbackPort, startCodeServer, workbenchUrl } from './lib/codeServer';
import { runLauncher } from './lib/launcher';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';
import { envInt, tailFile, waitFor } from './lib/proc';
import { readResults, reportResults } from './lib/results';

const LABEL = 'restart';
const EXTENSION_ID = 'pingone-tools.pingone-token-explorer';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  const repo = repoRoot();
  const testsModule = path.join(repo, 'out', 'test', 'restart', 'index.js');
  if (!fs.existsSync(testsModule) || !fs.existsSync(path.join(repo, 'dist', 'extension.js'))) {
    console.error(`${LABEL}: build first: node esbuild.js && node esbuild.js --tests`);
    return 1;
  }
  const install = await ensureCodeServer();
  const deadline = Date.now() + envInt('PTE_TEST_TIMEOUT_MS', 300_000);
  const runDir = makeRunDir(LABEL);
  const logsDir = ensureDir(runDir, 'logs');
  const userDataDir = ensureDir(runDir, 'user-data');
  const extensionsDir = ensureDir(runDir, 'extensions');
  const workspace = ensureDir(runDir, 'workspace');
  const profile = ensureDir(runDir, 'chromium-profile');
  let keep = process.env.PTE_KEEP_TMP === '1';
  onCleanup(() => {
    if (!keep) for (const d of [userDataDir, extensionsDir, workspace, profile]) fs.rmSync(d, { recursive: true, force: true });
  });
  log(`run folder ${runDir}`);

  const sandbox = await startSandbox();
  onCleanup(() => sandbox.close());
  // GET /stats: the counters; POST /stats: reset them; POST /ttl?seconds=N: the lifetime of the next access tokens.
  const statsServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/ttl') sandbox.setAccessTokenTtl(Number(url.searchParams.get('seconds')));
    else if (req.method === 'POST') sandbox.resetStats();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sandbox.stats()));
  });
  await new Promise<void>((r) => statsServer.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => statsServer.close(() => r())));
  const sandboxInfo = {
    url: sandbox.url,
    envId: sandbox.envId,
    authBase: sandbox.pingone.authBase,
    statsUrl: `http://127.0.0.1:${(statsServer.address() as AddressInfo).port}/stats`,
    clients: { worker: sandbox.clients.worker, web: sandbox.clients.web },
  };

  const memoFile = path.join(runDir, 'memo.json');
  // The same origin in both sessions: the web workbench keeps extension state in the browser profile, per origin.
  const port = await freeLoopbackPort();
  let passed = 0;
  let failed = 0;
  for (const phase of ['store', 'restarted']) {
    const resultsFile = path.join(logsDir, `results-${phase}.json`);
    // Between the sessions the person turns auto-refresh on. (The first session's settings stay
    // in the user-data folder, so the seed below is not written again.)
    if (phase === 'restarted') changeUserSettings(userDataDir, { 'pingone.autoRefresh.enabled': true });
    const server = await startCodeServer({
      install,
      userDataDir,
      extensionsDir,
      logFile: path.join(logsDir, `code-server-${phase}.log`),
      extraArgs: ['--bind-addr', `127.0.0.1:${port}`],
      // The suite reads tokens through the public API, which asks for consent by default. Auto-refresh
      // is off in the first session (a set opted in then waits for the setting, as the product says)
      // and on after the restart, so that nothing refreshes the short-lived set before the restart.
      settings: { 'pingone.api.tokenAccess': 'allow', 'pingone.autoRefresh.enabled': false },
      env: {
        PTE_TEST_RESULTS: resultsFile,
        PTE_RESTART_PHASE: phase,
        PTE_RESTART_SANDBOX: JSON.stringify(sandboxInfo),
        PTE_RESTART_MEMO: memoFile,
      },
    });
    const browser = await launchBrowser({ userDataDir: profile });
    try {
      await openWorkbench(browser.page, workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: repo, extensionTestsPath: testsModule }), {
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
      log(`${phase}: workbench open; waiting for results`);
      const done = () => fs.existsSync(resultsFile) || (!server.running ? Promise.reject(new Error('code-server exited')) : undefined);
      await waitFor(`the ${phase} session's results`, done, {
        timeoutMs: Math.max(1, deadline - Date.now()),
        intervalMs: 200,
      });
      // The web workbench writes globalState into the browser's IndexedDB after a delay, and a write
      // made just before the page closes can be lost there (code-server's, not the extension's).
      // Before the first session closes, wait until the token sets it stored are in that database.
      if (phase === 'store' && fs.existsSync(memoFile)) {
        const memo = JSON.parse(fs.readFileSync(memoFile, 'utf8')) as Record<string, unknown>;
        const ids = ['cc', 'signedIn', 'auto'].map((k) => String(memo[k]));
        await waitFor(
          "the first session's token sets in the browser's storage",
          async () => {
            const stored = (await storedGlobalState(browser.page, EXTENSION_ID)) ?? '';
            return ids.every((id) => stored.includes(id)) || undefined;
          },
          { timeoutMs: 15_000, intervalMs: 200 },
        );
      }
      const summary = reportResults(`${LABEL} (${phase})`, readResults(resultsFile));
      passed += summary.passed;
      failed += summary.exitCode ? Math.max(1, summary.failed) : 0;
    } catch (err) {
      failed++;
      keep = true;
      console.error(`${LABEL} (${phase}): ${err instanceof Error ? err.message : String(err)}`);
      console.error(tailFile(`${resultsFile}.progress`, 30));
    } finally {
      fs.writeFileSync(path.join(logsDir, `browser-console-${phase}.log`), browser.consoleMessages.join('\n') + '\n');
      await browser.close();
      await server.stop();
    }
    if (failed) break;
  }
  keep ||= failed > 0;
  console.log(`${LABEL}: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

runLauncher(LABEL, main);

/** An extension's globalState as the web workbench last wrote it to the browser's IndexedDB (a JSON string), or undefined. */
function storedGlobalState(page: Page, extensionId: string): Promise<string | undefined> {
  return page.evaluate(
    (key) =>
      new Promise<string | undefined>((resolve) => {
        const open = indexedDB.open('vscode-web-state-db-global');
        open.onerror = () => resolve(undefined);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const get = db.transaction('ItemTable', 'readonly').objectStore('ItemTable').get(key);
            get.onsuccess = () => {
              const v: unknown = get.result;
              resolve(typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined);
              db.close();
            };
            get.onerror = () => (resolve(undefined), db.close());
          } catch {
            resolve(undefined);
            db.close();
          }
        };
      }),
    extensionId,
  );
}
