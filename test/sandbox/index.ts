// PingOne-compatible sandbox authorization server for tests and demos: a real OAuth 2.0 / OpenID
// Connect server (oidc-provider) on 127.0.0.1, shaped like PingOne (`/{envId}/as/…`, JWT access
// tokens, rotating refresh tokens, flows API) and, on the same listener, like PingFederate (`/pf/…`,
// opaque access tokens, refresh tokens that do not roll).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { driveAuthorization } from './browser';
import {
  DEFAULT_ENV_ID,
  DEMO_USER,
  OIDC_CLIENTS,
  ORG_ID,
  PINGFEDERATE_CLIENTS,
  PINGONE_API,
  PINGONE_CLIENTS,
  PINGONE_JWT_CLIENTS,
  USER_SCOPES,
  clientJwksPath,
} from './demo';
import { FLOWS_REPLAY_HEADER, createFlows } from './flows';
import { platformError, readBody, sendPlatformError } from './http';
import { generateSigningKey } from './keys';
import { INTERACTION_TTL_SECONDS, createProvider, type OidcProvider } from './provider';
import { createPendingControl, type PendingControl } from './pending';
import { registerPasswordGrant } from './password';
import { registerTokenExchange } from './tokenExchange';
import { createManagement, type ManagementControl } from './management';
import { handleSignon } from './signon';
import { handleUserinfo } from './userinfo';

export interface SandboxClient {
  clientId: string;
  clientSecret?: string;
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';
  redirectUris: string[];
  grantTypes: string[];
  scopes: string;
  /** private_key_jwt: the public keys come from the sandbox's test-only JWKS document (see setClientJwks). */
  jwksFromSandbox?: boolean;
  /** The client must push its authorization requests (PingOne's parRequirement: REQUIRED). */
  requirePushedAuthorization?: boolean;
  /** The client must sign its authorization requests (PingOne's requireSignedRequestObject). */
  requireSignedRequestObject?: boolean;
  /** Its access tokens must be DPoP-bound (RFC 9449 dpop_bound_access_tokens). */
  dpopBound?: boolean;
}

export interface SandboxOptions {
  /** Default 0: the OS picks a free port. */
  port?: number;
  /**
   * Default '127.0.0.1'. Any loopback address the OS binds (on Linux all of 127.0.0.0/8): the demo
   * uses 127.0.0.2, which code-server does not rewrite into a port-forward URL (see sandboxHost()).
   */
  host?: string;
  /** Default 'a1b2c3d4-0000-4000-8000-000000000001'. */
  envId?: string;
  /** Default 3600; applies to every access token, including client credentials. */
  accessTokenTtlSeconds?: number;
  /** The polling `interval` the device authorization endpoint advertises; default 1 s (PingOne's default is 5). */
  pollIntervalSeconds?: number;
  /** Default true: no console output. false logs each request and oidc-provider server errors. */
  quiet?: boolean;
}

export interface Sandbox {
  /** 'http://127.0.0.1:PORT' (or the host asked for) */
  url: string;
  port: number;
  envId: string;
  pingone: { authBase: string; issuer: string };
  pingfederate: { issuer: string };
  /**
   * A generic OpenID provider shaped like the ones this project did not write: its issuer ends in
   * "/" (as Auth0 tenants publish theirs) and it answers failed token requests with a bare status.
   */
  oidc: { issuer: string };
  clients: {
    worker: SandboxClient;
    web: SandboxClient;
    post: SandboxClient;
    workerLimited: SandboxClient;
    native: SandboxClient;
    device: SandboxClient;
    exchange: SandboxClient;
    ciba: SandboxClient;
    pfWorker: SandboxClient;
    pfWeb: SandboxClient;
    pfLegacy: SandboxClient;
    oidcWeb: SandboxClient;
    secretJwt: SandboxClient;
    privateKeyJwt: SandboxClient;
    par: SandboxClient;
    jar: SandboxClient;
    dpop: SandboxClient;
  };
  /**
   * Test-only: the public JWKS a private_key_jwt client is registered with (what pasting the JWKS
   * into the tenant's application does). Takes effect for the next request. Also over HTTP, for
   * tests in another process: PUT the JWKS to `${url}/test/client-jwks/{clientId}` (204).
   */
  setClientJwks(clientId: string, jwks: { keys: unknown[] }): Promise<void>;
  user: { username: string; password: string; sub: string; email: string; name: string };
  /** PingOne's management API (`${url}/v1`): two environments, paged applications, secrets with role checks. */
  management: { apiBase: string } & ManagementControl;
  /**
   * Counts since start (or since resetStats): every HTTP request (`requests`, any path), and the
   * requests that reached each token endpoint, by grant_type.
   */
  stats(): { requests: number; tokenRequests: number; byGrant: Record<string, number> };
  resetStats(): void;
  /** Test-only: the lifetime of every access token issued from now on (a short-lived set without waiting for one). */
  setAccessTokenTtl(seconds: number): void;
  /** Test-only approval or denial of pending device codes (and slow_down on demand): see pending.ts. */
  pending: PendingControl;
  /**
   * Programmatic browser stand-in: GET the authorization URL (either variant), sign the demo user in
   * (or opts.username/opts.password), consent to everything, follow redirects within the sandbox and
   * resolve with the Location that leaves it (the client's redirect_uri with code/state/iss, or
   * error=access_denied with opts.deny). Rejects on wrong credentials. Never requests redirect_uri.
   */
  authorize(authorizationUrl: string, opts?: { username?: string; password?: string; deny?: boolean }): Promise<string>;
  close(): Promise<void>;
}

const PINGONE_ROUTES = {
  authorization: '/authorize',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
  introspection: '/introspect',
  revocation: '/revoke',
  end_session: '/signoff',
  device_authorization: '/device_authorization',
  code_verification: '/device',
  backchannel_authentication: '/cibaAuthorization',
  pushed_authorization_request: '/par',
};

const PINGFEDERATE_ROUTES = {
  authorization: '/as/authorization.oauth2',
  token: '/as/token.oauth2',
  userinfo: '/idp/userinfo.openid',
  jwks: '/JWKS',
  introspection: '/as/introspect.oauth2',
  revocation: '/as/revoke_token.oauth2',
  end_session: '/idp/startSLO.ping',
  device_authorization: '/as/device_authz.oauth2',
  code_verification: '/as/user_authz.oauth2',
  backchannel_authentication: '/as/bc-auth.ciba',
  pushed_authorization_request: '/as/par.oauth2',
};

/**
 * Test-only token holds, over HTTP at `${url}${TOKEN_HOLD_PATH}` (for the browser e2e tests): POST
 * holds the next token request (of any issuer) unanswered, as a stalled server would; DELETE lets
 * every held request go on to the token endpoint; GET answers `{ held, abandoned }` (abandoned: the
 * client closed the connection while held), with `?held=N&abandoned=M` once both are reached (or
 * after 10 s).
 */
export const TOKEN_HOLD_PATH = '/test/token-hold';
const PF_PREFIX = '/pf';
const OIDC_PREFIX = '/oidc';

const OIDC_ROUTES = { ...PINGONE_ROUTES };

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Path equals prefix or lies below it. */
const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** Hands a request to a provider mounted under `prefix` (oidc-provider reads req.originalUrl). */
function mount(provider: OidcProvider, prefix: string): Handler {
  const callback = provider.callback();
  return (req, res) => {
    const url = req.url ?? '/';
    Object.assign(req, { originalUrl: url });
    const rest = url.slice(prefix.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    return callback(req, res);
  };
}

/**
 * The response_mode an authorize request asks for: in its query, else inside its request object
 * (JAR by value), else inside the pushed request its request_uri names (PAR; looked up without
 * using it up). What PingOne decides pi.flow from, whichever way the parameters were sent.
 */
async function requestedResponseMode(provider: OidcProvider, requestUrl: URL): Promise<string | undefined> {
  const params = requestUrl.searchParams;
  const fromJwt = (jwt: string | undefined | null): string | undefined => {
    try {
      const payload = JSON.parse(Buffer.from(String(jwt).split('.')[1] ?? '', 'base64url').toString('utf8')) as { response_mode?: unknown };
      return typeof payload.response_mode === 'string' ? payload.response_mode : undefined;
    } catch {
      return undefined;
    }
  };
  if (params.has('response_mode')) return params.get('response_mode') ?? undefined;
  if (params.has('request')) return fromJwt(params.get('request'));
  const PAR_URN = 'urn:ietf:params:oauth:request_uri:';
  const requestUri = params.get('request_uri');
  if (requestUri?.startsWith(PAR_URN)) {
    const pushed = await provider.PushedAuthorizationRequest.find(requestUri.slice(PAR_URN.length));
    return pushed ? fromJwt(pushed.request) : undefined;
  }
  return undefined;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const envId = opts.envId ?? DEFAULT_ENV_ID;
  const quiet = opts.quiet ?? true;
  let ttlSeconds = opts.accessTokenTtlSeconds ?? 3600;
  const accessTokenTtlSeconds = () => ttlSeconds;

  // The issuers contain the port, so listen first and install the real handler afterwards.
  let route: Handler = (_req, res) => void res.writeHead(503).end();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (!quiet) {
      const line = `${req.method} ${req.url}`; // before mount() rewrites req.url
      res.on('finish', () => console.log(`[sandbox] ${line} → ${res.statusCode}`));
    }
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      if (!quiet) console.error('[sandbox] request failed', err);
      if (!res.headersSent) sendPlatformError(res, 500, 'UNEXPECTED_ERROR', String(err));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const p1Prefix = `/${envId}/as`;
  const issuer = `${url}${p1Prefix}`;
  const pfIssuer = `${url}${PF_PREFIX}`;
  const signonPattern = new RegExp(`^/${envId}/signon/([^/]+)$`);
  const pfSignonPattern = new RegExp(`^${PF_PREFIX}/signon/([^/]+)$`);
  const oidcIssuer = `${url}${OIDC_PREFIX}/`;
  const oidcSignonPattern = new RegExp(`^${OIDC_PREFIX}/signon/([^/]+)$`);
  const flowsPattern = new RegExp(`^/${envId}/flows/([^/]+)$`);

  let byGrant: Record<string, number> = {};
  const countTokenRequest = (grantType: string | undefined) => {
    const key = grantType ?? '(none)';
    byGrant[key] = (byGrant[key] ?? 0) + 1;
  };
  const notFound = (path: string) => platformError('NOT_FOUND', `The requested resource was not found: ${path}`);

  const p1Key = generateSigningKey();
  let pingone: OidcProvider;
  // Filled in once the providers exist; `pending` is only used by requests after that.
  let pendingVariants: { provider: OidcProvider; defaultResource?: string }[] = [];
  const pending = createPendingControl(() => pendingVariants);
  const polling = {
    takeSlowDown: () => pending.takeSlowDown(),
    userCodeIssued: (userCode: string) => pending.issued(userCode),
    cibaTriggered: (provider: OidcProvider, request: unknown) => pending.cibaTriggered(provider, request),
    pollIntervalSeconds: opts.pollIntervalSeconds ?? 1,
  };
  let pingfederate: OidcProvider;
  let oidc: OidcProvider;
  try {
    pingone = await createProvider({
      issuer,
      mountPath: p1Prefix,
      key: p1Key,
      clients: [...Object.values(PINGONE_CLIENTS), ...Object.values(PINGONE_JWT_CLIENTS)],
      routes: PINGONE_ROUTES,
      scopes: [...USER_SCOPES, 'p1:read:user', 'p1:update:user', 'orders:read', 'orders:write'],
      accessTokenTtlSeconds,
      rotateRefreshTokens: true,
      signonPath: (uid) => `/${envId}/signon/${uid}`,
      jwtResource: { audience: PINGONE_API, extraClaims: { env: envId, org: ORG_ID } },
      piFlow: true,
      countTokenRequest,
      notFound,
      quiet,
      ...polling,
    });
    pingfederate = await createProvider({
      issuer: pfIssuer,
      mountPath: PF_PREFIX,
      key: generateSigningKey(),
      clients: Object.values(PINGFEDERATE_CLIENTS),
      routes: PINGFEDERATE_ROUTES,
      scopes: [...USER_SCOPES, 'api:read', 'api:write'],
      accessTokenTtlSeconds,
      rotateRefreshTokens: false,
      signonPath: (uid) => `${PF_PREFIX}/signon/${uid}`,
      countTokenRequest,
      notFound,
      quiet,
      ...polling,
    });
    await registerPasswordGrant(pingfederate);
    await registerTokenExchange(pingone, { issuer, key: p1Key, jwt: true });
    oidc = await createProvider({
      issuer: oidcIssuer,
      mountPath: OIDC_PREFIX,
      key: generateSigningKey(),
      clients: Object.values(OIDC_CLIENTS),
      routes: OIDC_ROUTES,
      scopes: USER_SCOPES,
      accessTokenTtlSeconds,
      rotateRefreshTokens: true,
      signonPath: (uid) => `${OIDC_PREFIX}/signon/${uid}`,
      countTokenRequest,
      notFound,
      quiet,
      ...polling,
      emptyErrorBodies: true,
    });
  } catch (err) {
    await close();
    throw err;
  }

  pendingVariants = [{ provider: pingone, defaultResource: PINGONE_API }, { provider: pingfederate }, { provider: oidc }];
  const pingoneApp = mount(pingone, p1Prefix);
  const pingfederateApp = mount(pingfederate, PF_PREFIX);
  const oidcApp = mount(oidc, OIDC_PREFIX);
  const management = createManagement({ url, issuer, key: p1Key, envId });
  const flows = createFlows({ url, envId, provider: pingone, signonPattern, ttlSeconds: INTERACTION_TTL_SECONDS });

  const clientJwks = new Map<string, { keys: unknown[] }>();
  const setClientJwks = async (clientId: string, jwks: { keys: unknown[] }): Promise<void> => {
    clientJwks.set(clientId, structuredClone(jwks));
    // oidc-provider keeps a client's fetched key set for at least 60 s; registering keys in the
    // tenant takes effect at once, so mark it stale.
    const client = await pingone.Client.find(clientId);
    if (client?.asymmetricKeyStore) client.asymmetricKeyStore.freshUntil = 0;
  };
  // Test-only token holds (see TOKEN_HOLD_PATH).
  const tokenPaths = new Set([`${p1Prefix}${PINGONE_ROUTES.token}`, `${PF_PREFIX}${PINGFEDERATE_ROUTES.token}`, `${OIDC_PREFIX}${OIDC_ROUTES.token}`]);
  const holds = { toHold: 0, held: 0, abandoned: 0 };
  const releases = new Set<() => void>();
  const holdWatchers = new Set<() => void>();
  const holdChanged = () => {
    for (const w of [...holdWatchers]) w();
  };
  /** Resolves once the request may go on; false when the client gave up on it while it was held. */
  const passHold = (res: ServerResponse): Promise<boolean> => {
    if (holds.toHold <= 0) return Promise.resolve(true);
    holds.toHold--;
    holds.held++;
    return new Promise<boolean>((resolve) => {
      const release = () => {
        releases.delete(release);
        res.off('close', abandon);
        resolve(true);
      };
      const abandon = () => {
        releases.delete(release);
        holds.abandoned++;
        holdChanged();
        resolve(false);
      };
      releases.add(release);
      res.once('close', abandon);
      holdChanged();
    });
  };
  const handleTokenHold = async (req: IncomingMessage, res: ServerResponse, requestUrl: URL): Promise<void> => {
    if (req.method === 'POST') {
      holds.toHold++;
      return void res.writeHead(204).end();
    }
    if (req.method === 'DELETE') {
      holds.toHold = 0;
      for (const release of [...releases]) release();
      return void res.writeHead(204).end();
    }
    // GET, optionally waiting (at most 10 s) until `held` / `abandoned` reach the numbers asked for.
    const want = { held: Number(requestUrl.searchParams.get('held') ?? 0), abandoned: Number(requestUrl.searchParams.get('abandoned') ?? 0) };
    await new Promise<void>((resolve) => {
      const check = () => {
        if (holds.held < want.held || holds.abandoned < want.abandoned) return;
        holdWatchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        holdWatchers.delete(check);
        resolve();
      }, 10_000);
      holdWatchers.add(check);
      check();
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify({ held: holds.held, abandoned: holds.abandoned }));
  };
  route = async (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    const path = requestUrl.pathname;
    let match: RegExpMatchArray | null;
    if (path === TOKEN_HOLD_PATH) return handleTokenHold(req, res, requestUrl);
    if (req.method === 'POST' && tokenPaths.has(path) && !(await passHold(res))) return;
    if (path.startsWith(clientJwksPath(''))) {
      const clientId = decodeURIComponent(path.slice(clientJwksPath('').length));
      if (req.method === 'PUT') {
        // Test-only, for a test that runs apart from this process (the browser e2e tests): what
        // setClientJwks does, over HTTP.
        let jwks: { keys?: unknown };
        try {
          jwks = JSON.parse(await readBody(req)) as { keys?: unknown };
        } catch {
          return sendPlatformError(res, 400, 'INVALID_DATA', 'The body is not JSON.');
        }
        if (!Array.isArray(jwks.keys)) return sendPlatformError(res, 400, 'INVALID_DATA', 'A JWKS has a "keys" array.');
        await setClientJwks(clientId, { keys: jwks.keys });
        return void res.writeHead(204).end();
      }
      const jwks = clientJwks.get(clientId) ?? { keys: [] };
      return void res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(jwks));
    }
    if (path === `${p1Prefix}/userinfo`) return handleUserinfo(req, res, { provider: pingone, issuer, key: p1Key });
    if (path === `${p1Prefix}/resume` && req.method === 'GET') return flows.resume(req, res, requestUrl);
    if (
      path === `${p1Prefix}/authorize` &&
      req.method === 'GET' &&
      !req.headers[FLOWS_REPLAY_HEADER] &&
      (await requestedResponseMode(pingone, requestUrl)) === 'pi.flow'
    ) {
      return flows.start(req, res, requestUrl);
    }
    if (within(path, p1Prefix)) return pingoneApp(req, res);
    if ((match = path.match(signonPattern))) return handleSignon(pingone, req, res, match[1]!);
    if ((match = path.match(flowsPattern))) return flows.handle(req, res, match[1]!);
    if ((match = path.match(pfSignonPattern))) return handleSignon(pingfederate, req, res, match[1]!);
    if (within(path, PF_PREFIX)) return pingfederateApp(req, res);
    if ((match = path.match(oidcSignonPattern))) return handleSignon(oidc, req, res, match[1]!);
    if (within(path, OIDC_PREFIX)) return oidcApp(req, res);
    if (within(path, '/v1')) return management.handle(req, res, requestUrl);
    return sendPlatformError(res, 404, 'NOT_FOUND', `The requested resource was not found: ${path}`);
  };

  return {
    url,
    port,
    envId,
    pingone: { authBase: url, issuer },
    pingfederate: { issuer: pfIssuer },
    oidc: { issuer: oidcIssuer },
    clients: structuredClone({ ...PINGONE_CLIENTS, ...PINGFEDERATE_CLIENTS, ...OIDC_CLIENTS, ...PINGONE_JWT_CLIENTS }),
    setClientJwks,
    user: { ...DEMO_USER },
    management: { apiBase: `${url}/v1`, ...management.control },
    stats: () => ({
      requests,
      tokenRequests: Object.values(byGrant).reduce((a, b) => a + b, 0),
      byGrant: { ...byGrant },
    }),
    setAccessTokenTtl: (seconds) => {
      ttlSeconds = seconds;
    },
    resetStats: () => {
      requests = 0;
      byGrant = {};
    },
    pending: {
      device: pending.device,
      ciba: pending.ciba,
      nextUserCode: pending.nextUserCode,
      nextCibaRequest: pending.nextCibaRequest,
      cibaRequests: pending.cibaRequests,
      slowDown: pending.slowDown,
    },
    authorize: (authorizationUrl, authorizeOpts) => driveAuthorization(url, authorizationUrl, DEMO_USER, authorizeOpts),
    close,
  };
}
