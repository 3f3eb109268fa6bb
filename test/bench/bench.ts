// `npm run bench`: one table of figures, each measured in this run on this machine next to its
// baseline, with the ratio, the budget and a verdict. Nothing here is asserted in a timed test; a
// missed budget is reported (and the exit code stays 0 unless the run itself failed).
//
//   Bundle      production dist/main.js + dist/extension.js raw and gzip, top inputs (esbuild metafile), VSIX
//   Activation  getExtension(id).activate() in a real extension host (code-server), median of
//               fresh hosts, against an empty extension; network and secret reads during it
//   Requests    client-credentials and refresh through the extension's core vs plain node:http vs
//               curl, against the sandbox on loopback (median and p95)
//   Round trips HTTP requests per operation (first token after a restart, refresh, sign-in, ten
//               concurrent refreshes in one window and in two) against the physical minimum
//   Scale       the Explorer tree's full expansion for 1, 100 and 1,000 token sets (in the host);
//               the inspector's first render for a 4 KB and a 16 KB JWT (headless Chromium)
//   Memory      extension-host heap (after a full GC) right after activation and after the
//               extension's own tree drew 1,000 token sets, against the empty extension's host
//   End to end  the "Get Token" command until the token is stored and the open tree drew it, in a
//               warm window and in the first command of fresh windows on the same user data (what a
//               restart starts from), split into HTTP, SecretStorage, globalState and the rest
//   Idle        CPU time of the extension host over 60 s, PingOne view open, vs the empty extension
//
// Environment:
//   PTE_BENCH_IDLE_SECONDS   idle window (default 60)
//   PTE_BENCH_REQUESTS       requests per method and grant (default 200, after 20 warm-up)
//   PTE_BENCH_ACTIVATIONS    activation samples per extension (default 21, after 1 warm-up)
//   PTE_BENCH_PROFILE=1      also write a CPU profile of one more activation of ours (diagnostics)
//   PTE_BENCH_PROFILE_DIR    write the profiles of the profiled Get Token commands into this folder (diagnostics)
//   PTE_BENCH_PHASES         subset, e.g. "bundle,requests" (default: all of bundle,requests,roundtrips,inspector,host;
//                            host = activation,scale,memory,gettoken,idle, which can also be chosen one by one)
//   PTE_BENCH_MEMORY         memory samples per extension (default 3)
//   PTE_BENCH_GET_TOKEN      timed Get Token commands in the warm window (default 9) and fresh windows (default 3): "9,3"
//   PTE_KEEP_TMP=1           keep the run folder (logs, session files)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { exitOnSignals, onCleanup } from '../host/lib/cleanup';
import { CODE_SERVER_VERSION, ensureCodeServer } from '../host/lib/codeServer';
import { ensureDir, makeRunDir, repoRoot } from '../host/lib/paths';
import { envInt } from '../host/lib/proc';
import { startSandbox } from '../sandbox';
import { measureBundle, type BundleFigures } from './lib/bundle';
import { copyOurs, makeEmpty, measureIdle, startHost, type IdleFigures } from './lib/host';
import { measureInspector, type InspectorFigures } from './lib/inspector';
import { measureRequests, type GrantTimings, type RequestFigures } from './lib/requests';
import { measureRoundTrips, type RoundTrip } from './lib/roundTrips';
import type { ActivationResult, GetTokenProfile, GetTokenResult, GetTokenSample, MemoryResult, ScaleResult } from './lib/session';
import { bytes, max, median, min, ms, percentile, ratio, x } from './lib/stats';
import { markdownTable, textTable, type Row, type Verdict } from './lib/table';
import { runLauncher } from '../host/lib/launcher';

const LABEL = 'bench';
const log = (line: string) => console.log(`[${LABEL}] ${line}`);

// Restated for the capabilities the open issues add, read the stricter way (1 KB = 1,000 bytes):
// what activation loads at most 60 KB, everything shipped at most 300 KB, the VSIX at most 400 KB.
const KB = 1000;
const BUDGET = {
  activationBundleBytes: 60 * KB,
  bundleBytes: 300 * KB,
  vsixBytes: 400 * KB,
  activationRatio: 2,
  /** The core against node-fetch with a keep-alive agent per origin, on the same requests. */
  requestRatio: 1.1,
  tree1000Ms: 50,
};

interface Machine {
  /** /proc/loadavg (1, 5, 15 min) when the run started: other work on the machine skews timings. */
  loadAverage: string;
  cpus: number;
  cpuModel: string;
  node: string;
  os: string;
  codeServer: string;
  memoryGiB: number;
}

function machine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    codeServer: `code-server ${CODE_SERVER_VERSION} (VS Code 1.100.3)`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

const verdict = (ok: boolean | undefined): Verdict => (ok === undefined ? 'n/a' : ok ? 'ok' : 'MISSED');

// ---- rows --------------------------------------------------------------------------------------

function bundleRows(b: BundleFigures): Row[] {
  const total = b.extensionBytes + b.featuresBytes + b.vendorBytes;
  return [
    {
      section: 'Bundle',
      measure: 'extension code shipped: dist/main.js + dist/extension.js + dist/features.js + dist/vendor/ (the last two loaded on first use), minified',
      ours: bytes(total),
      baseline: `budget ${bytes(BUDGET.bundleBytes)}`,
      ratio: `${x(total / BUDGET.bundleBytes)} of budget`,
      budget: '≤ 300 KB',
      verdict: verdict(total <= BUDGET.bundleBytes),
      data: { bytes: total, features: b.featuresBytes, vendor: b.vendorFiles },
    },
    {
      section: 'Bundle',
      measure: 'dist/main.js + dist/extension.js (what activation loads), minified',
      ours: bytes(b.extensionBytes),
      baseline: `budget ${bytes(BUDGET.activationBundleBytes)}; ${bytes(total)} shipped`,
      ratio: `${x(b.extensionBytes / BUDGET.activationBundleBytes)} of budget`,
      budget: '≤ 60 KB',
      verdict: verdict(b.extensionBytes <= BUDGET.activationBundleBytes),
      data: { bytes: b.extensionBytes, contributors: b.contributors },
    },
    {
      section: 'Bundle',
      measure: 'dist/main.js + dist/extension.js, gzip -9',
      ours: bytes(b.extensionGzipBytes),
      baseline: bytes(b.extensionBytes),
      ratio: x(b.extensionGzipBytes / b.extensionBytes),
      budget: '—',
      verdict: 'info',
      data: { bytes: b.extensionGzipBytes },
    },
    {
      section: 'Bundle',
      measure: 'VSIX (vsce package --no-dependencies)',
      ours: b.vsixBytes !== undefined ? `${bytes(b.vsixBytes)}${b.vsixFiles ? `, ${b.vsixFiles} files` : ''}` : `n/a: ${b.vsixError}`,
      baseline: `budget ${bytes(BUDGET.vsixBytes)}`,
      ratio: b.vsixBytes !== undefined ? `${x(b.vsixBytes / BUDGET.vsixBytes)} of budget` : 'n/a',
      budget: '≤ 400 KB',
      verdict: b.vsixBytes !== undefined ? verdict(b.vsixBytes <= BUDGET.vsixBytes) : 'n/a',
      data: { bytes: b.vsixBytes, error: b.vsixError },
    },
  ];
}

function activationRows(ours: ActivationResult[], empty: ActivationResult[]): Row[] {
  const list = (l: ActivationResult[], k: keyof ActivationResult) => l.map((a) => a[k]).filter((v): v is number => typeof v === 'number');
  const med = (l: ActivationResult[], k: keyof ActivationResult) => median(list(l, k));
  const spread = (l: ActivationResult[], k: keyof ActivationResult) => `${ms(min(list(l, k)))}–${ms(max(list(l, k)))}`;
  const part = (measure: string, k: keyof ActivationResult): Row => ({
    section: 'Activation',
    measure,
    ours: ms(med(ours, k)),
    baseline: ms(med(empty, k)),
    ratio: x(ratio(med(ours, k), med(empty, k))),
    budget: '—',
    verdict: 'info',
    data: { ours: list(ours, k), empty: list(empty, k) },
  });
  const span = { ours: med(ours, 'spanMs'), empty: med(empty, 'spanMs') };
  const netExt = ours.reduce((n, a) => n + a.network.fromExtension, 0);
  const netAll = ours.reduce((n, a) => n + a.network.all, 0);
  const secretCalls = ours.reduce((n, a) => n + Object.values(a.secrets).reduce((s, v) => s + v, 0), 0);
  const secretReads = ours.reduce((n, a) => n + (a.secrets.get ?? 0) + (a.secrets.keys ?? 0), 0);
  const stateCalls = ours[0]?.globalState ?? {};
  return [
    {
      section: 'Activation',
      measure: `require(main) → activate() resolved, in a fresh extension host each, median of ${ours.length}`,
      ours: `${ms(span.ours)} (${spread(ours, 'spanMs')})`,
      baseline: `${ms(span.empty)} empty ext. (${spread(empty, 'spanMs')})`,
      ratio: x(ratio(span.ours, span.empty)),
      budget: '< 2x empty',
      verdict: verdict(ratio(span.ours, span.empty) < BUDGET.activationRatio),
      data: { ours: list(ours, 'spanMs'), empty: list(empty, 'spanMs') },
    },
    part('… require(main): loading dist/main.js (ours: the code-cache loader only)', 'requireMs'),
    part('… require(main): CPU time', 'requireCpuMs'),
    part('… VS Code creating the ExtensionContext (between require and activate)', 'contextMs'),
    part('… activate(context) until resolved (ours: loading dist/extension.js with its code cache, then activating)', 'activateResolvedMs'),
    part('… activate(context) call: CPU time', 'activateCpuMs'),
    {
      section: 'Activation',
      measure: 'dist/extension.js compiled from the code cache the previous host wrote',
      ours: `in ${ours.filter((a) => a.codeCache?.['extension.js'] === 'used').length} of ${ours.length} hosts`,
      baseline: '—',
      ratio: '—',
      budget: '—',
      verdict: 'info',
      data: { ours: ours.map((a) => a.codeCache?.['extension.js'] ?? 'unknown') },
    },
    part('getExtension(id).activate() as a caller sees it (includes VS Code bookkeeping)', 'totalMs'),
    {
      section: 'Activation',
      measure: 'deferred to first use: loading dist/features.js with its code cache (once, on the first command, grant or inspector)',
      ours: ms(med(ours, 'onDemandLoadMs')),
      baseline: '—',
      ratio: '—',
      budget: '—',
      verdict: 'info',
      data: { ours: list(ours, 'onDemandLoadMs') },
    },
    {
      section: 'Activation',
      measure: 'network calls from the extension during activation (connect/http/fetch)',
      ours: `${netExt} in ${ours.length} activations`,
      baseline: `${netAll} by anyone in the host meanwhile`,
      ratio: '—',
      budget: '0',
      verdict: verdict(netExt === 0),
      data: { details: ours.flatMap((a) => a.network.details) },
    },
    {
      section: 'Activation',
      measure: 'secret reads during activation (context.secrets get/keys)',
      ours: `${secretReads} in ${ours.length} activations`,
      baseline: `all secrets calls: ${secretCalls}; globalState: ${
        Object.entries(stateCalls)
          .map(([k, v]) => `${k}×${v}`)
          .join(', ') || 'none'
      }`,
      ratio: '—',
      budget: '0',
      verdict: verdict(secretReads === 0),
      data: { secrets: ours.map((a) => a.secrets), globalState: ours.map((a) => a.globalState), settleMs: list(ours, 'settleMs') },
    },
  ];
}

function requestRows(r: RequestFigures): Row[] {
  const rows: Row[] = [];
  const grant = (label: string, t: GrantTimings) => {
    const s = t.samples;
    const med = {
      core: median(s.core),
      node: median(s.node),
      nodeFetch: median(s.nodeFetch),
      nodeFetchKeepAlive: median(s.nodeFetchKeepAlive),
      builtinFetch: median(s.builtinFetch),
      curl: median(s.curl),
      curlTotal: median(s.curlTotal),
    };
    const p95 = {
      core: percentile(s.core, 95),
      node: percentile(s.node, 95),
      nodeFetch: percentile(s.nodeFetch, 95),
      nodeFetchKeepAlive: percentile(s.nodeFetchKeepAlive, 95),
      builtinFetch: percentile(s.builtinFetch, 95),
      curl: percentile(s.curl, 95),
      curlTotal: percentile(s.curlTotal, 95),
    };
    rows.push(
      {
        section: 'Requests',
        measure: `${label}: core vs node-fetch with a keep-alive agent per origin, median of ${s.core.length}`,
        ours: ms(med.core),
        baseline: `${ms(med.nodeFetchKeepAlive)} node-fetch keep-alive`,
        ratio: x(ratio(med.core, med.nodeFetchKeepAlive)),
        budget: '≤ 1.1x node-fetch keep-alive',
        verdict: verdict(ratio(med.core, med.nodeFetchKeepAlive) <= BUDGET.requestRatio),
        data: { median: med, p95 },
      },
      {
        section: 'Requests',
        measure: `${label}: core vs node-fetch with a keep-alive agent per origin, p95`,
        ours: ms(p95.core),
        baseline: `${ms(p95.nodeFetchKeepAlive)} node-fetch keep-alive`,
        ratio: x(ratio(p95.core, p95.nodeFetchKeepAlive)),
        budget: '≤ 1.1x node-fetch keep-alive',
        verdict: verdict(ratio(p95.core, p95.nodeFetchKeepAlive) <= BUDGET.requestRatio),
      },
      {
        section: 'Requests',
        measure: `${label}: core vs plain node:http (median / p95)`,
        ours: `${ms(med.core)} / ${ms(p95.core)}`,
        baseline: `${ms(med.node)} / ${ms(p95.node)} node:http`,
        ratio: `${x(ratio(med.core, med.node))} / ${x(ratio(p95.core, p95.node))}`,
        budget: '—',
        verdict: 'info',
      },
      {
        section: 'Requests',
        measure: `${label}: where it goes: node-fetch alone vs node:http (median / p95)`,
        ours: `${ms(med.nodeFetch)} / ${ms(p95.nodeFetch)} node-fetch`,
        baseline: `${ms(med.node)} / ${ms(p95.node)} node:http`,
        ratio: `${x(ratio(med.nodeFetch, med.node))} / ${x(ratio(p95.nodeFetch, p95.node))}`,
        budget: '—',
        verdict: 'info',
      },
      {
        section: 'Requests',
        measure: `${label}: where it goes: core vs node-fetch alone (median / p95)`,
        ours: `${ms(med.core)} / ${ms(p95.core)}`,
        baseline: `${ms(med.nodeFetch)} / ${ms(p95.nodeFetch)} node-fetch`,
        ratio: `${x(ratio(med.core, med.nodeFetch))} / ${x(ratio(p95.core, p95.nodeFetch))}`,
        budget: '—',
        verdict: 'info',
      },
      {
        section: 'Requests',
        measure: `${label}: Node's built-in fetch (undici) vs node:http (median / p95)`,
        ours: `${ms(med.builtinFetch)} / ${ms(p95.builtinFetch)} fetch`,
        baseline: `${ms(med.node)} / ${ms(p95.node)} node:http`,
        ratio: `${x(ratio(med.builtinFetch, med.node))} / ${x(ratio(p95.builtinFetch, p95.node))}`,
        budget: '—',
        verdict: 'info',
      },
      {
        section: 'Requests',
        measure: `${label}: core vs curl spawned per request (median / p95)`,
        ours: `${ms(med.core)} / ${ms(p95.core)}`,
        baseline: `${ms(med.curl)} / ${ms(p95.curl)} curl`,
        ratio: `${x(ratio(med.core, med.curl))} / ${x(ratio(p95.core, p95.curl))}`,
        budget: '—',
        verdict: 'info',
      },
      {
        section: 'Requests',
        measure: `${label}: core vs curl's own time_total (median / p95)`,
        ours: `${ms(med.core)} / ${ms(p95.core)}`,
        baseline: `${ms(med.curlTotal)} / ${ms(p95.curlTotal)} curl -w`,
        ratio: `${x(ratio(med.core, med.curlTotal))} / ${x(ratio(p95.core, p95.curlTotal))}`,
        budget: '—',
        verdict: 'info',
      },
    );
  };
  grant('client credentials', r.clientCredentials);
  grant('refresh (rotating)', r.refresh);
  return rows;
}

function roundTripRows(trips: RoundTrip[]): Row[] {
  return trips.map((t) => ({
    section: 'Round trips',
    measure: `${t.operation}: HTTP requests`,
    ours: String(t.measured),
    baseline: `minimum ${t.minimum} (${t.floor})`,
    ratio: x(t.measured / t.minimum),
    budget: '= minimum',
    verdict: verdict(t.measured === t.minimum),
    data: { requests: t.requests },
  }));
}

function scaleRows(scale: ScaleResult[]): Row[] {
  const by = new Map(scale.map((s) => [s.size, s]));
  const one = by.get(1);
  const rows: Row[] = [];
  for (const s of scale) {
    const m = median(s.samples);
    const base = one ? median(one.samples) : NaN;
    rows.push({
      section: 'Scale',
      measure: `tree full expansion (getChildren + getTreeItem), ${s.size.toLocaleString('en-US')} token set${s.size === 1 ? '' : 's'}, ${s.nodes} nodes, median of ${s.samples.length}`,
      ours: `${ms(m)} (p95 ${ms(percentile(s.samples, 95))}; first in this host ${ms(s.coldMs)})`,
      baseline: s.size === 1 ? '—' : `${ms(base)} for 1`,
      ratio: s.size === 1 ? '—' : x(ratio(m, base)),
      budget: s.size === 1000 ? '< 50 ms' : '—',
      verdict: s.size === 1000 ? verdict(m < BUDGET.tree1000Ms) : 'info',
      data: { samples: s.samples, coldMs: s.coldMs, nodes: s.nodes, applications: s.applications },
    });
  }
  const a = by.get(100);
  const b = by.get(1000);
  if (a && b) {
    rows.push({
      section: 'Scale',
      measure: 'tree growth 100 → 1,000 token sets (10x more; 10x = linear)',
      ours: ms(median(b.samples)),
      baseline: `${ms(median(a.samples))} for 100`,
      ratio: x(ratio(median(b.samples), median(a.samples))),
      budget: '—',
      verdict: 'info',
    });
  }
  return rows;
}

function coldTreeRow(cold: number[]): Row {
  const m = median(cold);
  return {
    section: 'Scale',
    measure: `tree, 1,000 token sets: first expansion in a fresh extension host (cold), median of ${cold.length} hosts`,
    ours: `${ms(m)} (${ms(min(cold))}–${ms(max(cold))})`,
    baseline: '—',
    ratio: '—',
    budget: '< 50 ms',
    verdict: verdict(m < BUDGET.tree1000Ms),
    data: { samples: cold },
  };
}

function inspectorRows(f: InspectorFigures): Row[] {
  const [small] = f.sizes;
  return f.sizes.map((s) => ({
    section: 'Scale',
    measure: `inspector first render, ${s.label} (${s.tokenChars} chars, ${s.claims} claims): show → DOM + layout, median of ${s.samples.length}`,
    ours: `${ms(median(s.samples.map((v) => v.layoutMs)))} (next frame ${ms(median(s.samples.map((v) => v.frameMs)))})`,
    baseline: s === small ? '—' : `${ms(median(small.samples.map((v) => v.layoutMs)))} for ${small.label}`,
    ratio: s === small ? '—' : x(ratio(median(s.samples.map((v) => v.layoutMs)), median(small.samples.map((v) => v.layoutMs)))),
    budget: '—',
    verdict: 'info',
    data: { samples: s.samples },
  }));
}

const mainThread = (threads: Record<string, number>) => Object.entries(threads).find(([k]) => k.startsWith('main'))?.[1] ?? NaN;

function idleRows(f: IdleFigures): Row[] {
  const seconds = f.windowMs / 1000;
  const fires = f.ours.final.timerFiresExtension;
  const wakeSeconds = f.ours.final.timerSecondsExtension;
  // A per-second countdown would fire in about every second of the window; a burst of calls (VS
  // Code answering the authentication provider's getSessions at start-up, say) in one or two.
  const oneSecondTick = wakeSeconds >= seconds / 2;
  const timers = new Map<string, number>();
  for (const t of f.ours.final.extensionTimers) timers.set(`${t.kind} ${t.delayMs / 1000} s`, (timers.get(`${t.kind} ${t.delayMs / 1000} s`) ?? 0) + t.fires);
  return [
    {
      section: 'Idle',
      measure: `extension host CPU time over ${seconds.toFixed(0)} s: view open, ${f.ours.tokenSets} token sets, no inspector`,
      ours: `${ms(f.ours.cpuMs)} (main thread ${ms(mainThread(f.ours.threads))})`,
      baseline: `${ms(f.empty.cpuMs)} empty ext. (main thread ${ms(mainThread(f.empty.threads))})`,
      ratio: x(ratio(f.ours.cpuMs, f.empty.cpuMs)),
      budget: 'no per-second wake-ups',
      verdict: verdict(!oneSecondTick),
      data: f as unknown as Record<string, unknown>,
    },
    {
      section: 'Idle',
      measure: "timer callbacks from the extension's code in that window (0 s timers are VS Code batching the messages the extension's calls send)",
      ours: `${fires} in ${wakeSeconds} distinct seconds (${[...timers].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'})`,
      baseline: `${f.empty.final.timerFiresExtension} empty ext.`,
      ratio: '—',
      budget: `fired in < ${Math.ceil(seconds / 2)} distinct seconds (not every second)`,
      verdict: verdict(!oneSecondTick),
    },
  ];
}

/** Which part of activation grows against the empty extension (the issue asks for it when 2x is not held). */
function activationPartsRow(ours: ActivationResult[], empty: ActivationResult[]): Row {
  const med = (l: ActivationResult[], k: keyof ActivationResult) => median(l.map((a) => a[k]).filter((v): v is number => typeof v === 'number'));
  const parts = [
    ['require', 'requireMs'],
    ['context', 'contextMs'],
    ['activate', 'activateResolvedMs'],
  ] as const;
  const grown = parts.map(([name, k]) => ({ name, ours: med(ours, k), empty: med(empty, k), more: med(ours, k) - med(empty, k) }));
  const largest = [...grown].sort((a, b) => b.more - a.more)[0];
  return {
    section: 'Activation',
    measure: 'where activation grows over the empty extension: median difference per part',
    ours: grown.map((g) => `${g.name} +${ms(g.more)}`).join(', '),
    baseline: grown.map((g) => `${g.name} ${ms(g.empty)}`).join(', '),
    ratio: `most: ${largest.name} (${x(ratio(largest.ours, largest.empty))})`,
    budget: '—',
    verdict: 'info',
    data: { parts: grown },
  };
}

function memoryRows(ours: MemoryResult[], empty: MemoryResult[]): Row[] {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const act = { ours: median(ours.map((m) => m.afterActivationBytes)), empty: median(empty.map((m) => m.afterActivationBytes)) };
  const drawn = ours.map((m) => m.afterDrawBytes).filter((v): v is number => typeof v === 'number');
  const draw = median(drawn);
  const sets = ours[0]?.tokenSets ?? 0;
  const spread = (l: number[]) => `${mib(min(l))}–${mib(max(l))}`;
  return [
    {
      section: 'Memory',
      measure: `extension-host heap after activation (full GC), fresh host each, median of ${ours.length}`,
      ours: `${mib(act.ours)} (${spread(ours.map((m) => m.afterActivationBytes))})`,
      baseline: `${mib(act.empty)} empty ext. (${spread(empty.map((m) => m.afterActivationBytes))})`,
      ratio: `${x(ratio(act.ours, act.empty))} (+${mib(act.ours - act.empty)})`,
      budget: '—',
      verdict: 'info',
      data: { ours: ours.map((m) => m.afterActivationBytes), empty: empty.map((m) => m.afterActivationBytes) },
    },
    {
      section: 'Memory',
      measure: `… after the extension's tree drew ${sets.toLocaleString('en-US')} token sets (${ours[0]?.nodes ?? '?'} nodes, kept as the view keeps them)`,
      ours: `${mib(draw)} (${drawn.length ? spread(drawn) : 'n/a'})`,
      baseline: `${mib(act.empty)} empty ext.; ${mib(act.ours)} ours before drawing`,
      ratio: `${x(ratio(draw, act.empty))} (+${mib(draw - act.ours)} for the sets, ${sets ? ((draw - act.ours) / sets / 1024).toFixed(2) : 'n/a'} KiB each)`,
      budget: '—',
      verdict: 'info',
      data: { ours: drawn },
    },
  ];
}

function getTokenRows(warm: GetTokenResult, first: GetTokenResult[]): Row[] {
  const row = (label: string, samples: GetTokenSample[], profiles: GetTokenProfile[]): Row => {
    const total = median(samples.map((s) => s.totalMs));
    const http = median(samples.map((s) => s.httpMs));
    const secrets = median(samples.map((s) => s.secretsMs));
    const state = median(samples.map((s) => s.stateMs));
    // The parts overlap (a secret is read while a request is open): the own share is what none covers.
    // What no wait covers: the extension's own work plus VS Code's command dispatch and its
    // tree-refresh round trip to the workbench and back (the change event to the getChildren call).
    const rest = median(samples.map((s) => Math.max(0, s.totalMs - s.waitingMs)));
    // The extension's own code alone, as CPU time in separate profiled commands. Both figures
    // bound the own work from above: the rest also holds VS Code's dispatch, and the profiler
    // slows what it samples (most in a fresh window, where code runs for the first time and is
    // compiled under the profiler). The budget is judged on the smaller of the two.
    const profiled = profiles.length ? median(profiles.map((p) => p.ownCpuMs)) : undefined;
    const own = profiled === undefined ? undefined : Math.min(profiled, rest);
    const stored = median(samples.map((s) => s.storedMs));
    const requests = samples.map((s) => s.requests);
    const redrawn = samples.filter((s) => s.redrawn).length;
    const ownText =
      own === undefined
        ? `the extension's own work and VS Code's dispatch ${ms(rest)}`
        : `the rest ${ms(rest)}: the extension's own work and VS Code's dispatch and tree round trip; the extension's own code alone ${ms(profiled as number)} CPU (median of ${profiles.length} profiled commands)`;
    return {
      section: 'End to end',
      measure: `"Get Token" until stored and the tree redrawn, ${label}, median of ${samples.length} (redraw seen in ${redrawn}; HTTP requests ${min(requests)}–${max(requests)})`,
      ours: `${ms(total)} (stored after ${ms(stored)}; ${ms(min(samples.map((s) => s.totalMs)))}–${ms(max(samples.map((s) => s.totalMs)))})`,
      baseline: `HTTP ${ms(http)} · SecretStorage ${ms(secrets)} · globalState ${ms(state)} (overlapping) · ${ownText}`,
      ratio: `${x(ratio(total, http))} of HTTP alone; own share ${((100 * (own ?? rest)) / total).toFixed(0)}%`,
      budget: 'own work the smallest part',
      verdict: verdict((own ?? rest) < http && (own ?? rest) < secrets),
      data: { samples, profiles },
    };
  };
  const firstSamples = first.flatMap((r) => r.samples);
  return [
    row('warm window', warm.samples, warm.profiles),
    ...(firstSamples.length
      ? [
          row(
            'first command in a fresh window on the same user data (as after a restart)',
            firstSamples,
            first.flatMap((r) => r.profiles),
          ),
        ]
      : []),
  ];
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<number> {
  exitOnSignals(LABEL);
  const started = Date.now();
  const repo = repoRoot();
  const phases = new Set((process.env.PTE_BENCH_PHASES ?? 'bundle,requests,roundtrips,inspector,host').split(',').map((s) => s.trim()));
  const idleSeconds = envInt('PTE_BENCH_IDLE_SECONDS', 60);
  const requests = envInt('PTE_BENCH_REQUESTS', 200);
  const activations = envInt('PTE_BENCH_ACTIVATIONS', 21);
  const testsModule = path.join(repo, 'out', 'test', 'bench', 'inHost.js');
  const runDir = makeRunDir(LABEL);
  const keep = process.env.PTE_KEEP_TMP === '1';
  onCleanup(() => {
    if (!keep) fs.rmSync(runDir, { recursive: true, force: true });
  });
  const m = machine();
  log(`machine: ${m.cpus} CPUs, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average ${m.loadAverage}`);

  const sections: Record<'bundle' | 'activation' | 'requests' | 'roundTrips' | 'scale' | 'inspector' | 'memory' | 'endToEnd' | 'idle', Row[]> = {
    bundle: [],
    activation: [],
    memory: [],
    endToEnd: [],
    requests: [],
    roundTrips: [],
    scale: [],
    inspector: [],
    idle: [],
  };
  const extra: Record<string, unknown> = {};
  let bundle: BundleFigures | undefined;
  const hostPhases = ['activation', 'scale', 'memory', 'gettoken', 'idle'].filter((p) => phases.has(p) || phases.has('host'));
  const memorySamples = envInt('PTE_BENCH_MEMORY', 3);
  const [warmRuns, firstWindows] = (process.env.PTE_BENCH_GET_TOKEN ?? '9,3').split(',').map((v) => Number(v));

  if (phases.has('bundle') || hostPhases.length) {
    log('— bundle');
    bundle = await measureBundle(repo, log);
    if (phases.has('bundle')) sections.bundle = bundleRows(bundle);
  }

  if (phases.has('requests')) {
    log('— token-request overhead');
    const r = await measureRequests({ n: requests, warmup: 20, log });
    sections.requests = requestRows(r);
    extra.refresh = r.refreshNote;
    extra.tokenRequestsSeen = r.tokenRequestsSeen;
  }

  if (phases.has('roundtrips')) {
    log('— round trips');
    sections.roundTrips = roundTripRows(await measureRoundTrips({ log, windowProcess: path.join(__dirname, '..', 'support', 'windowProcess.js') }));
  }

  let inspector: InspectorFigures | undefined;
  if (phases.has('inspector')) {
    log('— inspector first render');
    if (!fs.existsSync(path.join(repo, 'dist', 'webview', 'inspector.js'))) {
      log('dist/webview/inspector.js is missing: inspector figures are n/a');
    } else {
      inspector = await measureInspector(repo, { samples: 9, log });
      sections.inspector = inspectorRows(inspector);
    }
  }

  if (hostPhases.length) {
    log(`— real extension host (code-server): ${hostPhases.join(', ')}`);
    if (!fs.existsSync(testsModule)) throw new Error(`${path.relative(repo, testsModule)} is missing; build first: node esbuild.js --tests`);
    const install = await ensureCodeServer({ log: (l) => log(`code-server ${l}`) });
    const ours = copyOurs(repo, ensureDir(runDir, 'ext', 'ours'));
    const empty = makeEmpty(ensureDir(runDir, 'ext', 'empty'));
    // A private copy: `node esbuild.js --tests` (another run) empties out/ first.
    const inHost = path.join(ensureDir(runDir, 'in-host'), 'inHost.js');
    fs.copyFileSync(testsModule, inHost);
    if (fs.existsSync(`${testsModule}.map`)) fs.copyFileSync(`${testsModule}.map`, `${inHost}.map`);
    const host = await startHost({ install, runDir, testsModule: inHost, log });

    if (hostPhases.includes('activation') || hostPhases.includes('scale')) {
      // Warm-up hosts (discarded for activation): the first window pays for cold caches. The
      // first one of ours also runs the tree at scale.
      log(`warm-up host${hostPhases.includes('scale') ? ' (+ tree at scale)' : ''}`);
      const warm = await host.session('warmup-ours', ours, hostPhases.includes('scale') ? ['activate', 'scale'] : ['activate'], {
        scale: { sizes: [1, 100, 1000], runs: 15, warmup: 3, environments: 2, applicationsPerEnvironment: 5 },
      });
      if (warm.result.scale) sections.scale = scaleRows(warm.result.scale);
    }
    if (hostPhases.includes('activation')) {
      await host.session('warmup-empty', empty, ['activate']);
      const oursA: ActivationResult[] = [];
      const coldTree: number[] = [];
      const emptyA: ActivationResult[] = [];
      for (let i = 0; i < activations; i++) {
        // Alternate which goes first so drift between windows hits both alike.
        const pair =
          i % 2 === 0
            ? ([
                ['ours', ours],
                ['empty', empty],
              ] as const)
            : ([
                ['empty', empty],
                ['ours', ours],
              ] as const);
        for (const [name, ext] of pair) {
          // Ours: after the activation, the first tree expansion with 1,000 token sets in this
          // fresh host (cold JIT), when the scale phase is on.
          const withCold = name === 'ours' && hostPhases.includes('scale');
          const s = await host.session(`activate-${name}-${i + 1}`, ext, withCold ? ['activate', 'scale'] : ['activate'], {
            scale: { sizes: [1000], runs: 0, warmup: 0, environments: 2, applicationsPerEnvironment: 5 },
          });
          if (withCold) coldTree.push(...(s.result.scale ?? []).map((r) => r.coldMs));
          const a = s.result.activation as ActivationResult;
          if (a.wasActiveBefore) throw new Error(`${ext.id} was already active before the measurement in ${s.config.label}`);
          (name === 'ours' ? oursA : emptyA).push(a);
        }
        log(`activation sample ${i + 1}/${activations}: require→resolved ours ${ms(oursA[i].spanMs ?? NaN)}, empty ${ms(emptyA[i].spanMs ?? NaN)}`);
      }
      sections.activation = [...activationRows(oursA, emptyA), activationPartsRow(oursA, emptyA)];
      if (coldTree.length) sections.scale.splice(Math.max(0, sections.scale.length - 1), 0, coldTreeRow(coldTree));
      if (process.env.PTE_BENCH_PROFILE === '1') {
        const profileFile = path.join(repo, 'out', 'bench', 'activation.cpuprofile');
        fs.mkdirSync(path.dirname(profileFile), { recursive: true });
        await host.session('profile-ours', ours, ['activate'], { profileFile });
        log(`wrote ${path.relative(repo, profileFile)} (open in Chrome DevTools › Performance, or VS Code)`);
        const traced = await host.session('trace-ours', ours, ['activate'], { traceApi: true });
        const a = traced.result.activation as ActivationResult;
        const apiMs = Object.values(a.apiTimes ?? {}).reduce((n, e) => n + e.ms, 0);
        log(`vscode API calls during activate(), synchronous part (${ms(apiMs)} of ${ms(a.activateResolvedMs ?? NaN)}):`);
        for (const [name, e] of Object.entries(a.apiTimes ?? {}).slice(0, 12)) log(`  ${ms(e.ms).padStart(9)}  ${name} ×${e.calls}`);
        extra.activationApiTimes = a.apiTimes;
      }
    }
    if (hostPhases.includes('memory')) {
      const oursM: MemoryResult[] = [];
      const emptyM: MemoryResult[] = [];
      for (let i = 0; i < memorySamples; i++) {
        // Alternate which goes first, as for activation.
        const runOurs = () => host.session(`memory-ours-${i + 1}`, ours, ['activate', 'memory'], { captureTree: true, memory: { tokenSets: 1000 } });
        const runEmpty = () => host.session(`memory-empty-${i + 1}`, empty, ['activate', 'memory'], { memory: { tokenSets: 0 } });
        let o: Awaited<ReturnType<typeof runOurs>>;
        let e: Awaited<ReturnType<typeof runEmpty>>;
        if (i % 2 === 0) {
          o = await runOurs();
          e = await runEmpty();
        } else {
          e = await runEmpty();
          o = await runOurs();
        }
        oursM.push(o.result.memory as MemoryResult);
        emptyM.push(e.result.memory as MemoryResult);
        log(
          `memory sample ${i + 1}/${memorySamples}: heap after activation ours ${(oursM[i].afterActivationBytes / 2 ** 20).toFixed(1)} MiB, empty ${(emptyM[i].afterActivationBytes / 2 ** 20).toFixed(1)} MiB`,
        );
      }
      sections.memory = memoryRows(oursM, emptyM);
    }
    if (hostPhases.includes('gettoken')) {
      log(`Get Token end to end: ${warmRuns} in a warm window, then the first in ${firstWindows} fresh windows`);
      const sandbox = await startSandbox();
      const origin = new URL(sandbox.pingone.authBase).host;
      try {
        const warm = await host.session('gettoken-warm', ours, ['activate', 'getToken'], {
          captureTree: true,
          getToken: {
            runs: warmRuns,
            profiledRuns: warmRuns,
            origin,
            seed: {
              authBase: sandbox.pingone.authBase,
              envId: sandbox.envId,
              clientId: sandbox.clients.worker.clientId,
              clientSecret: sandbox.clients.worker.clientSecret as string,
            },
            removeEnvironmentAfter: firstWindows === 0,
          },
        });
        const applicationId = warm.result.getToken!.applicationId;
        // Fresh windows: timed ones, then as many again whose one command runs under the profiler.
        const first: GetTokenResult[] = [];
        for (let i = 0; i < 2 * firstWindows; i++) {
          const profiled = i >= firstWindows;
          const s = await host.session(`gettoken-first-${i + 1}${profiled ? '-profiled' : ''}`, ours, ['activate', 'getToken'], {
            captureTree: true,
            getToken: { runs: profiled ? 0 : 1, profiledRuns: profiled ? 1 : 0, origin, applicationId, removeEnvironmentAfter: i === 2 * firstWindows - 1 },
          });
          first.push(s.result.getToken!);
        }
        sections.endToEnd = getTokenRows(warm.result.getToken!, first);
      } finally {
        await sandbox.close();
      }
    }
    if (hostPhases.includes('idle')) {
      log(`idle: ours and the empty extension side by side for ${idleSeconds} s`);
      const sandbox = await startSandbox();
      onCleanup(() => sandbox.close());
      const idle = await measureIdle(host, runDir, ours, empty, {
        seconds: idleSeconds,
        seed: {
          authBase: sandbox.pingone.authBase,
          envId: sandbox.envId,
          clientId: sandbox.clients.worker.clientId,
          clientSecret: sandbox.clients.worker.clientSecret as string,
          tokenSets: 5,
        },
        log,
      });
      sections.idle = idleRows(idle);
      extra.idle = { pageVisibility: { ours: idle.ours.pageVisibility, empty: idle.empty.pageVisibility }, visibleRows: idle.ours.visibleRows };
    }
  }
  const rows = [
    ...sections.bundle,
    ...sections.activation,
    ...sections.memory,
    ...sections.requests,
    ...sections.roundTrips,
    ...sections.endToEnd,
    ...sections.scale,
    ...sections.inspector,
    ...sections.idle,
  ];

  const seconds = (Date.now() - started) / 1000;
  const missed = rows.filter((r) => r.verdict === 'MISSED');
  const loadEnd = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const machineLine = `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os}, ${m.codeServer}, Chromium (Debian) headless; load average ${m.loadAverage} at start, ${loadEnd} at end`;
  const contributors = bundle
    ? bundle.contributors
        .slice(0, 8)
        .map((c) => `${c.input} ${(c.bytes / 1024).toFixed(1)} KiB (${((100 * c.bytes) / bundle!.extensionBytes).toFixed(0)}%)`)
        .join(', ')
    : undefined;

  console.log('');
  console.log(textTable(rows));
  console.log('');
  if (contributors) console.log(`Bundle by input (minified bytes in dist/extension.js): ${contributors}`);
  if (extra.refresh) console.log(`Refresh: ${String(extra.refresh)}`);
  console.log(`Machine: ${machineLine}`);
  console.log(`Budgets missed: ${missed.length ? missed.map((r) => `${r.section}: ${r.measure}`).join('; ') : 'none'}`);
  console.log(`Run time: ${seconds.toFixed(0)} s`);

  const outDir = ensureDir(repo, 'out', 'bench');
  const md = [
    `# Benchmark results`,
    '',
    `${new Date().toISOString()} — ${machineLine}; run time ${seconds.toFixed(0)} s.`,
    '',
    markdownTable(rows),
    '',
    contributors ? `Bundle by input: ${contributors}.` : '',
    extra.refresh ? `Refresh: ${String(extra.refresh)}.` : '',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(outDir, 'results.md'), md);
  fs.writeFileSync(
    path.join(outDir, 'results.json'),
    JSON.stringify({ at: new Date().toISOString(), machine: m, seconds, rows, bundle, inspector, extra }, null, 2) + '\n',
  );
  log(`wrote ${path.relative(repo, path.join(outDir, 'results.md'))} and results.json${keep ? `; kept ${runDir}` : ''}`);
  return 0;
}

runLauncher(LABEL, main);
