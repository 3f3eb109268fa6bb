// Runs the integration suite (out/test/integration/**/*.test.js) inside a real VS Code extension
// host: code-server on a loopback port, opened by headless Chromium with the extension in
// development mode and test/integration/index.ts as the tests module.
//
//   node esbuild.js && node esbuild.js --tests && node out/test/host/integration.js
//
// Environment:
//   PTE_TEST_GREP        only tests whose full title matches (mocha --grep syntax)
//   PTE_TEST_TIMEOUT_MS  overall bound once code-server is installed (default 300000)
//   PTE_KEEP_TMP=1       keep the run's temp folder even when everything passed
//   PTE_HOST_CACHE       where code-server is installed (default <repo>/.vscode-test)
//   PTE_*                every PTE_ variable reaches the extension host (and so the tests)
// Exit code: 0 all passed; 1 failures, no tests, time-out or setup error; 130/143 on signals.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, openWorkbench, type BrowserSession } from './lib/browser';
import { exitOnSignals, onCleanup, runCleanups } from './lib/cleanup';
import { ensureCodeServer, startCodeServer, workbenchUrl, type CodeServer } from './lib/codeServer';
import { ensureDir, makeRunDir, repoRoot } from './lib/paths';
import { envInt, indent, tailFile, TimeoutError } from './lib/proc';
import { readResults, reportResults } from './lib/results';
import { runLauncher } from './lib/launcher';

const LABEL = 'integration';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  const repo = repoRoot();
  const testsModule = path.join(repo, 'out', 'test', 'integration', 'index.js');
  const extensionMain = path.join(repo, 'dist', 'extension.js');
  for (const [file, build] of [
    [testsModule, 'node esbuild.js --tests'],
    [extensionMain, 'node esbuild.js'],
  ]) {
    if (!fs.existsSync(file)) {
      console.error(`${LABEL}: ${path.relative(repo, file)} is missing; build first: ${build}`);
      return 1;
    }
  }

  warnAboutStaleTests(repo);

  const install = await ensureCodeServer();
  const timeoutMs = envInt('PTE_TEST_TIMEOUT_MS', 300_000);
  const deadline = Date.now() + timeoutMs;
  const started = Date.now();

  const runDir = makeRunDir(LABEL);
  const logsDir = ensureDir(runDir, 'logs');
  const userDataDir = ensureDir(runDir, 'user-data');
  const extensionsDir = ensureDir(runDir, 'extensions');
  const workspace = ensureDir(runDir, 'workspace');
  const resultsFile = path.join(logsDir, 'results.json');
  const progressFile = `${resultsFile}.progress`;
  const consoleFile = path.join(logsDir, 'browser-console.log');
  let keep = process.env.PTE_KEEP_TMP === '1';
  log(`run folder ${runDir}`);

  let server: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  onCleanup(() => {
    if (!keep) {
      // Only the logs are worth keeping after a clean run.
      for (const d of [userDataDir, extensionsDir, workspace]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
  onCleanup(() => server?.stop());
  onCleanup(async () => {
    if (browser) fs.writeFileSync(consoleFile, browser.consoleMessages.join('\n') + '\n');
    await browser?.close();
  });

  const remaining = () => Math.max(1, deadline - Date.now());
  // What to print last: the failures and the summary line, after everything is cleaned up.
  let finish: () => number;
  try {
    server = await startCodeServer({
      install,
      userDataDir,
      extensionsDir,
      logFile: path.join(logsDir, 'code-server.log'),
      // PTE_TEST_LOGS: where the host writes its log files, which the redaction test reads back.
      env: { PTE_TEST_RESULTS: resultsFile, PTE_TEST_GREP: process.env.PTE_TEST_GREP, PTE_TEST_LOGS: path.join(userDataDir, 'logs') },
      // The suites use the API as a trusted caller; test/integration/security.test.ts switches it back to ask and deny.
      settings: { 'pingone.api.tokenAccess': 'allow' },
      readyTimeoutMs: Math.min(60_000, remaining()),
    });
    browser = await launchBrowser();
    const url = workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: repo,
      extensionTestsPath: testsModule,
    });
    await openWorkbench(browser.page, url, { timeoutMs: remaining() });
    log(`workbench open after ${seconds(started)}; waiting for results`);

    await waitForResults(resultsFile, progressFile, server, browser, remaining());
    const results = readResults(resultsFile);
    log(`finished after ${seconds(started)}`);
    finish = () => reportResults(LABEL, results).exitCode;
    keep ||= results.stats.failures > 0;
  } catch (err) {
    keep = true;
    const timedOut = err instanceof TimeoutError;
    const why = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : 'error';
    console.error(`\n${LABEL}: ${timedOut ? 'TIMED OUT' : 'ERROR'}: ${err instanceof Error ? err.message : String(err)}`);
    diagnose(runDir, server, browser, progressFile);
    // Tests that finished before things went wrong still count; the run itself is one failure.
    const progress = tailFile(progressFile, 100000);
    const passed = (progress.match(/^ok {3}/gm) ?? []).length;
    const failed = (progress.match(/^FAIL /gm) ?? []).length + 1;
    finish = () => {
      console.log(`${LABEL}: ${passed} passed, ${failed} failed (${why})`);
      return 1;
    };
  }
  await runCleanups();
  console.log(keep ? `[${LABEL}] kept ${runDir}: logs in ${logsDir}, extension host logs in ${path.join(userDataDir, 'logs')}` : `[${LABEL}] logs in ${logsDir}`);
  return finish();
}

/** The runner runs every built *.test.js; say so when one has no source any more (esbuild never cleans out/). */
function warnAboutStaleTests(repo: string): void {
  const outDir = path.join(repo, 'out', 'test', 'integration');
  const stale = findFiles(outDir, /\.test\.js$/)
    .map((f) => path.relative(outDir, f))
    .filter((rel) => !fs.existsSync(path.join(repo, 'test', 'integration', rel.replace(/\.js$/, '.ts'))));
  if (stale.length > 0) {
    console.warn(`[${LABEL}] warning: built tests without a source (they will run anyway; delete out/ and rebuild): ${stale.join(', ')}`);
  }
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * Waits until the runner has renamed its results file into place, echoing its progress lines
 * as tests finish. Fails early when code-server or the page dies.
 */
async function waitForResults(resultsFile: string, progressFile: string, server: CodeServer, browser: BrowserSession, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let shown = 0;
  const echoProgress = () => {
    let text = '';
    try {
      text = fs.readFileSync(progressFile, 'utf8');
    } catch {
      return;
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length > shown) {
      process.stdout.write(indent(complete.slice(shown).replace(/\n$/, ''), '  ') + '\n');
      shown = complete.length;
    }
  };
  for (;;) {
    echoProgress();
    if (fs.existsSync(resultsFile)) {
      echoProgress();
      return;
    }
    if (!server.running) throw new Error('code-server exited before the tests finished');
    if (browser.page.isClosed()) throw new Error('the workbench page closed before the tests finished');
    if (browser.consoleMessages.some((m) => m.startsWith('[crash]'))) throw new Error('the workbench page crashed');
    if (Date.now() >= deadline) throw new TimeoutError(`timed out waiting for ${resultsFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Prints what helps find out why no results came back. */
function diagnose(runDir: string, server: CodeServer | undefined, browser: BrowserSession | undefined, progressFile: string): void {
  const section = (title: string, body: string) => console.error(`\n--- ${title} ---\n${body.trim() ? body.replace(/\s+$/, '') : '(empty)'}`);
  section(`runner progress (${progressFile})`, tailFile(progressFile, 30) || '(the tests module never started: check the extension host log)');
  if (server) section(`code-server log tail (${server.logFile})`, tailFile(server.logFile, 40));
  const exthostLogs = findFiles(path.join(runDir, 'user-data', 'logs'), /exthost.*\.log$|remoteexthost\.log$/);
  for (const f of exthostLogs.slice(0, 2)) section(`extension host log tail (${f})`, tailFile(f, 40));
  if (browser) section('browser console errors/warnings', browser.consoleMessages.slice(-40).join('\n'));
}

function findFiles(dir: string, pattern: RegExp): string[] {
  try {
    return fs
      .readdirSync(dir, { recursive: true })
      .map((f) => path.join(dir, String(f)))
      .filter((f) => pattern.test(path.basename(f)));
  } catch {
    return [];
  }
}

runLauncher(LABEL, main);
