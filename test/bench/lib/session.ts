// What the orchestrator (bench.ts, plain Node) and the in-host module (inHost.ts, inside the
// extension host) exchange. The orchestrator writes a SessionConfig into the workspace folder it
// opens; the in-host module reads it, does the steps and writes JSON results to files.

/** Where the in-host module finds its instructions: `<workspace folder>/SESSION_FILE`. */
export const SESSION_FILE = '.pte-bench-session.json';

export type Step = 'activate' | 'scale' | 'seed' | 'openView' | 'idle' | 'memory' | 'getToken';

export interface SessionConfig {
  label: string;
  steps: Step[];
  extensionId: string;
  /** Absolute path of the extension's main file (what VS Code requires). */
  mainPath: string;
  /** Results once every step before `idle` is done (and for `idle`, once the window may start). */
  resultsFile: string;
  /** idle: the orchestrator creates this file (JSON: {startMs, endMs}) when the window is over. */
  stopFile?: string;
  /** idle: final results (timer fires etc. within the window). */
  finalFile?: string;
  /** activate: write a V8 CPU profile of the activation here (diagnostics; distorts the timing). */
  profileFile?: string;
  /** activate: time each vscode API call the extension makes while activating (diagnostics). */
  traceApi?: boolean;
  seed?: { authBase: string; envId: string; clientId: string; clientSecret: string; tokenSets: number };
  scale?: { sizes: number[]; runs: number; warmup: number; environments: number; applicationsPerEnvironment: number };
  /** memory: how many token sets the extension's own tree draws after the first reading (0 for the empty extension). */
  memory?: { tokenSets: number };
  /**
   * getToken: the "Get Token" command end to end. With `seed`, adds the environment and application
   * first (through the API) and runs one untimed command; then `runs` timed ones for `applicationId`
   * (or the seeded one).
   */
  getToken?: {
    runs: number;
    /** More commands after the timed ones, each under V8's sampling profiler (see GetTokenProfile). */
    profiledRuns?: number;
    applicationId?: string;
    seed?: { authBase: string; envId: string; clientId: string; clientSecret: string };
    /** host:port of the sandbox: the HTTP requests timed are those to it. */
    origin: string;
    /** Remove the application's environment (and its token sets) once measured: later windows see the stores as before. */
    removeEnvironmentAfter?: boolean;
  };
  /** Wrap the extension's vscode.window.createTreeView to reach its tree (memory, getToken). */
  captureTree?: boolean;
}

export interface MemoryResult {
  /** process.memoryUsage().heapUsed after a full GC, right after activation. */
  afterActivationBytes: number;
  /** … after the extension's tree drew `tokenSets` token sets (its own provider, fully expanded). */
  afterDrawBytes?: number;
  tokenSets: number;
  /** Tree nodes the draw returned. */
  nodes?: number;
}

export interface GetTokenSample {
  /** executeCommand('pingone.getToken') until it resolved and the tree had drawn the new set. */
  totalMs: number;
  /** … until the command resolved (the token stored). */
  storedMs: number;
  /** Union of the HTTP requests to the sandbox (request() until the response ended). */
  httpMs: number;
  /** Union of SecretStorage calls (call until settled). */
  secretsMs: number;
  /** Union of globalState.update calls. */
  stateMs: number;
  /** Union of all three (they overlap): the time spent waiting on HTTP or VS Code's stores. */
  waitingMs: number;
  /** Whether the tree's redraw of the new set was seen (else totalMs is storedMs). */
  redrawn: boolean;
  requests: number;
}

/**
 * One profiled command (the profiler slows what it watches, so these are not timed samples): the
 * CPU time whose innermost JavaScript frame is the extension's own code (its dist/ bundles and
 * jose; node-fetch counts as HTTP), with the natives and Node built-ins that code calls directly.
 */
export interface GetTokenProfile {
  ownCpuMs: number;
  /** All sampled CPU time in the extension host over the same command (its whole process). */
  hostCpuMs: number;
}

export interface GetTokenResult {
  applicationId: string;
  samples: GetTokenSample[];
  profiles: GetTokenProfile[];
}

export interface ActivationResult {
  wasActiveBefore: boolean;
  /** How long the host took to settle after start-up before the measurement. */
  settleMs: number;
  /** `await vscode.extensions.getExtension(id).activate()` as the in-host module sees it. */
  totalMs: number;
  /** require() of the main file (Module._load), inside the above. */
  requireMs?: number;
  /** activate(context): the synchronous call. */
  activateCallMs?: number;
  /** activate(context) until its returned value / promise resolved. */
  activateResolvedMs?: number;
  /** CPU time of the process during the synchronous require(main) / activate() call. */
  requireCpuMs?: number;
  activateCpuMs?: number;
  /** Between the end of require() and the call of activate(): VS Code creating the context. */
  contextMs?: number;
  /** From the start of require(main) until activate() resolved (the definition). */
  spanMs?: number;
  /** Connections (net.Socket#connect), DNS lookups, http(s).request and fetch calls made from activation start until activate resolved. */
  network: { all: number; fromExtension: number; details: string[] };
  /** ExtensionContext.secrets calls during activate(). */
  secrets: Record<string, number>;
  /** ExtensionContext.globalState calls during activate() (metadata; informational). */
  globalState: Record<string, number>;
  /**
   * After activation: require() of dist/features.js beside the main file, when there is one. The
   * extension does this once, on the first command, grant or inspector; activation does not.
   */
  onDemandLoadMs?: number;
  /** What ours did with each bundle's code cache ('written', 'used', 'rejected'…), from dist/main.js. */
  codeCache?: Record<string, string>;
  /** Timers created by the extension's code during activate(). */
  timersCreated: number;
  /** With traceApi: ms and calls per vscode API function during activation. */
  apiTimes?: Record<string, { calls: number; ms: number }>;
}

export interface ScaleResult {
  size: number;
  applications: number;
  /** Tree nodes returned (environments + applications + token sets). */
  nodes: number;
  /** First full expansion in this host (cold JIT). */
  coldMs: number;
  /** Full expansions after warm-up. */
  samples: number[];
}

export interface SessionResult {
  label: string;
  pid: number;
  /** The extension host's own clock when results were written (epoch ms). */
  at: number;
  activation?: ActivationResult;
  scale?: ScaleResult[];
  seeded?: { tokenSets: number };
  memory?: MemoryResult;
  getToken?: GetTokenResult;
  /** Secrets calls through the context after activation (seeding included), by method. */
  secretsAfterActivation?: Record<string, number>;
  error?: string;
}

export interface IdleFinal {
  pid: number;
  windowMs: number;
  /** Timer callbacks that ran inside the window, in the whole extension host. */
  timerFiresAll: number;
  /** … of timers the extension's code created. */
  timerFiresExtension: number;
  /**
   * … in how many distinct seconds of the window they fired: a periodic wake-up shows in many,
   * one burst (VS Code batches each message the extension sends with a 0 ms timer) in one or two.
   */
  timerSecondsExtension: number;
  /** Distinct timers (setInterval/setTimeout) the extension created that are still pending or repeating. */
  extensionTimers: Array<{ kind: string; delayMs: number; fires: number }>;
  /** Connections / requests from the extension inside the window. */
  networkFromExtension: number;
  /** Secret-store calls through the context inside the window. */
  secretsInWindow: Record<string, number>;
}
