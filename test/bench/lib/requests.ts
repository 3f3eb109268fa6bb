// Token-request overhead: the same client-credentials and refresh requests made several ways against
// the sandbox on loopback, interleaved in balanced orders so drift and carry-over hit all of them alike:
//   core  the extension's own clientCredentialsGrant / refreshTokenGrant (node-fetch, validation)
//   node  a minimal node:http request with the same form and headers (same default agent)
//   curl  curl spawned per request, as a Postman/curl snippet runs (spawn included), plus curl's
//         own -w %{time_total} (connection + transfer only)
// and references that locate the core's overhead: the same POST with node-fetch alone (the HTTP
// client the core uses, without the core's timeout, validation and parsing), with node-fetch and a
// keep-alive agent per origin (the floor the core is held to), and with Node's built-in fetch (undici).
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { Agent } from 'node:http';
import { buildAuthorizationRequest } from '../../../src/core/authorize';
import { authorizationCodeGrant, basicAuthorization, clientCredentialsGrant, refreshTokenGrant, type OAuthCall } from '../../../src/core/oauth';
import { startSandbox, type Sandbox } from '../../sandbox';

export type Method = 'core' | 'node' | 'nodeFetch' | 'nodeFetchKeepAlive' | 'builtinFetch' | 'curl' | 'curlTotal';
type Runner = Exclude<Method, 'curlTotal'>;

export interface GrantTimings {
  /** Wall time per request, ms, by method (curlTotal: curl's own time_total). */
  samples: Record<Method, number[]>;
}

export interface RequestFigures {
  n: number;
  warmup: number;
  clientCredentials: GrantTimings;
  refresh: GrantTimings;
  /** How the refresh token was obtained and whether it rotates. */
  refreshNote: string;
  tokenRequestsSeen: number;
}

interface PlainResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The baseline: one POST with node:http and the default (keep-alive) agent, JSON parsed. */
function plainPost(url: string, form: URLSearchParams, authorization: string): Promise<PlainResponse> {
  const body = form.toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
          Authorization: authorization,
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same POST through a fetch implementation: response text parsed as JSON. */
async function fetchPost(
  fetchImpl: (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; agent?: Agent },
  ) => Promise<{ status: number; text(): Promise<string> }>,
  url: string,
  form: URLSearchParams,
  authorization: string,
  agent?: Agent,
): Promise<PlainResponse> {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', Authorization: authorization },
    body: form.toString(),
    ...(agent ? { agent } : {}),
  });
  return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
}

interface CurlResult {
  wallMs: number;
  totalMs: number;
  body: Record<string, unknown>;
}

/** `curl -u id:secret --data-urlencode …` spawned once; wall time from spawn to exit. */
function curlPost(url: string, fields: Record<string, string>, user: string): Promise<CurlResult> {
  const args = ['-sS', '-X', 'POST', url, '-H', 'Content-Type: application/x-www-form-urlencoded', '-H', 'Accept: application/json', '-u', user];
  for (const [k, v] of Object.entries(fields)) args.push('--data-urlencode', `${k}=${v}`);
  args.push('-w', '\n%{time_total}');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('curl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`curl exited with ${code}: ${err.trim()}`));
      const cut = out.lastIndexOf('\n');
      try {
        resolve({ wallMs, totalMs: Number(out.slice(cut + 1)) * 1000, body: JSON.parse(out.slice(0, cut)) as Record<string, unknown> });
      } catch {
        reject(new Error(`curl answer is not JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

function emptyTimings(): GrantTimings {
  return { samples: { core: [], node: [], nodeFetch: [], nodeFetchKeepAlive: [], builtinFetch: [], curl: [], curlTotal: [] } };
}

/**
 * Orders of n methods in which every method comes right after every other one equally often (a
 * Williams design). Whatever one request leaves behind (curl's spawned process exiting, garbage)
 * then lands on each method alike; a plain rotation would put the same method after curl nearly
 * every round.
 */
export function balancedOrders(n: number): number[][] {
  const first = Array.from({ length: n }, (_, k) => (k === 0 ? 0 : k % 2 === 1 ? (k + 1) / 2 : n - k / 2));
  const rows = first.map((_, r) => first.map((a) => (a + r) % n));
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}

/** Runs every method once per round, in balanced orders, `rounds` times; records only after warm-up. */
async function interleave(
  rounds: number,
  warmup: number,
  timings: GrantTimings,
  fns: Record<Runner, () => Promise<number | { wall: number; total: number }>>,
): Promise<void> {
  const methods: Runner[] = ['core', 'node', 'nodeFetch', 'nodeFetchKeepAlive', 'builtinFetch', 'curl'];
  const orders = balancedOrders(methods.length);
  for (let i = 0; i < warmup + rounds; i++) {
    for (const k of orders[i % orders.length]) {
      const m = methods[k];
      const r = await fns[m]();
      if (i < warmup) continue;
      if (typeof r === 'number') timings.samples[m].push(r);
      else {
        timings.samples[m].push(r.wall);
        timings.samples.curlTotal.push(r.total);
      }
    }
  }
}

export async function measureRequests(opts: { n: number; warmup: number; log: (s: string) => void }): Promise<RequestFigures> {
  const { default: nodeFetch } = await import('node-fetch');
  /** Wall time of one request; the answer is checked after the clock stops. */
  const timed = async <R>(request: () => Promise<R>, check: (r: R) => void = () => undefined) => {
    const t = performance.now();
    const r = await request();
    const elapsed = performance.now() - t;
    check(r);
    return elapsed;
  };
  const sandbox: Sandbox = await startSandbox();
  // node-fetch with a keep-alive agent per origin: the floor for the core.
  const keepAlive = new Map<string, Agent>();
  const agentFor = (url: string) => {
    const origin = new URL(url).origin;
    let agent = keepAlive.get(origin);
    if (!agent) keepAlive.set(origin, (agent = new http.Agent({ keepAlive: true })));
    return agent;
  };
  try {
    const tokenUrl = `${sandbox.pingone.issuer}/token`;
    const settings = { timeoutMs: 30_000 };

    // ---- client credentials (worker: client_secret_basic) ----
    const worker = sandbox.clients.worker;
    const workerCall: OAuthCall = {
      client: { clientId: worker.clientId, clientSecret: worker.clientSecret, authMethod: 'client_secret_basic' },
      http: settings,
    };
    const workerAuth = basicAuthorization(worker.clientId, worker.clientSecret as string);
    const cc = emptyTimings();
    const ccForm = () => new URLSearchParams({ grant_type: 'client_credentials' });
    const ccCheck = (what: string) => (r: PlainResponse) => {
      if (r.status !== 200 || typeof r.body.access_token !== 'string') throw new Error(`${what} client credentials: HTTP ${r.status}`);
    };
    opts.log(`client credentials: ${opts.warmup} warm-up + ${opts.n} requests each through core, node:http, node-fetch, built-in fetch and curl`);
    await interleave(opts.n, opts.warmup, cc, {
      core: () => timed(() => clientCredentialsGrant(tokenUrl, workerCall)),
      node: () => timed(() => plainPost(tokenUrl, ccForm(), workerAuth), ccCheck('node:http')),
      nodeFetch: () => timed(() => fetchPost(nodeFetch, tokenUrl, ccForm(), workerAuth), ccCheck('node-fetch')),
      nodeFetchKeepAlive: () => timed(() => fetchPost(nodeFetch, tokenUrl, ccForm(), workerAuth, agentFor(tokenUrl)), ccCheck('node-fetch keep-alive')),
      builtinFetch: () => timed(() => fetchPost(globalThis.fetch, tokenUrl, ccForm(), workerAuth), ccCheck('built-in fetch')),
      curl: async () => {
        const r = await curlPost(tokenUrl, { grant_type: 'client_credentials' }, `${worker.clientId}:${worker.clientSecret}`);
        if (typeof r.body.access_token !== 'string') throw new Error('curl client credentials: no access_token');
        return { wall: r.wallMs, total: r.totalMs };
      },
    });

    // ---- refresh (web: client_secret_basic, rotating refresh tokens) ----
    const web = sandbox.clients.web;
    const webCall: OAuthCall = {
      client: { clientId: web.clientId, clientSecret: web.clientSecret, authMethod: 'client_secret_basic' },
      http: settings,
    };
    const redirectUri = web.redirectUris[0];
    const request = buildAuthorizationRequest(`${sandbox.pingone.issuer}/authorize`, {
      clientId: web.clientId,
      redirectUri,
      scope: 'openid offline_access',
      extra: { prompt: 'consent' },
    });
    const location = new URL(await sandbox.authorize(request.url));
    const code = location.searchParams.get('code');
    if (!code) throw new Error(`sign-in for the refresh benchmark failed: ${location.toString()}`);
    const signedIn = await authorizationCodeGrant(tokenUrl, webCall, { code, redirectUri, codeVerifier: request.pkce.verifier });
    if (!signedIn.refreshToken) throw new Error('the sandbox issued no refresh token (offline_access)');
    let refreshToken = signedIn.refreshToken;
    let rotations = 0;
    const next = (rt: unknown) => {
      if (typeof rt !== 'string' || !rt) throw new Error('refresh answer without refresh_token');
      if (rt !== refreshToken) rotations++;
      refreshToken = rt;
    };
    const webAuth = basicAuthorization(web.clientId, web.clientSecret as string);
    const rf = emptyTimings();
    const refreshForm = () => new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    const refreshCheck = (what: string) => (r: PlainResponse) => {
      if (r.status !== 200) throw new Error(`${what} refresh: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      next(r.body.refresh_token);
    };
    opts.log(`refresh: ${opts.warmup} warm-up + ${opts.n} requests each, each with the newest (rotated) refresh token`);
    await interleave(opts.n, opts.warmup, rf, {
      core: () =>
        timed(
          () => refreshTokenGrant(tokenUrl, webCall, { refreshToken }),
          (r) => next(r.refreshToken),
        ),
      node: () => timed(() => plainPost(tokenUrl, refreshForm(), webAuth), refreshCheck('node:http')),
      nodeFetch: () => timed(() => fetchPost(nodeFetch, tokenUrl, refreshForm(), webAuth), refreshCheck('node-fetch')),
      nodeFetchKeepAlive: () => timed(() => fetchPost(nodeFetch, tokenUrl, refreshForm(), webAuth, agentFor(tokenUrl)), refreshCheck('node-fetch keep-alive')),
      builtinFetch: () => timed(() => fetchPost(globalThis.fetch, tokenUrl, refreshForm(), webAuth), refreshCheck('built-in fetch')),
      curl: async () => {
        const r = await curlPost(tokenUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, `${web.clientId}:${web.clientSecret}`);
        next(r.body.refresh_token);
        return { wall: r.wallMs, total: r.totalMs };
      },
    });
    const total = 6 * (opts.n + opts.warmup);
    const refreshNote =
      rotations >= total - 1
        ? `PingOne-shaped client "${web.clientId}" signed in once (authorization code + PKCE); the refresh token rotated on every one of ${total} refreshes`
        : `client "${web.clientId}"; the refresh token rotated ${rotations} times in ${total} refreshes`;
    return { n: opts.n, warmup: opts.warmup, clientCredentials: cc, refresh: rf, refreshNote, tokenRequestsSeen: sandbox.stats().tokenRequests };
  } finally {
    for (const agent of keepAlive.values()) agent.destroy();
    await sandbox.close();
  }
}
