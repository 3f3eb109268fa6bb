// The code-server part of the benchmark: one code-server and one headless Chromium for the whole
// run; each measurement is a fresh workbench window (a fresh extension host) whose tests module is
// out/test/bench/inHost.js, told what to do through a session file in the folder it opens.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../../host/lib/browser';
import { onCleanup } from '../../host/lib/cleanup';
import { startCodeServer, workbenchUrl, type CodeServer, type CodeServerInstall } from '../../host/lib/codeServer';
import { ensureDir } from '../../host/lib/paths';
import { tailFile, waitFor } from '../../host/lib/proc';
import { SESSION_FILE, type IdleFinal, type SessionConfig, type SessionResult, type Step } from './session';

export const OURS_ID = 'pingone-tools.pingone-token-explorer';
export const EMPTY_ID = 'pte-bench.empty-extension';

export interface ExtensionUnderTest {
  id: string;
  dir: string;
  main: string;
}

/** A copy of what the VSIX ships (per .vscodeignore), so a rebuild of dist/ meanwhile changes nothing. */
export function copyOurs(repo: string, dest: string): ExtensionUnderTest {
  const files = ['package.json'];
  const add = (dir: string, re: RegExp) => {
    const abs = path.join(repo, dir);
    if (fs.existsSync(abs)) for (const f of fs.readdirSync(abs)) if (re.test(f)) files.push(`${dir}/${f}`);
  };
  add('dist', /\.js$/); // main.js (the entry), extension.js (activation) and features.js (loaded on first use)
  add('dist/webview', /\.js$/);
  add('dist/vendor', /\.m?js$/);
  add('media', /\.(svg|css|png)$/);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(repo, f), path.join(dest, f));
  }
  return { id: OURS_ID, dir: dest, main: path.join(dest, 'dist', 'main.js') };
}

/** The baseline: an extension whose activate() returns {} and that contributes nothing. */
export function makeEmpty(dest: string): ExtensionUnderTest {
  fs.mkdirSync(dest, { recursive: true });
  fs.writeFileSync(
    path.join(dest, 'package.json'),
    JSON.stringify(
      {
        name: 'empty-extension',
        publisher: 'pte-bench',
        version: '0.0.1',
        engines: { vscode: '^1.100.0' },
        main: './main.js',
        activationEvents: [],
        contributes: {},
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(dest, 'main.js'), "'use strict';\nexports.activate = function () { return {}; };\nexports.deactivate = function () {};\n");
  return { id: EMPTY_ID, dir: dest, main: path.join(dest, 'main.js') };
}

export interface Host {
  server: CodeServer;
  browser: BrowserSession;
  /** Runs one session to its results file; the page stays open only with `keepOpen`. */
  session(label: string, ext: ExtensionUnderTest, steps: Step[], extra?: Partial<SessionConfig>, keepOpen?: boolean): Promise<OpenSession>;
}

export interface OpenSession {
  result: SessionResult;
  page: Page;
  config: SessionConfig;
}

export async function startHost(opts: { install: CodeServerInstall; runDir: string; testsModule: string; log: (s: string) => void }): Promise<Host> {
  const logs = ensureDir(opts.runDir, 'logs');
  const server = await startCodeServer({
    install: opts.install,
    userDataDir: ensureDir(opts.runDir, 'user-data'),
    extensionsDir: ensureDir(opts.runDir, 'extensions'),
    logFile: path.join(logs, 'code-server.log'),
    // Built-in git would scan every opened folder in both the measured and the baseline hosts.
    settings: { 'git.enabled': false, 'git.autoRepositoryDetection': false, 'pingone.api.tokenAccess': 'allow' },
    log: (l) => opts.log(`code-server ${l}`),
  });
  onCleanup(() => server.stop());
  const browser = await launchBrowser();
  onCleanup(async () => {
    fs.writeFileSync(path.join(logs, 'browser-console.log'), browser.consoleMessages.join('\n') + '\n');
    await browser.close();
  });

  const session: Host['session'] = async (label, ext, steps, extra = {}, keepOpen = false) => {
    const folder = ensureDir(opts.runDir, 'sessions', label);
    const config: SessionConfig = {
      label,
      steps,
      extensionId: ext.id,
      mainPath: ext.main,
      resultsFile: path.join(folder, 'results.json'),
      ...extra,
    };
    fs.writeFileSync(path.join(folder, SESSION_FILE), JSON.stringify(config, null, 2));
    const logOffset = logSize(server.logFile);
    const page = await browser.context.newPage();
    const url = workbenchUrl(server, { folder, extensionDevelopmentPath: ext.dir, extensionTestsPath: opts.testsModule });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    try {
      await waitFor(
        `results of session ${label}`,
        () => {
          if (!server.running) throw new Error('code-server exited');
          if (page.isClosed()) throw new Error('the workbench page closed');
          if (fs.existsSync(config.resultsFile)) return true;
          // An extension host that ended without results (e.g. the module failed to load).
          if (hostExitedSince(server.logFile, logOffset) && !fs.existsSync(config.resultsFile)) {
            throw new Error('an extension host exited before writing results');
          }
          return false;
        },
        { timeoutMs: 120_000, intervalMs: 50 },
      );
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\ncode-server log tail:\n${tailFile(server.logFile, 20)}\nbrowser:\n${browser.consoleMessages.slice(-10).join('\n').slice(0, 4000)}`,
      );
    }
    const result = JSON.parse(fs.readFileSync(config.resultsFile, 'utf8')) as SessionResult;
    if (result.error) throw new Error(`session ${label} failed inside the extension host:\n${result.error}`);
    if (!keepOpen) {
      await page.close();
      // VS Code stops the host once run() resolves; the next window starts on a quiet machine.
      // Now and then code-server keeps a host whose page closed for its reconnection grace time:
      // the measurement is in hand, so that host is stopped rather than the whole run.
      const exited = await waitFor(`extension host ${result.pid} to exit`, () => processGone(result.pid), { timeoutMs: 20_000, intervalMs: 50 }).then(
        () => true,
        () => false,
      );
      if (!exited) {
        opts.log(`extension host ${result.pid} of ${label} still running 20 s after its page closed: stopping it`);
        try {
          process.kill(result.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        await waitFor(`extension host ${result.pid} to stop`, () => processGone(result.pid), { timeoutMs: 5_000, intervalMs: 50 });
      }
    }
    return { result, page, config };
  };
  return { server, browser, session };
}

function logSize(logFile: string): number {
  try {
    return fs.statSync(logFile).size;
  } catch {
    return 0;
  }
}

/** Whether an extension host launched after `offset` in code-server's log has exited again. */
function hostExitedSince(logFile: string, offset: number): boolean {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8').slice(offset);
  } catch {
    return false;
  }
  const launched = [...text.matchAll(/<(\d+)> Launched Extension Host Process/g)].map((m) => m[1]);
  return launched.some((pid) => text.includes(`<${pid}> Extension Host Process exited`));
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** utime + stime of a process in milliseconds, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / clockTicks();
}

/** CPU time per thread name (main thread, V8 workers, libuv pool…) of a process, ms. */
export function cpuByThread(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = tid === String(pid) ? `main (${name})` : name;
      out[key] = (out[key] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

function diff(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    // CLK_TCK is 100 on every Linux this runs on; getconf would say so too.
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface IdleFigures {
  windowMs: number;
  ours: { cpuMs: number; threads: Record<string, number>; final: IdleFinal; tokenSets: number; visibleRows: number; pageVisibility: string };
  empty: { cpuMs: number; threads: Record<string, number>; final: IdleFinal; pageVisibility: string };
}

/**
 * Ours (token sets seeded, PingOne view open, no inspector) and the empty extension side by side,
 * each in its own extension host; CPU time of each host over the same window.
 */
export async function measureIdle(
  host: Host,
  runDir: string,
  ours: ExtensionUnderTest,
  empty: ExtensionUnderTest,
  opts: { seconds: number; seed: NonNullable<SessionConfig['seed']>; log: (s: string) => void },
): Promise<IdleFigures> {
  const files = (label: string) => {
    const dir = ensureDir(runDir, 'sessions', label);
    return { stopFile: path.join(dir, 'stop.json'), finalFile: path.join(dir, 'final.json') };
  };
  const oursFiles = files('idle-ours');
  const emptyFiles = files('idle-empty');
  const [o, e] = await Promise.all([
    host.session('idle-ours', ours, ['activate', 'seed', 'openView', 'idle'], { ...oursFiles, seed: opts.seed }, true),
    host.session('idle-empty', empty, ['activate', 'idle'], emptyFiles, true),
  ]);
  // The PingOne view is open and shows the seeded token sets before the window starts.
  const rows = o.page.locator('.monaco-list-row', { hasText: 'Client credentials' });
  await waitFor('the PingOne view to show the seeded token sets', async () => (await rows.count()) >= (opts.seed.tokenSets > 0 ? 1 : 0), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  const visibleRows = await rows.count();
  const visibility = async (p: Page) => p.evaluate(() => document.visibilityState).catch(() => 'unknown');
  const startMs = Date.now();
  const before = { ours: cpuTimeMs(o.result.pid), empty: cpuTimeMs(e.result.pid) };
  const threadsBefore = { ours: cpuByThread(o.result.pid), empty: cpuByThread(e.result.pid) };
  opts.log(`idle window: ${opts.seconds} s (extension hosts pid ${o.result.pid} and ${e.result.pid})`);
  await new Promise((r) => setTimeout(r, opts.seconds * 1000)); // the measurement window itself
  const after = { ours: cpuTimeMs(o.result.pid), empty: cpuTimeMs(e.result.pid) };
  const threads = { ours: diff(cpuByThread(o.result.pid), threadsBefore.ours), empty: diff(cpuByThread(e.result.pid), threadsBefore.empty) };
  const endMs = Date.now();
  const pageVisibility = { ours: await visibility(o.page), empty: await visibility(e.page) };
  for (const f of [oursFiles, emptyFiles]) {
    // Atomically: the in-host module reacts as soon as the name appears.
    fs.writeFileSync(`${f.stopFile}.partial`, JSON.stringify({ startMs, endMs }));
    fs.renameSync(`${f.stopFile}.partial`, f.stopFile);
  }
  const final = async (f: { finalFile: string }) => {
    await waitFor('idle results', () => fs.existsSync(f.finalFile), { timeoutMs: 30_000, intervalMs: 50 });
    return JSON.parse(fs.readFileSync(f.finalFile, 'utf8')) as IdleFinal;
  };
  const result: IdleFigures = {
    windowMs: endMs - startMs,
    ours: {
      cpuMs: after.ours - before.ours,
      threads: threads.ours,
      final: await final(oursFiles),
      tokenSets: o.result.seeded?.tokenSets ?? 0,
      visibleRows,
      pageVisibility: pageVisibility.ours,
    },
    empty: { cpuMs: after.empty - before.empty, threads: threads.empty, final: await final(emptyFiles), pageVisibility: pageVisibility.empty },
  };
  await o.page.close();
  await e.page.close();
  return result;
}
