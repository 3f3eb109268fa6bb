// What the orchestrator (bench.ts, plain Node) and the in-host module (inHost.ts, inside the
// extension host) exchange. The orchestrator writes a SessionConfig into the workspace folder it
// opens; the in-host module reads it, does the steps and writes JSON results to files.

/** Where the in-host module finds its instructions: `<workspace folder>/SESSION_FILE`. */
export const SESSION_FILE = '.pte-bench-session.json';

export type Step = 'activate' | 'scale' | 'seed' | 'openView' | 'idle';

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
  /** Distinct timers (setInterval/setTimeout) the extension created that are still pending or repeating. */
  extensionTimers: Array<{ kind: string; delayMs: number; fires: number }>;
  /** Connections / requests from the extension inside the window. */
  networkFromExtension: number;
  /** Secret-store calls through the context inside the window. */
  secretsInWindow: Record<string, number>;
}
