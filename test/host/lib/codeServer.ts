// code-server as a real VS Code extension host for tests and demos (see
// docs: testing-in-real-vscode.md). Installs it into an ignored cache folder, starts it on a
// loopback port chosen by the OS, and stops its whole process group.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './paths';
import { indent, run, runChecked, tailFile, TimeoutError, waitFor } from './proc';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_PACKAGE_VERSION = '1.15.11'; // @vscode/ripgrep, a dependency of code-server
const RIPGREP_VERSION = 'v13.0.0-10';
const STAMP = '.pte-install-complete';

/** Printed progress. Launchers may pass their own (e.g. to prefix or silence lines). */
export type Logger = (line: string) => void;
const defaultLog: Logger = (line) => console.log(`[code-server] ${line}`);

/** The machine lacks something that only an administrator can fix; the message says what. */
export class HostSetupError extends Error {
  override name = 'HostSetupError';
}

export interface CodeServerInstall {
  /** The install folder, e.g. <repo>/.vscode-test/code-server-4.100.3 */
  dir: string;
  /** code-server's entry script; run it with Node 20: `node <entry> …` */
  entry: string;
  version: string;
}

/**
 * The cache folder that holds code-server installs: `$PTE_HOST_CACHE` or `<repo>/.vscode-test`
 * (ignored by git, the folder @vscode/test-electron also uses).
 */
export function cacheRoot(): string {
  return process.env.PTE_HOST_CACHE ? path.resolve(process.env.PTE_HOST_CACHE) : path.join(repoRoot(), '.vscode-test');
}

function installLayout(dir: string) {
  const pkg = path.join(dir, 'node_modules', 'code-server');
  return {
    pkg,
    entry: path.join(pkg, 'out', 'node', 'entry.js'),
    // Files that only exist once every postinstall step has finished (node-pty built, ripgrep
    // placed, VS Code's and its extensions' dependencies installed, asar symlink made).
    markers: [
      path.join(pkg, 'lib', 'vscode', 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
      path.join(pkg, 'lib', 'vscode', 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
      path.join(pkg, 'lib', 'vscode', 'node_modules.asar'),
      path.join(pkg, 'lib', 'vscode', 'extensions', 'node_modules'),
    ],
  };
}

interface Stamp {
  version: string;
  /** Node's ABI version: native modules built for another one would not load. */
  modules: string;
  installedAt: string;
}

function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

function writeStamp(dir: string): void {
  const stamp: Stamp = { version: CODE_SERVER_VERSION, modules: process.versions.modules, installedAt: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, STAMP), JSON.stringify(stamp, null, 2) + '\n');
}

/** Whether `dir` holds a complete code-server install of our version, built for this Node. */
function looksComplete(dir: string): boolean {
  const layout = installLayout(dir);
  if (!fs.existsSync(layout.entry) || !layout.markers.every((m) => fs.existsSync(m))) return false;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(layout.pkg, 'package.json'), 'utf8'));
    return pkg.version === CODE_SERVER_VERSION;
  } catch {
    return false;
  }
}

/**
 * Makes sure code-server@4.100.3 is installed under `<root>/code-server-4.100.3` and returns
 * where. Idempotent and cheap when already installed. The first time it takes about a minute:
 * Debian packages (chromium, libkrb5-dev, ripgrep; root only, else a HostSetupError naming the
 * command), a cached ripgrep archive so @vscode/ripgrep does not download from GitHub, then
 * `npm install` into a staging folder that is renamed into place and stamped when complete, so an
 * interrupted install is redone rather than used.
 */
export async function ensureCodeServer(options: { root?: string; log?: Logger } = {}): Promise<CodeServerInstall> {
  const log = options.log ?? defaultLog;
  const root = options.root ?? cacheRoot();
  const dir = path.join(root, `code-server-${CODE_SERVER_VERSION}`);
  const result = (): CodeServerInstall => ({ dir, entry: installLayout(dir).entry, version: CODE_SERVER_VERSION });

  await ensureDebianPackages(['chromium'], log);

  const stamp = readStamp(dir);
  if (stamp && stamp.version === CODE_SERVER_VERSION && stamp.modules === process.versions.modules && looksComplete(dir)) {
    return result();
  }
  if (!stamp && looksComplete(dir)) {
    // Installed by hand (or by an older launcher) and complete: adopt it.
    log(`found a complete install in ${dir} without a stamp; adopting it`);
    writeStamp(dir);
    return result();
  }

  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (first time only: about a minute, ~280 MB)`);
  await ensureDebianPackages(['chromium', 'libkrb5-dev', 'ripgrep'], log);
  ensureRipgrepCache(log);

  fs.mkdirSync(root, { recursive: true });
  removeAbandonedStaging(root, path.basename(dir));
  const staging = `${dir}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify(
      {
        name: 'pte-code-server-host',
        private: true,
        description: 'code-server test host (generated)',
        // Install scripts this install approves (npm 12 runs only approved ones): code-server's
        // postinstall and argon2's native build. The postinstall's own nested install (lib/vscode)
        // follows code-server's package.json, not this one.
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    ) + '\n',
  );
  const installLog = path.join(staging, 'npm-install.log');
  log(`npm install code-server@${CODE_SERVER_VERSION} (output: ${installLog})`);
  const npm = await run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--save-exact', '--unsafe-perm', '--no-audit', '--no-fund'], {
    cwd: staging,
    env: npmEnv(),
  });
  fs.writeFileSync(installLog, npm.output);
  if (npm.code !== 0 || !looksComplete(staging)) {
    const why = npm.code !== 0 ? `npm exited with ${npm.signal ?? npm.code}` : 'npm finished but the install is incomplete';
    throw new Error(`code-server install failed: ${why}. Last lines of ${installLog}:\n${indent(tailFile(installLog, 40))}`);
  }
  writeStamp(staging);

  // Swap the finished install into place (replacing a half-finished or outdated one). A
  // concurrent installer that got there first wins; ours is then discarded.
  if (fs.existsSync(dir)) {
    if (readStamp(dir)?.version === CODE_SERVER_VERSION && looksComplete(dir) && readStamp(dir)?.modules === process.versions.modules) {
      fs.rmSync(staging, { recursive: true, force: true });
      return result();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.renameSync(staging, dir);
  log(`installed code-server ${CODE_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
  return result();
}

/** Removes `<name>.partial-<pid>` folders left by installs whose process is gone. */
function removeAbandonedStaging(root: string, name: string): void {
  for (const entry of fs.readdirSync(root)) {
    const prefix = `${name}.partial-`;
    const pid = entry.startsWith(prefix) ? Number(entry.slice(prefix.length)) : NaN;
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
}

/** The environment for the nested `npm install`: no settings inherited from an outer `npm run`. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    const k = key.toLowerCase();
    if (
      k.startsWith('npm_package_') ||
      k.startsWith('npm_lifecycle_') ||
      [
        'npm_command',
        'npm_execpath',
        'npm_node_execpath',
        'npm_config_local_prefix',
        'npm_config_prefix',
        'npm_config_global',
        'npm_config_user_agent',
        'npm_config_npm_version',
        'init_cwd',
      ].includes(k)
    ) {
      delete env[key];
    }
  }
  env.npm_config_yes = 'true'; // node-pty's postinstall runs `npx node-gyp`
  env.npm_config_unsafe_perm = 'true'; // code-server's postinstall insists on it as root
  const nodedir = localNodeHeaders();
  if (nodedir) env.npm_config_nodedir = nodedir;
  return env;
}

/**
 * Where node-gyp finds Node's headers to build argon2 and node-pty without downloading them from
 * nodejs.org: the npm setting when there is one (passed on explicitly: node-gyp reads
 * npm_config_nodedir itself, whatever npm does with the setting), else the headers installed
 * beside this Node (Debian's and NodeSource's packages put them in /usr/include/node), else
 * undefined (node-gyp downloads them).
 */
function localNodeHeaders(): string | undefined {
  const configured = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  const value = configured.status === 0 ? configured.stdout.trim() : '';
  if (value && value !== 'undefined' && value !== 'null') return value;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

// ---------------------------------------------------------------------------------------------
// Debian packages

type DebianPackage = 'chromium' | 'libkrb5-dev' | 'ripgrep';

/** A file each package installs; its presence means the package is there. */
const PACKAGE_PROBES: Record<DebianPackage, string> = {
  chromium: '/usr/bin/chromium',
  'libkrb5-dev': '/usr/bin/krb5-config',
  ripgrep: '/usr/bin/rg',
};

let aptUpdated = false;

/**
 * Installs the Debian packages that are missing (`apt-get update` once per process, then
 * `apt-get install -y …`) when running as root; otherwise throws a HostSetupError that gives
 * the exact command to run.
 */
export async function ensureDebianPackages(packages: DebianPackage[], log: Logger = defaultLog): Promise<void> {
  const missing = packages.filter((p) => !fs.existsSync(PACKAGE_PROBES[p]));
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new HostSetupError(`missing Debian packages: ${missing.join(', ')}. Install them, then run this again:\n    sudo ${command}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    await runChecked('apt-get', ['update'], { env });
    aptUpdated = true;
  }
  log(`apt-get install -y ${missing.join(' ')}`);
  await runChecked('apt-get', ['install', '-y', ...missing], { env });
  const still = missing.filter((p) => !fs.existsSync(PACKAGE_PROBES[p]));
  if (still.length > 0) throw new HostSetupError(`apt-get installed ${still.join(', ')} but ${still.map((p) => PACKAGE_PROBES[p]).join(', ')} is still missing`);
}

/**
 * @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless its cache already holds the
 * archive. Put Debian's /usr/bin/rg there, packed the way the release archive is (binary at the
 * top level).
 */
function ensureRipgrepCache(log: Logger): void {
  const arch = os.arch() === 'arm64' ? 'aarch64' : 'x86_64';
  const cacheDir = path.join(os.tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = path.join(cacheDir, `ripgrep-${RIPGREP_VERSION}-${arch}-unknown-linux-musl.tar.gz`);
  if (fs.existsSync(archive) && fs.statSync(archive).size > 0) return;
  log(`caching Debian's ripgrep as ${archive}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = `${archive}.${process.pid}.partial`;
  const tar = runSync('tar', ['-czf', partial, '-C', path.dirname(PACKAGE_PROBES.ripgrep), path.basename(PACKAGE_PROBES.ripgrep)]);
  if (tar) throw new Error(`could not create ${archive}: ${tar}`);
  fs.renameSync(partial, archive);
}

/** Runs a command synchronously; returns an error description, or undefined on success. */
function runSync(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error) return r.error.message;
  if (r.status !== 0) return `${command} exited with ${r.status}: ${r.stderr}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Running code-server

export interface StartCodeServerOptions {
  userDataDir: string;
  extensionsDir: string;
  /** Folder to open when the URL does not name one. */
  folder?: string;
  /** Extra environment for code-server and so for the extension host (e.g. PTE_TEST_RESULTS). */
  env?: Record<string, string | undefined>;
  /** More code-server flags, e.g. ['--ignore-last-opened']. */
  extraArgs?: string[];
  /** Where code-server's stdout/stderr go (appended); default `<userDataDir>/code-server.log`. */
  logFile?: string;
  /** Bound on start-up until it answers HTTP; default 60 s. */
  readyTimeoutMs?: number;
  /** From ensureCodeServer(); looked up (and installed if needed) when absent. */
  install?: CodeServerInstall;
  /**
   * User settings written to `<userDataDir>/User/settings.json` when that file does not exist
   * yet (so a reused user-data dir keeps its own): merged over QUIET_SETTINGS; `false` writes none.
   */
  settings?: Record<string, unknown> | false;
  log?: Logger;
}

/** Settings that keep a test workbench quiet, offline and free of welcome pages and prompts. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

/** Writes user settings into a code-server user-data dir unless it already has some. */
export function seedUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
}

/**
 * Changes user settings in a code-server user-data dir that already has some (a person editing
 * settings.json between two sessions); the file is created as seedUserSettings would otherwise.
 */
export function changeUserSettings(userDataDir: string, changes: Record<string, unknown>): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  const current = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : { ...QUIET_SETTINGS };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...current, ...changes }, null, 2) + '\n');
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234/ (always ends with '/') */
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** Whether the process is still running. */
  readonly running: boolean;
  /** Kills the whole process group (SIGTERM, then SIGKILL) and resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The environment code-server runs with: this process's, minus variables that would change its
 * behaviour (PORT overrides --bind-addr; VSCODE_IPC_HOOK_CLI makes it forward to another VS Code;
 * passwords), with code-server's own state kept under `<userDataDir>/pte-xdg`, plus `extra`
 * (an undefined value removes a variable).
 */
export function codeServerEnv(userDataDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(PORT|PASSWORD|HASHED_PASSWORD|GITHUB_TOKEN)$/.test(key) || /^(CODE_SERVER_|VSCODE_|ELECTRON_)/.test(key)) delete env[key];
  }
  // Keep code-server's own files out of $HOME: its logs (~/.local/share/code-server) and VS Code's
  // device id (~/.cache/Microsoft/DeveloperTools).
  env.XDG_DATA_HOME = path.join(userDataDir, 'pte-xdg', 'data');
  env.XDG_CACHE_HOME = path.join(userDataDir, 'pte-xdg', 'cache');
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function baseArgs(install: CodeServerInstall, userDataDir: string, extensionsDir: string): string[] {
  return [
    install.entry,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    // A config file of our own, so nothing is written to ~/.config/code-server.
    '--config',
    path.join(userDataDir, 'code-server.yaml'),
  ];
}

/**
 * Starts code-server on 127.0.0.1 with a port the OS picks, waits until it answers HTTP and
 * returns its URL. Throws (after stopping it, with the log's tail) when it does not come up.
 */
export async function startCodeServer(options: StartCodeServerOptions): Promise<CodeServer> {
  const log = options.log ?? defaultLog;
  const install = options.install ?? (await ensureCodeServer({ log }));
  fs.mkdirSync(options.userDataDir, { recursive: true });
  fs.mkdirSync(options.extensionsDir, { recursive: true });
  if (options.settings !== false) seedUserSettings(options.userDataDir, { ...QUIET_SETTINGS, ...options.settings });
  const logFile = options.logFile ?? path.join(options.userDataDir, 'code-server.log');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  // Port 0 first: code-server passes it to listen() and logs the port it got. Should that ever
  // stop working, take a free port from the OS and retry if someone else grabs it meanwhile.
  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = attempt === 0 ? 0 : await freeLoopbackPort();
    try {
      return await startOnce(install, options, port, logFile, log);
    } catch (err) {
      lastError = err;
      if (!(err instanceof RetryablePortError)) throw err;
      log(`${err.message}; retrying with another port`);
    }
  }
  const msg = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`code-server did not start: ${msg}\nLast lines of ${logFile}:\n${indent(tailFile(logFile, 30))}`);
}

class RetryablePortError extends Error {}

async function startOnce(install: CodeServerInstall, options: StartCodeServerOptions, port: number, logFile: string, log: Logger): Promise<CodeServer> {
  const args = [
    ...baseArgs(install, options.userDataDir, options.extensionsDir),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    ...(options.extraArgs ?? []),
    ...(options.folder ? [options.folder] : []),
  ];
  // A short private TMPDIR: VS Code and the git extension put IPC sockets there (vscode-ipc-*.sock,
  // vscode-git-*.sock) and never remove them. Short, because socket paths are limited to 107 bytes.
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-cs-'));
  const out = fs.createWriteStream(logFile, { flags: 'a' });
  out.write(`# ${new Date().toISOString()} ${process.execPath} ${args.join(' ')}\n`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.folder ?? options.userDataDir,
    env: codeServerEnv(options.userDataDir, { TMPDIR: tmpDir, ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() can take the extension host with it
  });
  const pid = child.pid;
  if (pid === undefined) {
    out.end();
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw new Error(`could not start code-server (${process.execPath} ${install.entry})`);
  }

  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  let listening: string | undefined;
  let buffered = '';
  const onData = (d: Buffer) => {
    out.write(d);
    if (listening) return;
    buffered += d.toString();
    const m = /HTTP server listening on (https?:\/\/[^\s]+)/.exec(buffered);
    if (m) listening = m[1].endsWith('/') ? m[1] : `${m[1]}/`;
    if (buffered.length > 1 << 16) buffered = buffered.slice(-4096);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  // Flush and close the log once the pipes are drained (the exit event can come before).
  let closed = false;
  const closedPromise = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void closedPromise.then(() => {
    closed = true;
    out.end();
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) signalGroup(pid, 'SIGTERM');
      await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 5000).unref())]);
      // The leader may be gone while helpers (extension host, file watcher) linger: finish them.
      signalGroup(pid, 'SIGKILL');
      await waitFor('code-server process group to exit', () => !groupAlive(pid), { timeoutMs: 10_000, intervalMs: 50 });
      await Promise.race([closedPromise, new Promise((r) => setTimeout(r, 2000).unref())]);
      if (!closed) out.end();
      fs.rmSync(tmpDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  try {
    const url = await waitFor(
      'code-server to report its address',
      () => {
        if (exited) {
          const why = `code-server exited (${exited.signal ?? `code ${exited.code}`}) before listening`;
          if (port === 0) throw new RetryablePortError(`${why} on 127.0.0.1:0`);
          if (/EADDRINUSE/.test(buffered)) throw new RetryablePortError(`port ${port} was taken`);
          throw new Error(why);
        }
        return listening;
      },
      { timeoutMs: readyTimeoutMs, intervalMs: 50 },
    );
    const actualPort = Number(new URL(url).port);
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1') throw new Error(`code-server listens on ${host}, expected 127.0.0.1`);
    if (!actualPort) throw new RetryablePortError(`code-server reported port ${new URL(url).port || '(none)'} for 127.0.0.1:${port}`);
    await waitFor('code-server to answer /healthz', () => !exited && httpOk(`${url}healthz`), {
      timeoutMs: readyTimeoutMs,
      intervalMs: 100,
    });
    log(`listening on ${url} (pid ${pid}, log ${logFile})`);
    return {
      url,
      port: actualPort,
      pid,
      logFile,
      get running() {
        return !exited;
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    if (err instanceof RetryablePortError) throw err;
    const msg = err instanceof TimeoutError || err instanceof Error ? err.message : String(err);
    throw new Error(`code-server did not start: ${msg}\nLast lines of ${logFile}:\n${indent(tailFile(logFile, 30))}`);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: already gone
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** A loopback port that was free a moment ago (the OS picks it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// URLs

export interface WorkbenchUrlOptions {
  /** Absolute folder (on the code-server machine) to open. */
  folder?: string;
  /** Absolute path of an extension to load in development mode. */
  extensionDevelopmentPath?: string;
  /** Absolute path of a tests module whose run() the extension host calls. */
  extensionTestsPath?: string;
  /** Any further [key, value] pairs for the workbench `payload` parameter. */
  payload?: Array<[string, string]>;
}

/**
 * The workbench URL for a running code-server, e.g.
 * `http://127.0.0.1:PORT/?folder=/ws&payload=[["extensionDevelopmentPath","vscode-remote://127.0.0.1:PORT/repo"],…]`.
 */
export function workbenchUrl(server: Pick<CodeServer, 'url'>, options: WorkbenchUrlOptions = {}): string {
  const base = new URL(server.url);
  const remote = (p: string) => `vscode-remote://${base.host}${path.resolve(p).split(path.sep).map(encodeURIComponent).join('/')}`;
  const payload: Array<[string, string]> = [];
  if (options.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]);
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  payload.push(...(options.payload ?? []));
  const query: string[] = [];
  if (options.folder) query.push(`folder=${encodeURIComponent(path.resolve(options.folder))}`);
  if (payload.length > 0) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${base.origin}/${query.length ? `?${query.join('&')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Extensions

/**
 * Installs a packaged extension (.vsix) into `extensionsDir` with
 * `code-server --install-extension`. Uses a throw-away user-data dir unless one is given.
 */
export async function installVsix(
  vsixPath: string,
  extensionsDir: string,
  options: { userDataDir?: string; install?: CodeServerInstall; log?: Logger } = {},
): Promise<void> {
  const log = options.log ?? defaultLog;
  const install = options.install ?? (await ensureCodeServer({ log }));
  const vsix = path.resolve(vsixPath);
  if (!fs.existsSync(vsix)) throw new Error(`no such VSIX: ${vsix}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const scratch = options.userDataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'pte-vsix-'));
  const userDataDir = options.userDataDir ?? path.join(scratch as string, 'user-data');
  fs.mkdirSync(userDataDir, { recursive: true });
  try {
    log(`installing ${path.basename(vsix)} into ${extensionsDir}`);
    const r = await run(process.execPath, [...baseArgs(install, userDataDir, extensionsDir), '--force', '--install-extension', vsix], {
      env: codeServerEnv(userDataDir),
      cwd: userDataDir,
    });
    if (r.code !== 0 || !/successfully installed/i.test(r.output)) {
      throw new Error(`code-server --install-extension ${vsix} failed (${r.signal ?? `exit ${r.code}`}):\n${indent(r.output.trim())}`);
    }
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
