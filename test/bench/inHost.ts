// The benchmark's module inside a real VS Code extension host (code-server). The orchestrator
// (bench.ts) opens a workbench whose `extensionTestsPath` is this file; VS Code calls run(). What to
// do comes from `<workspace folder>/.pte-bench-session.json` (see lib/session.ts): activate an
// extension and time it, expand the Explorer tree at scale, seed token sets, open the PingOne view,
// and stay idle while the orchestrator reads this process's CPU time.
//
// Instrumentation installed when this module loads (before the measured extension is activated):
//   - Module._load: the time to require the extension's main file, and a wrapper around its
//     activate() that times the call and hands it a stand-in ExtensionContext whose secrets and
//     globalState count their calls;
//   - net.Socket#connect, http(s).request, fetch: calls, attributed to the extension by stack;
//   - the global setTimeout/setInterval: timers the extension creates and how often they fire.
// The same instrumentation runs in the baseline (empty extension) sessions. Inside the activation
// window it only captures stacks; reading them (to attribute a call to the extension) waits until
// the window closes, so the extension's figures do not carry the bench's bookkeeping.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as util from 'node:util';
import * as vscode from 'vscode';
import { KEYS, TokenService } from '../../src/core/service';
import type { Node } from '../../src/tree/nodes';
import { ExplorerTree } from '../../src/tree/explorerTree';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import type {
  ActivationResult,
  GetTokenProfile,
  GetTokenResult,
  GetTokenSample,
  IdleFinal,
  MemoryResult,
  ScaleResult,
  SessionConfig,
  SessionResult,
} from './lib/session';
import { SESSION_FILE } from './lib/session';

// ---- instrumentation ---------------------------------------------------------------------------

// The module objects themselves (a bundler's `import * as` namespace is read-only).
const http = require('node:http') as typeof import('node:http');
const https = require('node:https') as typeof import('node:https');
const Module = require('node:module') as typeof import('node:module');

/** The measured extension's main file; set before activation. */
let mainPath: string | undefined;
let activating = false;

/**
 * The current stack as an Error whose text is not formatted yet. Formatting (VS Code installs its
 * own Error.prepareStackTrace) costs far more than capturing, so inside the activation window the
 * text is read only after the window closes (see attribute()); the measured figures then carry the
 * capture alone, not this module's bookkeeping.
 */
function capture(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const e = new Error();
  Error.stackTraceLimit = limit;
  return e;
}

/** What ours' dist/main.js exports (src/main.ts); the empty extension has none of it. */
type OwnMain = Partial<typeof import('../../src/main')>;

/** Whether a stack runs through the measured extension's code: its main file or a bundle beside it (dist/extension.js, dist/features.js, dist/vendor/). */
function fromExtension(e: Error = capture()): boolean {
  return !!mainPath && (e.stack ?? '').includes(path.dirname(mainPath) + path.sep);
}

/** Whether a module loading `vscode` is the measured extension's (its main file, or its bundle that the main file loads). */
function isOwnModule(parent: unknown): boolean {
  const filename = (parent as { filename?: string } | undefined)?.filename;
  return !!mainPath && !!filename && path.dirname(filename) === path.dirname(mainPath);
}

/** Attributions captured during activation, decided once it is over. */
const deferred: Array<() => void> = [];
function attribute(e: Error, then: (ext: boolean) => void): void {
  if (activating) deferred.push(() => then(fromExtension(e)));
  else then(fromExtension(e));
}
function settleAttributions(): void {
  for (const f of deferred.splice(0)) f();
}

interface NetEvent {
  at: number;
  what: string;
  ext: boolean;
  activation: boolean;
}
const netEvents: NetEvent[] = [];
function recordNet(what: string): void {
  const event: NetEvent = { at: Date.now(), what, ext: false, activation: activating };
  netEvents.push(event);
  attribute(capture(), (ext) => (event.ext = ext));
}

const origConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const a = args[0] as { host?: string; port?: number; path?: string } | number | string | unknown[] | undefined;
  const o = Array.isArray(a) ? (a[0] as typeof a) : a;
  const where =
    typeof o === 'object' && o ? ((o as { path?: string }).path ?? `${(o as { host?: string }).host ?? 'localhost'}:${(o as { port?: number }).port}`) : String(o);
  recordNet(`connect ${where}`);
  return (origConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

/** HTTP requests as intervals: from request() until the response ended (or the request failed). */
interface HttpInterval {
  target: string;
  start: number;
  end?: number;
}
const httpIntervals: HttpInterval[] = [];

for (const [name, mod] of [
  ['http', http],
  ['https', https],
] as const) {
  for (const fn of ['request', 'get'] as const) {
    const orig = mod[fn] as (...a: unknown[]) => unknown;
    (mod as unknown as Record<string, unknown>)[fn] = function (this: unknown, ...args: unknown[]) {
      const u = args[0];
      const target = typeof u === 'string' ? u : u instanceof URL ? u.href : `${(u as { host?: string })?.host ?? ''}${(u as { path?: string })?.path ?? ''}`;
      recordNet(`${name}.${fn} ${target}`);
      const interval: HttpInterval = { target, start: performance.now() };
      httpIntervals.push(interval);
      const req = orig.apply(this, args) as import('node:http').ClientRequest;
      const done = () => (interval.end ??= performance.now());
      req.once('response', (res) => {
        res.once('end', done);
        res.once('close', done);
      });
      req.once('error', done);
      return req;
    };
  }
}

/** Total time covered by the intervals (overlaps counted once). */
function union(intervals: Array<{ start: number; end?: number }>): number {
  const sorted = intervals.filter((i) => i.end !== undefined).sort((a, b) => a.start - b.start);
  let total = 0;
  let from = -Infinity;
  let to = -Infinity;
  for (const i of sorted) {
    if (i.start > to) {
      if (to > from) total += to - from;
      from = i.start;
      to = i.end!;
    } else to = Math.max(to, i.end!);
  }
  if (to > from) total += to - from;
  return total;
}
if (typeof globalThis.fetch === 'function') {
  const origFetch = globalThis.fetch;
  globalThis.fetch = function (this: unknown, ...args: Parameters<typeof fetch>) {
    recordNet(`fetch ${String(args[0] instanceof Request ? args[0].url : args[0])}`);
    return origFetch.apply(this, args);
  } as typeof fetch;
}

interface TimerRecord {
  kind: string;
  delayMs: number;
  fires: number[];
}
const extensionTimers: TimerRecord[] = [];
const allFires: number[] = [];
let activationTimers = 0;

function hookTimer<F extends (...a: never[]) => unknown>(orig: F, kind: string): F {
  const wrapped = function (this: unknown, cb: unknown, ms?: number, ...args: unknown[]) {
    if (typeof cb !== 'function') return (orig as unknown as (...a: unknown[]) => unknown).call(this, cb, ms, ...args);
    let rec: TimerRecord | undefined;
    if (mainPath) {
      const candidate: TimerRecord = { kind, delayMs: Number(ms) || 0, fires: [] };
      const duringActivation = activating;
      attribute(capture(), (ext) => {
        if (!ext) return;
        extensionTimers.push(candidate);
        if (duringActivation) activationTimers++;
      });
      rec = candidate;
    }
    const fn = function (this: unknown, ...a: unknown[]) {
      const now = Date.now();
      allFires.push(now);
      rec?.fires.push(now); // kept only if the timer turns out to be the extension's
      return (cb as (...x: unknown[]) => unknown).apply(this, a);
    };
    return (orig as unknown as (...a: unknown[]) => unknown).call(this, fn, ms, ...args);
  };
  const custom = (orig as unknown as Record<symbol, unknown>)[util.promisify.custom];
  if (custom) Object.defineProperty(wrapped, util.promisify.custom, { value: custom });
  return wrapped as unknown as F;
}
globalThis.setTimeout = hookTimer(globalThis.setTimeout, 'setTimeout');
globalThis.setInterval = hookTimer(globalThis.setInterval, 'setInterval');

// Secrets / globalState calls through the ExtensionContext handed to activate().
const secretCalls: Array<{ method: string; activation: boolean; at: number }> = [];
const stateCalls: Array<{ method: string; activation: boolean }> = [];

/**
 * A stand-in for `target` whose `methods` count their calls; everything else is the target's own
 * (bound). VS Code freezes the context and its stores, so a Proxy cannot change what they return.
 */
function counting<T extends object>(
  target: T,
  methods: readonly string[],
  others: readonly string[],
  sink: (method: string) => void,
  timed?: (method: string, start: number, end: number) => void,
): T {
  const out: Record<string, unknown> = {};
  const t = target as unknown as Record<string, unknown>;
  for (const m of methods) {
    const fn = t[m];
    if (typeof fn !== 'function') continue;
    out[m] = (...args: unknown[]) => {
      sink(m);
      const start = performance.now();
      const r = (fn as (...a: unknown[]) => unknown).apply(target, args);
      if (timed && r && typeof (r as PromiseLike<unknown>).then === 'function') {
        const end = () => timed(m, start, performance.now());
        (r as PromiseLike<unknown>).then(end, end);
      }
      return r;
    };
  }
  for (const o of others) {
    const v = t[o];
    out[o] = typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
  }
  return out as T;
}

/** SecretStorage and globalState.update calls as intervals (getToken's split of the time). */
const secretIntervals: Array<{ start: number; end: number }> = [];
const stateIntervals: Array<{ start: number; end: number }> = [];
/** The real context VS Code handed the measured extension. */
let realContext: vscode.ExtensionContext | undefined;
/** globalState keys the memory step lays over the extension's real store (see contextProxy). */
const stateOverlay = new Map<string, unknown>();

function contextProxy(ctx: vscode.ExtensionContext): vscode.ExtensionContext {
  realContext = ctx;
  const secrets = counting(
    ctx.secrets,
    ['get', 'store', 'delete', 'keys'],
    ['onDidChange'],
    (m) => secretCalls.push({ method: m, activation: activating, at: Date.now() }),
    (_m, start, end) => secretIntervals.push({ start, end }),
  );
  const globalState = counting(
    ctx.globalState,
    ['get', 'update', 'keys', 'setKeysForSync'],
    [],
    (m) => stateCalls.push({ method: m, activation: activating }),
    (m, start, end) => m === 'update' && stateIntervals.push({ start, end }),
  );
  // Keys the memory step lays over the real store: the extension reads and writes them here, and
  // nothing reaches the user data that later windows share.
  const get = globalState.get.bind(globalState) as (key: string, fallback?: unknown) => unknown;
  const update = globalState.update.bind(globalState);
  Object.assign(globalState, {
    get: (key: string, fallback?: unknown) => (stateOverlay.has(key) ? stateOverlay.get(key) : get(key, fallback)),
    update: (key: string, value: unknown) => (stateOverlay.has(key) ? (stateOverlay.set(key, value), Promise.resolve()) : update(key, value)),
  });
  // Everything else is inherited from the real (frozen) context.
  const wrapped = Object.create(ctx) as vscode.ExtensionContext;
  Object.defineProperty(wrapped, 'secrets', { value: secrets, enumerable: true });
  Object.defineProperty(wrapped, 'globalState', { value: globalState, enumerable: true });
  return wrapped;
}

// Timing of require(main) and activate(context) as VS Code performs them.
const timing: { requireMs?: number; activateCallMs?: number; activateResolvedMs?: number; contextMs?: number; spanMs?: number } = {};
const marks: { requireStart?: number; requireEnd?: number; activateStart?: number } = {};
/** CPU time (user + system, whole process) of the synchronous require and activate() call, ms. */
const cpu: { requireCpuMs?: number; activateCpuMs?: number } = {};
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const M = Module as unknown as { _load: Load };
const origLoad = M._load;
/** Diagnostics: time per vscode API function called during activation (see SessionConfig.traceApi). */
let traceApi = false;
const apiTimes = new Map<string, { calls: number; ms: number }>();

/** A copy of the vscode API whose namespace functions record how long each synchronous call takes. */
function tracedApi(api: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...api };
  for (const [ns, value] of Object.entries(api)) {
    if (!value || typeof value !== 'object' || /^[A-Z]/.test(ns)) continue;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      const v = d && 'value' in d ? d.value : undefined;
      if (typeof v !== 'function') {
        Object.defineProperty(copy, key, { get: () => (value as Record<string, unknown>)[key], enumerable: true });
        continue;
      }
      copy[key] = (...args: unknown[]) => {
        const t = performance.now();
        try {
          return (v as (...a: unknown[]) => unknown).apply(value, args);
        } finally {
          if (activating) {
            const name = `${ns}.${key}`;
            const e = apiTimes.get(name) ?? { calls: 0, ms: 0 };
            e.calls++;
            e.ms += performance.now() - t;
            apiTimes.set(name, e);
          }
        }
      };
    }
    out[ns] = copy;
  }
  return out;
}

/** With SessionConfig.captureTree: the measured extension's tree (its data provider), as it registered it. */
let captureTree = false;
let capturedTree: vscode.TreeDataProvider<unknown> | undefined;

/** A copy of the vscode API whose window.createTreeView also hands the provider to the bench. */
function treeCapturingApi(api: Record<string, unknown>): Record<string, unknown> {
  const window = api.window as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(window)) if (key !== 'createTreeView') Object.defineProperty(copy, key, { get: () => window[key], enumerable: true });
  const create = window.createTreeView as (id: string, options: { treeDataProvider: vscode.TreeDataProvider<unknown> }) => unknown;
  Object.defineProperty(copy, 'createTreeView', {
    value: (id: string, options: { treeDataProvider: vscode.TreeDataProvider<unknown> }) => {
      if (id === 'pingone.explorer') capturedTree = options.treeDataProvider;
      return create.call(window, id, options);
    },
    enumerable: true,
  });
  return { ...api, window: copy };
}

M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
  const main = mainPath;
  if (traceApi && activating && request === 'vscode' && isOwnModule(parent)) {
    return tracedApi(origLoad.call(this, request, parent, isMain) as Record<string, unknown>);
  }
  if (captureTree && request === 'vscode' && isOwnModule(parent)) {
    return treeCapturingApi(origLoad.call(this, request, parent, isMain) as Record<string, unknown>);
  }
  if (!main || !activating || (request !== main && request !== main.replace(/\.js$/, ''))) return origLoad.call(this, request, parent, isMain);
  const c0 = process.cpuUsage();
  const t0 = (marks.requireStart = performance.now());
  const exports = origLoad.call(this, request, parent, isMain) as { activate?: (ctx: vscode.ExtensionContext) => unknown; deactivate?: () => unknown };
  marks.requireEnd = performance.now();
  cpu.requireCpuMs = cpuMs(process.cpuUsage(c0));
  timing.requireMs = marks.requireEnd - t0;
  if (!exports || typeof exports.activate !== 'function') return exports;
  const activate = exports.activate;
  return {
    activate(ctx: vscode.ExtensionContext) {
      const t = (marks.activateStart = performance.now());
      // What VS Code did between loading the code and calling activate (creating the context).
      timing.contextMs = t - (marks.requireEnd ?? t);
      const done = () => {
        const end = performance.now();
        timing.activateResolvedMs = end - t;
        timing.spanMs = end - (marks.requireStart ?? t);
      };
      let r: unknown;
      const c = process.cpuUsage();
      try {
        r = activate.call(exports, contextProxy(ctx));
      } finally {
        timing.activateCallMs = performance.now() - t;
        cpu.activateCpuMs = cpuMs(process.cpuUsage(c));
      }
      if (r && typeof (r as PromiseLike<unknown>).then === 'function') {
        return (r as PromiseLike<unknown>).then((v) => {
          done();
          return v;
        });
      }
      done();
      return r;
    },
    deactivate: exports.deactivate?.bind(exports),
  };
};

function tally(list: Array<{ method: string }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of list) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}

// ---- steps -------------------------------------------------------------------------------------

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * CPU time in a profile whose innermost JavaScript frame with a file (natives and `node:` built-ins
 * count for their caller) is in `ownDir`, node-fetch's vendor file excepted, and all sampled CPU.
 */
function ownCpu(profile: CpuProfile, ownDir: string): GetTokenProfile {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownUrl = pathToFileURL(ownDir).href;
  const owner = new Map<number, boolean>();
  const isOwn = (id: number): boolean => {
    const cached = owner.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id);
    const url = node?.callFrame.url ?? '';
    let own: boolean;
    if (!node) own = false;
    else if (!url || url.startsWith('node:')) own = parent.has(id) ? isOwn(parent.get(id) as number) : false;
    else own = (url.startsWith(ownUrl) || url.startsWith(ownDir)) && !url.includes('node-fetch');
    owner.set(id, own);
    return own;
  };
  let ownUs = 0;
  let hostUs = 0;
  profile.samples.forEach((id, i) => {
    const name = byId.get(id)?.callFrame.functionName;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (name === '(idle)' || name === '(program)') return;
    hostUs += us;
    if (isOwn(id)) ownUs += us;
  });
  return { ownCpuMs: ownUs / 1000, hostCpuMs: hostUs / 1000 };
}

/** Starts V8's sampling profiler in this host (diagnostics only: it slows what it watches). */
async function startProfiler(intervalUs = 20): Promise<() => Promise<unknown>> {
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: intervalUs });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    return profile;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the host has finished starting up: every built-in extension that activates at
 * start-up ('*', onStartupFinished) is active, then the event loop answers a 10 ms timer within
 * 2 ms five times in a row. Readiness polling with bounds, not a fixed delay.
 */
async function settle(): Promise<number> {
  const t = performance.now();
  const eager = () =>
    vscode.extensions.all.filter((e) => {
      const events = (e.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
      return events.includes('*') || events.includes('onStartupFinished');
    });
  while (performance.now() - t < 10_000 && eager().some((e) => !e.isActive)) await sleep(20);
  let quiet = 0;
  while (quiet < 5 && performance.now() - t < 15_000) {
    const s = performance.now();
    await sleep(10);
    quiet = performance.now() - s < 12 ? quiet + 1 : 0;
  }
  return performance.now() - t;
}

async function activateStep(cfg: SessionConfig): Promise<{ result: ActivationResult; api: unknown }> {
  const ext = vscode.extensions.getExtension(cfg.extensionId);
  if (!ext) throw new Error(`extension ${cfg.extensionId} is not loaded in this host`);
  const settleMs = await settle();
  const wasActiveBefore = ext.isActive;
  mainPath = cfg.mainPath;
  const netBefore = netEvents.length;
  const profiler = cfg.profileFile ? await startProfiler() : undefined;
  traceApi = !!cfg.traceApi;
  captureTree = !!cfg.captureTree;
  activating = true;
  const t = performance.now();
  let api: unknown;
  try {
    api = await ext.activate();
  } finally {
    activating = false;
  }
  const totalMs = performance.now() - t;
  settleAttributions();
  let onDemandLoadMs: number | undefined;
  const onDemand = path.join(path.dirname(cfg.mainPath), 'features.js');
  // Ours loads its bundles through dist/main.js's code cache (src/core/codeCache.ts): the first
  // command's load goes the same way. The caches are written when the session ends (see run).
  const own = require(cfg.mainPath) as OwnMain;
  if (fs.existsSync(onDemand)) {
    const started = performance.now();
    if (own.loadBundle) own.loadBundle(onDemand);
    else require(onDemand);
    onDemandLoadMs = performance.now() - started;
  }
  const codeCache = own.codeCacheOutcomes ? Object.fromEntries(own.codeCacheOutcomes) : undefined;
  if (profiler && cfg.profileFile) fs.writeFileSync(cfg.profileFile, JSON.stringify(await profiler()));
  const during = netEvents.slice(netBefore).filter((e) => e.activation);
  return {
    api,
    result: {
      wasActiveBefore,
      settleMs,
      totalMs,
      ...timing,
      ...cpu,
      network: { all: during.length, fromExtension: during.filter((e) => e.ext).length, details: during.map((e) => `${e.ext ? '[ext] ' : ''}${e.what}`) },
      secrets: tally(secretCalls.filter((c) => c.activation)),
      globalState: tally(stateCalls.filter((c) => c.activation)),
      timersCreated: activationTimers,
      onDemandLoadMs,
      codeCache,
      ...(cfg.traceApi ? { apiTimes: Object.fromEntries([...apiTimes].sort((a, b) => b[1].ms - a[1].ms)) } : {}),
    },
  };
}

/** One full expansion as the view does it: getChildren of every expanded node, getTreeItem of every node. */
function expand(tree: ExplorerTree | vscode.TreeDataProvider<unknown>): number {
  const t = tree as ExplorerTree;
  let nodes = 0;
  const visit = (node?: Node) => {
    for (const child of t.getChildren(node) as Node[]) {
      const item = t.getTreeItem(child);
      nodes++;
      if (item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded) visit(child);
    }
  };
  visit(undefined);
  return nodes;
}

/**
 * A token index of `size` sets spread over `apps`, one in three a user's sign-in with refresh and ID
 * tokens, issued a minute apart: what the tree draws (metadata only, no token behind it).
 */
function syntheticIndex(apps: Array<{ id: string; environmentId: string }>, size: number, now: number) {
  return Array.from({ length: size }, (_, i) => {
    const app = apps[i % apps.length];
    const user = i % 3 === 0;
    return {
      id: crypto.randomUUID(),
      applicationId: app.id,
      environmentId: app.environmentId,
      grant: user ? 'authorization_code' : 'client_credentials',
      scope: user ? 'openid profile email offline_access' : 'p1:read:user',
      issuedAt: now - i * 60_000,
      expiresAt: now - i * 60_000 + 3_600_000,
      hasRefreshToken: user,
      hasIdToken: user,
    };
  });
}

async function scaleStep(cfg: NonNullable<SessionConfig['scale']>): Promise<ScaleResult[]> {
  const out: ScaleResult[] = [];
  for (const size of cfg.sizes) {
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    const service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 30_000 }) });
    const apps: Array<{ id: string; environmentId: string }> = [];
    for (let e = 0; e < cfg.environments; e++) {
      const env = await service.addEnvironment({ name: `Environment ${e + 1}`, kind: 'pingone', region: 'EU', environmentId: crypto.randomUUID() });
      for (let a = 0; a < cfg.applicationsPerEnvironment; a++) {
        const app = await service.addApplication(env.id, {
          name: `Application ${e + 1}.${a + 1}`,
          clientId: `client-${e + 1}-${a + 1}`,
          clientSecret: 'not-a-real-secret',
          authMethod: 'client_secret_basic',
        });
        apps.push({ id: app.id, environmentId: env.id });
      }
    }
    const index = syntheticIndex(apps, size, Date.now());
    await state.update(KEYS.tokenIndex, index);
    const tree = new ExplorerTree(service);
    let t = performance.now();
    const nodes = expand(tree);
    const coldMs = performance.now() - t;
    const samples: number[] = [];
    for (let i = 0; i < cfg.warmup + cfg.runs; i++) {
      t = performance.now();
      expand(tree);
      if (i >= cfg.warmup) samples.push(performance.now() - t);
    }
    tree.dispose();
    out.push({ size, applications: apps.length, nodes, coldMs, samples });
  }
  return out;
}

interface SeedApi {
  addEnvironment(input: { name: string; kind: 'pingone'; environmentId: string; authBaseUrl: string }): Promise<{ id: string }>;
  addApplication(environmentId: string, input: { name: string; clientId: string; clientSecret: string; authMethod: string; grants: string[] }): Promise<{ id: string }>;
  clientCredentials(applicationId: string): Promise<unknown>;
}

async function seedStep(api: unknown, seed: NonNullable<SessionConfig['seed']>): Promise<number> {
  const a = api as SeedApi;
  if (!a || typeof a.addEnvironment !== 'function') throw new Error('the extension returned no API to seed token sets with');
  const env = await a.addEnvironment({ name: 'Bench sandbox', kind: 'pingone', environmentId: seed.envId, authBaseUrl: seed.authBase });
  const app = await a.addApplication(env.id, {
    name: 'Bench worker',
    clientId: seed.clientId,
    clientSecret: seed.clientSecret,
    authMethod: 'client_secret_basic',
    grants: ['client_credentials'],
  });
  for (let i = 0; i < seed.tokenSets; i++) await a.clientCredentials(app.id);
  return seed.tokenSets;
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.partial`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.partial`, file);
}

/** Resolves once `file` exists (inotify on its folder: no polling, so no wake-ups while idle). */
function whenExists(file: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = fs.watch(path.dirname(file), () => {
      if (fs.existsSync(file)) {
        watcher.close();
        resolve();
      }
    });
    if (fs.existsSync(file)) {
      watcher.close();
      resolve();
    }
  });
}

async function idleStep(cfg: SessionConfig, result: SessionResult): Promise<void> {
  if (!cfg.stopFile || !cfg.finalFile) throw new Error('idle needs stopFile and finalFile');
  const secretsBefore = secretCalls.length;
  result.at = Date.now();
  writeJson(cfg.resultsFile, result);
  await whenExists(cfg.stopFile);
  const { startMs, endMs } = JSON.parse(fs.readFileSync(cfg.stopFile, 'utf8')) as { startMs: number; endMs: number };
  const inWindow = (t: number) => t >= startMs && t <= endMs;
  const final: IdleFinal = {
    pid: process.pid,
    windowMs: endMs - startMs,
    timerFiresAll: allFires.filter(inWindow).length,
    timerFiresExtension: extensionTimers.reduce((n, r) => n + r.fires.filter(inWindow).length, 0),
    timerSecondsExtension: new Set(extensionTimers.flatMap((r) => r.fires.filter(inWindow).map((t) => Math.floor((t - startMs) / 1000)))).size,
    extensionTimers: extensionTimers
      .map((r) => ({ kind: r.kind, delayMs: r.delayMs, fires: r.fires.filter(inWindow).length }))
      .filter((r) => r.fires > 0 || r.kind === 'setInterval'),
    networkFromExtension: netEvents.filter((e) => e.ext && inWindow(e.at)).length,
    secretsInWindow: tally(secretCalls.slice(secretsBefore).filter((c) => inWindow(c.at))),
  };
  writeJson(cfg.finalFile, final);
}

// ---- memory and the Get Token command ----------------------------------------------------------

/** A full garbage collection (V8's gc, exposed at run time for this host; only after activation). */
let gcFn: (() => void) | undefined;
function fullGc(): void {
  if (!gcFn) {
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    gcFn = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

async function heapAfterGc(): Promise<number> {
  // Let finalizers and pending microtasks run between the collections.
  fullGc();
  await new Promise((r) => setImmediate(r));
  fullGc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap after activation, then after the extension's own tree drew `tokenSets` token sets: the
 * entries are laid over the extension's globalState (its context's store, as stored sets would
 * be; in memory only, so the user data later windows share stays as it was), the view's Refresh
 * re-reads them, and the captured provider is expanded as the view does.
 */
async function memoryStep(cfg: SessionConfig): Promise<MemoryResult> {
  await settle();
  const tokenSets = cfg.memory?.tokenSets ?? 0;
  const afterActivationBytes = await heapAfterGc();
  if (!tokenSets) return { afterActivationBytes, tokenSets };
  if (!realContext || !capturedTree) throw new Error('memory: the extension registered no tree (captureTree must be on)');
  const now = Date.now();
  const envs = [0, 1].map((e) => {
    const environmentId = crypto.randomUUID();
    return { id: `bench-env-${e}`, name: `Environment ${e + 1}`, kind: 'pingone', region: 'EU', environmentId, issuer: `https://auth.pingone.eu/${environmentId}/as` };
  });
  const apps = envs.flatMap((env, e) =>
    [0, 1, 2, 3, 4].map((a) => ({
      id: `bench-app-${e}-${a}`,
      environmentId: env.id,
      name: `Application ${e + 1}.${a + 1}`,
      clientId: `client-${e + 1}-${a + 1}`,
      authMethod: 'client_secret_basic',
      grants: ['client_credentials'],
    })),
  );
  const index = syntheticIndex(apps, tokenSets, now);
  try {
    stateOverlay.set(KEYS.environments, envs);
    stateOverlay.set(KEYS.applications, apps);
    stateOverlay.set(KEYS.tokenIndex, index);
    await vscode.commands.executeCommand('pingone.refreshView');
    const nodes = expand(capturedTree);
    const afterDrawBytes = await heapAfterGc();
    return { afterActivationBytes, afterDrawBytes, tokenSets, nodes };
  } finally {
    stateOverlay.clear();
    await vscode.commands.executeCommand('pingone.refreshView');
  }
}

interface GetTokenApi extends SeedApi {
  listTokenSets(): Array<{ id: string }>;
  removeEnvironment(id: string): Promise<void>;
  listApplications(): Promise<Array<{ id: string; environmentId: string }>>;
}

/** Resolves when `check` holds after a call of the tree's getChildren, or with false after `limitMs`. */
function drawnWithin(check: () => boolean, waiters: Array<() => void>, limitMs: number): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), limitMs);
    const waiter = () => {
      if (!check()) return waiters.push(waiter);
      clearTimeout(timer);
      resolve(true);
    };
    waiters.push(waiter);
  });
}

/**
 * The "Get Token" command as the user waits for it: executeCommand('pingone.getToken') until it
 * resolved (the token stored) and the open view's tree drew the new set (VS Code called the
 * extension's getChildren and got its node). HTTP, SecretStorage and globalState time come from
 * the instrumentation above; the rest is the extension's own work and VS Code's dispatch.
 */
async function getTokenStep(api: unknown, cfg: NonNullable<SessionConfig['getToken']>): Promise<GetTokenResult> {
  const a = api as GetTokenApi;
  if (!capturedTree) throw new Error('getToken: the extension registered no tree (captureTree must be on)');
  let applicationId = cfg.applicationId;
  if (cfg.seed) {
    const env = await a.addEnvironment({ name: 'Bench Get Token', kind: 'pingone', environmentId: cfg.seed.envId, authBaseUrl: cfg.seed.authBase });
    const app = await a.addApplication(env.id, {
      name: 'Bench Get Token worker',
      clientId: cfg.seed.clientId,
      clientSecret: cfg.seed.clientSecret,
      authMethod: 'client_secret_basic',
      grants: ['client_credentials'],
    });
    applicationId = app.id;
  }
  if (!applicationId) throw new Error('getToken: no application');
  // Every getChildren answer the view asks for, by the token-set node ids it returned.
  const tree = capturedTree as ExplorerTree;
  const drawn = new Set<string>();
  const waiters: Array<() => void> = [];
  const getChildren = tree.getChildren.bind(tree);
  // VS Code's extension host merges a tree's change events with a 200 ms debounce (leading edge
  // first): a change within 200 ms of the previous one waits for the trailing edge. A person's
  // clicks are seconds apart, so each timed command starts after 250 ms without tree activity: the
  // bench models the person's pace here, it does not wait for a result.
  let lastActivity = performance.now();
  const quiet = () => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, lastActivity + 250 - performance.now())));
  const fired = tree.onDidChangeTreeData(() => (lastActivity = performance.now()));
  tree.getChildren = (node?: Node) => {
    lastActivity = performance.now();
    const children = getChildren(node);
    for (const c of children) if (typeof c.id === 'string' && c.id.startsWith('tokens:')) drawn.add(c.id);
    for (const w of waiters.splice(0)) w();
    return children;
  };
  await vscode.commands.executeCommand('workbench.view.extension.pingone');
  await drawnWithin(() => drawn.size > 0 || a.listTokenSets().length === 0, waiters, 10_000);
  // Warm window: one untimed command first (discovery, first use of the grant code).
  if (cfg.seed) await vscode.commands.executeCommand('pingone.getToken', applicationId);
  /** Waits at a person's pace: a settled host, then 250 ms without tree activity. */
  const atPersonsPace = async () => {
    await settle();
    await quiet();
  };
  /** One command: from executeCommand until stored, and until the tree drew the new set. */
  const getToken = async () => {
    const t0 = performance.now();
    const info = await vscode.commands.executeCommand<{ id: string } | undefined>('pingone.getToken', applicationId);
    const storedMs = performance.now() - t0;
    if (!info) throw new Error('getToken: the command returned no token set');
    const redrawn = await drawnWithin(() => drawn.has(`tokens:${info.id}`), waiters, 5_000);
    return { t0, storedMs, redrawn, totalMs: redrawn ? performance.now() - t0 : storedMs };
  };
  const samples: GetTokenSample[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const http0 = httpIntervals.length;
    const secrets0 = secretIntervals.length;
    const state0 = stateIntervals.length;
    await atPersonsPace();
    const { t0, storedMs, redrawn, totalMs } = await getToken();
    const end = t0 + totalMs;
    const within = <T extends { start: number; end?: number }>(l: T[]) => l.filter((x) => x.start >= t0 && x.start <= end);
    const http = within(httpIntervals.slice(http0)).filter((h) => h.target.includes(cfg.origin));
    const secrets = within(secretIntervals.slice(secrets0));
    const state = within(stateIntervals.slice(state0));
    samples.push({
      totalMs,
      storedMs,
      httpMs: union(http),
      secretsMs: union(secrets),
      stateMs: union(state),
      waitingMs: union([...http, ...secrets, ...state]),
      redrawn,
      requests: http.length,
    });
  }
  // Where the extension's own work is: CPU time in its code, from separate profiled commands.
  const profiles: GetTokenProfile[] = [];
  const ownDir = path.dirname(mainPath ?? '');
  for (let i = 0; i < (cfg.profiledRuns ?? 0); i++) {
    await atPersonsPace();
    const stop = await startProfiler(100);
    await getToken();
    const profile = (await stop()) as CpuProfile;
    if (process.env.PTE_BENCH_PROFILE_DIR)
      fs.writeFileSync(path.join(process.env.PTE_BENCH_PROFILE_DIR, `gettoken-${process.pid}-${i + 1}.cpuprofile`), JSON.stringify(profile));
    profiles.push(ownCpu(profile, ownDir));
  }
  tree.getChildren = getChildren;
  fired.dispose();
  return { applicationId, samples, profiles };
}

// ---- entry -------------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('the bench module needs the session folder opened as the workspace');
  const cfg = JSON.parse(fs.readFileSync(path.join(folder, SESSION_FILE), 'utf8')) as SessionConfig;
  const result: SessionResult = { label: cfg.label, pid: process.pid, at: 0 };
  try {
    let api: unknown;
    for (const step of cfg.steps) {
      switch (step) {
        case 'activate': {
          const a = await activateStep(cfg);
          result.activation = a.result;
          api = a.api;
          break;
        }
        case 'scale':
          if (!cfg.scale) throw new Error('scale step without scale settings');
          result.scale = await scaleStep(cfg.scale);
          break;
        case 'seed':
          if (!cfg.seed) throw new Error('seed step without seed settings');
          result.seeded = { tokenSets: await seedStep(api, cfg.seed) };
          break;
        case 'memory':
          result.memory = await memoryStep(cfg);
          break;
        case 'getToken':
          if (!cfg.getToken) throw new Error('getToken step without getToken settings');
          result.getToken = await getTokenStep(api, cfg.getToken);
          if (cfg.getToken.removeEnvironmentAfter) {
            const apps = await (api as GetTokenApi).listApplications();
            const envId = apps.find((x) => x.id === result.getToken!.applicationId)?.environmentId;
            if (envId) await (api as GetTokenApi).removeEnvironment(envId);
          }
          break;
        case 'openView':
          await vscode.commands.executeCommand('workbench.view.extension.pingone');
          break;
        case 'idle':
          // Start the window on a host that has finished what came before (seeding, first paint).
          await settle();
          result.secretsAfterActivation = tally(secretCalls.filter((c) => !c.activation));
          await idleStep(cfg, result);
          return;
      }
    }
    result.secretsAfterActivation = tally(secretCalls.filter((c) => !c.activation));
    // What deactivation does as this window closes (the bench's window may be gone before it can):
    // every bundle's code cache is written again, with what this session compiled, for the next host.
    if (require.cache[cfg.mainPath]) (require(cfg.mainPath) as OwnMain).flushCodeCache?.();
  } catch (err) {
    result.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  result.at = Date.now();
  writeJson(cfg.resultsFile, result);
}
