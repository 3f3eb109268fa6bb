// Runs the UI end-to-end suite (out/test/e2e/**/*.test.js) with mocha in this process. The
// workbench tests drive code-server (a real VS Code) through headless Chromium, with the packaged
// VSIX installed (not the development path) and the sandbox's environments seeded; standalone
// browser tests (inspector-dom.test.js) run in the same mocha run.
//
//   node esbuild.js --tests && node out/test/host/e2e.js
//
// Steps: the production build and the VSIX (like `npm run package`, into the run's temp folder),
// code-server (installed into .vscode-test on first use), fresh user-data/extensions/workspace
// folders, the VSIX installed there, the sandbox started in this process, the seed extension written
// (see test/e2e/stack.ts), the consumer fixture (test/fixtures/consumer-extension) packaged and
// installed the same way, code-server started on 127.0.0.1, then mocha. The tests get the
// workbench URL, the sandbox and where to put screenshots from a JSON file named by
// PTE_E2E_CONTEXT (test/e2e/context.ts).
//
// Environment:
//   PTE_UPDATE_SCREENSHOTS=1  write media/screenshot-*.png (to commit) instead of the temp folder
//   PTE_TEST_GREP             only tests whose full title matches (mocha --grep syntax)
//   PTE_TEST_TIMEOUT_MS       bound on the mocha run (default 600000)
//   PTE_KEEP_TMP=1            keep the run's temp folder even when everything passed
//   PTE_HOST_CACHE            where code-server is installed (default <repo>/.vscode-test)
// Exit code: 0 all passed; 1 failures, no tests, time-out or setup error; 130/143 on signals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { startSandbox, type Sandbox } from '../sandbox/index';
import { CONTEXT_ENV, writeContext, type E2eContext } from '../e2e/context';
import { WORKBENCH_SETTINGS, packageConsumerExtension, packageVsix, sandboxHost, sandboxInfo, seedPlan, writeSeedExtension } from '../e2e/stack';
import { exitOnSignals, onCleanup, runCleanups } from './lib/cleanup';
import { ensureCodeServer, installVsix, startCodeServer, workbenchUrl, type CodeServer } from './lib/codeServer';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';
import { envInt, indent, tailFile } from './lib/proc';
import { readResults, reportResults } from './lib/results';
import { runLauncher } from './lib/launcher';

const LABEL = 'e2e';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Every *.test.js under dir, sorted so runs are repeatable. */
function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.test.js'))
    .sort();
}

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  const started = Date.now();
  const repo = repoRoot();
  const testsDir = path.join(repo, 'out', 'test', 'e2e');
  const files = testFiles(testsDir);
  if (files.length === 0) {
    console.error(`${LABEL}: no tests in ${path.relative(repo, testsDir)}; build first: node esbuild.js --tests`);
    return 1;
  }

  const runDir = makeRunDir(LABEL);
  const logsDir = ensureDir(runDir, 'logs');
  const userDataDir = ensureDir(runDir, 'user-data');
  const extensionsDir = ensureDir(runDir, 'extensions');
  const workspace = ensureDir(runDir, 'workspace');
  const update = process.env.PTE_UPDATE_SCREENSHOTS === '1';
  const screenshotsDir = update ? path.join(repo, 'media') : path.join(runDir, 'screenshots');
  let keep = process.env.PTE_KEEP_TMP === '1';
  log(`run folder ${runDir}`);

  let sandbox: Sandbox | undefined;
  let server: CodeServer | undefined;
  onCleanup(() => {
    if (keep) return;
    // After a clean run only the logs, results and screenshots are worth keeping.
    const worth = new Set(['logs', 'screenshots', 'context.json']);
    for (const entry of fs.readdirSync(runDir)) {
      if (!worth.has(entry)) fs.rmSync(path.join(runDir, entry), { recursive: true, force: true });
    }
  });
  onCleanup(() => sandbox?.close());
  onCleanup(() => server?.stop());

  let finish: () => number;
  try {
    // The VSIX, built as `npm run package` builds it, but into the temp folder.
    const vsix = path.join(runDir, 'pingone-token-explorer.vsix');
    packageVsix(repo, vsix, log);
    const install = await ensureCodeServer();
    sandbox = await startSandbox({ host: await sandboxHost() });
    log(`sandbox on ${sandbox.url}`);
    await installVsix(vsix, extensionsDir, { userDataDir, install, log });
    // Another extension that gets a session through vscode.authentication (test/e2e/tokenUse.test.ts).
    const consumer = path.join(runDir, 'pingone-consumer.vsix');
    packageConsumerExtension(repo, consumer, log);
    await installVsix(consumer, extensionsDir, { userDataDir, install, log });
    const info = sandboxInfo(sandbox);
    writeSeedExtension(extensionsDir, seedPlan(info));
    server = await startCodeServer({
      install,
      userDataDir,
      extensionsDir,
      folder: workspace,
      logFile: path.join(logsDir, 'code-server.log'),
      settings: { ...WORKBENCH_SETTINGS },
      log,
    });

    const contextFile = path.join(runDir, 'context.json');
    const context: E2eContext = {
      codeServerUrl: server.url,
      workbenchUrl: workbenchUrl(server, { folder: workspace }),
      workspace,
      userDataDir,
      codeServerLog: server.logFile,
      runDir,
      screenshotsDir,
      updateScreenshots: update,
      repo,
      sandbox: info,
    };
    writeContext(contextFile, context);
    process.env[CONTEXT_ENV] = contextFile;
    log(`ready after ${seconds(started)}; running ${files.length} test file(s)`);

    const resultsFile = path.join(logsDir, 'results.json');
    const run = await runMocha(files, resultsFile, envInt('PTE_TEST_TIMEOUT_MS', 600_000));
    const results = readResults(resultsFile);
    keep ||= run.failures > 0 || results.stats.failures > 0 || run.timedOut;
    if (update) log(`screenshots written to ${path.relative(repo, screenshotsDir)}/`);
    log(`finished after ${seconds(started)}`);
    finish = () => {
      if (run.timedOut) {
        console.log(`${LABEL}: ${results.stats.passes} passed, ${results.stats.failures + 1} failed (timed out)`);
        return 1;
      }
      return reportResults(LABEL, results).exitCode;
    };
  } catch (err) {
    keep = true;
    console.error(`\n${LABEL}: ERROR: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (server) console.error(`\n--- code-server log tail (${server.logFile}) ---\n${tailFile(server.logFile, 30)}`);
    finish = () => {
      console.log(`${LABEL}: 0 passed, 1 failed (error)`);
      return 1;
    };
  }
  await runCleanups();
  console.log(
    keep
      ? `[${LABEL}] kept ${runDir}: logs in ${logsDir}, extension host logs in ${path.join(userDataDir, 'logs')}`
      : `[${LABEL}] logs${update ? '' : ' and screenshots'} in ${runDir}`,
  );
  return finish();
}

/**
 * Runs mocha on `files` in this process: one progress line per test, JSON results into
 * `resultsFile` (what reportResults reads). Resolves with the failure count; a run that exceeds
 * `timeoutMs` is aborted after the running test and marked as timed out.
 */
function runMocha(files: string[], resultsFile: string, timeoutMs: number): Promise<{ failures: number; timedOut: boolean }> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: 'json',
    reporterOptions: { output: resultsFile },
  });
  if (process.env.PTE_TEST_GREP) mocha.grep(process.env.PTE_TEST_GREP);
  files.forEach((f) => mocha.addFile(f));
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_SUITE_BEGIN } = Mocha.Runner.constants;
    const progress = (line: string) => console.log(indent(line, '  '));
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        clearTimeout(timer);
        resolve({ failures, timedOut });
      });
    } catch (err) {
      reject(err);
      return;
    }
    runner.on(EVENT_SUITE_BEGIN, (s) => {
      if (s.title && s.parent?.root) progress(`${s.title}`);
    });
    runner.on(EVENT_TEST_PASS, (t) => progress(`ok   ${t.title} (${t.duration ?? 0} ms)`));
    runner.on(EVENT_TEST_FAIL, (t, err) => progress(`FAIL ${t.title}: ${String(err?.message ?? err).split('\n')[0]}`));
    runner.on(EVENT_TEST_PENDING, (t) => progress(`skip ${t.title}`));
    timer = setTimeout(() => {
      timedOut = true;
      console.error(`${LABEL}: the tests did not finish within ${Math.round(timeoutMs / 1000)} s; aborting`);
      runner.abort();
      // abort() stops after the running test; if that one hangs, give up on mocha.
      setTimeout(() => reject(new Error(`mocha did not finish within ${Math.round(timeoutMs / 1000)} s`)), 30_000).unref();
    }, timeoutMs);
  });
}

runLauncher(LABEL, main);
