// PingOne management API, as much of it as importing from a tenant needs: `/v1/environments`,
// `/v1/environments/{env}/applications` (cursor paging through `_links.next`), one application,
// and `/applications/{id}/secret` with PingOne's role check. Bearer tokens are the sandbox's own
// PingOne access tokens (RS256, issuer checked, `aud` the management API). Errors have the platform
// shape `{ id, code, message, details[] }`. Test hooks rotate a secret, edit or delete an
// application and rate-limit the next request.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { DEFAULT_ENV_ID, LOOPBACK_REDIRECT, PINGONE_API, PINGONE_CLIENTS } from './demo';
import { sendJson, sendPlatformError } from './http';
import { verifyRs256, type SigningKey } from './keys';

/** The second environment the sandbox's tenant has (management data only; no authorization server). */
export const SECOND_ENV_ID = 'a1b2c3d4-0000-4000-8000-000000000002';

/** Workers with the Environment Admin role (may read secrets); every other worker may only list. */
const SECRET_READERS = new Set<string>([PINGONE_CLIENTS.worker.clientId]);

export type RemoteApp = Record<string, unknown> & { id: string; name: string };

interface EnvironmentData {
  environment: Record<string, unknown> & { id: string };
  applications: RemoteApp[];
  secrets: Map<string, { secret: string; previous?: { secret: string; expiresAt: string; lastUsed?: string } }>;
}

export interface ManagementControl {
  /** Rotates an application's secret: the old one stays valid as `previous` (with `expiresAt`) for a day. Returns the new secret. */
  rotateSecret(envId: string, appId: string, newSecret: string): void;
  updateApplication(envId: string, appId: string, patch: Record<string, unknown>): void;
  deleteApplication(envId: string, appId: string): void;
  /** The next management request gets 429 REQUEST_LIMITED with this Retry-After (seconds). */
  limitNextRequest(retryAfterSeconds: number): void;
  /** Management requests served since start, by path (without query). */
  requests(): string[];
}

const oidc = (app: Partial<RemoteApp> & { id: string; name: string }): RemoteApp => ({
  description: '',
  enabled: true,
  protocol: 'OPENID_CONNECT',
  responseTypes: [],
  redirectUris: [],
  pkceEnforcement: 'OPTIONAL',
  parRequirement: 'OPTIONAL',
  createdAt: '2026-01-15T10:00:00.000Z',
  ...app,
});

function tenant(envId: string): EnvironmentData[] {
  const c = PINGONE_CLIENTS;
  const main: EnvironmentData = {
    environment: {
      id: envId,
      name: 'Sandbox',
      description: 'PingOne-compatible sandbox',
      region: 'NA',
      type: 'SANDBOX',
      status: 'ACTIVE',
      license: { id: 'a1b2c3d4-0000-4000-8000-0000000000c1' },
      createdAt: '2026-01-15T09:00:00.000Z',
    },
    applications: [
      oidc({ id: c.worker.clientId, name: 'Sandbox worker', type: 'WORKER', grantTypes: ['CLIENT_CREDENTIALS'], tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC' }),
      oidc({
        id: c.web.clientId,
        name: 'Sandbox web app',
        type: 'WEB_APP',
        grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
        responseTypes: ['CODE'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
        pkceEnforcement: 'S256_REQUIRED',
        redirectUris: ['https://app.example.com/callback', LOOPBACK_REDIRECT],
      }),
      oidc({
        id: c.post.clientId,
        name: 'Sandbox post app',
        type: 'WEB_APP',
        grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN', 'CLIENT_CREDENTIALS'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_POST',
        redirectUris: [LOOPBACK_REDIRECT],
      }),
      oidc({
        id: c.native.clientId,
        name: 'Sandbox native app',
        type: 'NATIVE_APP',
        grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
        tokenEndpointAuthMethod: 'NONE',
        pkceEnforcement: 'REQUIRED',
        redirectUris: [LOOPBACK_REDIRECT],
      }),
      oidc({
        id: c.workerLimited.clientId,
        name: 'Sandbox limited worker',
        type: 'WORKER',
        grantTypes: ['CLIENT_CREDENTIALS'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
      }),
      oidc({
        id: 'a1b2c3d4-0000-4000-8000-00000000a001',
        name: 'Secret JWT web app',
        type: 'WEB_APP',
        grantTypes: ['AUTHORIZATION_CODE'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_JWT',
        parRequirement: 'REQUIRED',
        redirectUris: [LOOPBACK_REDIRECT],
      }),
      oidc({
        id: 'a1b2c3d4-0000-4000-8000-00000000a002',
        name: 'Private key service',
        type: 'SERVICE',
        grantTypes: ['CLIENT_CREDENTIALS'],
        tokenEndpointAuthMethod: 'PRIVATE_KEY_JWT',
        jwksUrl: 'https://keys.example.com/jwks.json',
      }),
      oidc({
        id: 'a1b2c3d4-0000-4000-8000-00000000a003',
        name: 'Single-page app',
        type: 'SINGLE_PAGE_APP',
        grantTypes: ['AUTHORIZATION_CODE'],
        tokenEndpointAuthMethod: 'NONE',
        pkceEnforcement: 'S256_REQUIRED',
        redirectUris: ['https://spa.example.com/callback'],
      }),
      oidc({
        id: 'a1b2c3d4-0000-4000-8000-00000000a004',
        name: 'Basic web app (PAR required)',
        type: 'WEB_APP',
        grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_BASIC',
        parRequirement: 'REQUIRED',
        redirectUris: ['http://127.0.0.1:7007/callback', 'http://localhost:7008/cb'],
      }),
      {
        id: 'a1b2c3d4-0000-4000-8000-00000000a005',
        name: 'Payroll (SAML)',
        type: 'WEB_APP',
        protocol: 'SAML',
        enabled: true,
        acsUrls: ['https://payroll.example.com/acs'],
        spEntityId: 'payroll',
      },
      {
        id: 'a1b2c3d4-0000-4000-8000-00000000a006',
        name: 'Handbook link',
        type: 'PORTAL_LINK_APP',
        protocol: 'EXTERNAL_LINK',
        enabled: false,
        homePageUrl: 'https://handbook.example.com',
      },
    ],
    secrets: new Map(),
  };
  for (const client of Object.values(c)) if ('clientSecret' in client) main.secrets.set(client.clientId, { secret: client.clientSecret });
  main.secrets.set('a1b2c3d4-0000-4000-8000-00000000a001', { secret: 'secret-jwt-app-secret' });
  main.secrets.set('a1b2c3d4-0000-4000-8000-00000000a002', { secret: 'private-key-service-secret' });
  main.secrets.set('a1b2c3d4-0000-4000-8000-00000000a004', { secret: 'par-app-secret' });
  const second: EnvironmentData = {
    environment: {
      id: SECOND_ENV_ID,
      name: 'Sandbox production',
      description: '',
      region: 'EU',
      type: 'PRODUCTION',
      status: 'ACTIVE',
      license: { id: 'a1b2c3d4-0000-4000-8000-0000000000c1' },
      createdAt: '2026-02-01T09:00:00.000Z',
    },
    applications: [
      oidc({
        id: 'a1b2c3d4-0000-4000-8000-00000000b001',
        name: 'Production worker',
        type: 'WORKER',
        grantTypes: ['CLIENT_CREDENTIALS'],
        tokenEndpointAuthMethod: 'CLIENT_SECRET_POST',
      }),
    ],
    secrets: new Map([['a1b2c3d4-0000-4000-8000-00000000b001', { secret: 'production-worker-secret' }]]),
  };
  return [main, second];
}

export function createManagement(opts: { url: string; issuer: string; key: SigningKey; envId?: string; pageSize?: number }): {
  handle(req: IncomingMessage, res: ServerResponse, requestUrl: URL): void;
  control: ManagementControl;
} {
  const data = tenant(opts.envId ?? DEFAULT_ENV_ID);
  const pageSize = opts.pageSize ?? 4;
  const base = `${opts.url}/v1`;
  let limitNext: number | undefined;
  const served: string[] = [];
  const env = (id: string) => data.find((d) => d.environment.id === id);
  const app = (envId: string, appId: string) => env(envId)?.applications.find((a) => a.id === appId);
  const link = (href: string) => ({ href });

  const control: ManagementControl = {
    rotateSecret(envId, appId, newSecret) {
      const d = env(envId)!;
      const old = d.secrets.get(appId)!;
      d.secrets.set(appId, {
        secret: newSecret,
        previous: { secret: old.secret, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), lastUsed: new Date().toISOString() },
      });
    },
    updateApplication(envId, appId, patch) {
      Object.assign(app(envId, appId)!, patch);
    },
    deleteApplication(envId, appId) {
      const d = env(envId)!;
      d.applications = d.applications.filter((a) => a.id !== appId);
      d.secrets.delete(appId);
    },
    limitNextRequest(seconds) {
      limitNext = seconds;
    },
    requests: () => [...served],
  };

  const handle = (req: IncomingMessage, res: ServerResponse, requestUrl: URL): void => {
    const path = requestUrl.pathname.replace(/\/+$/, '');
    served.push(path);
    if (limitNext !== undefined) {
      const seconds = limitNext;
      limitNext = undefined;
      res.setHeader('Retry-After', String(seconds));
      return sendPlatformError(res, 429, 'REQUEST_LIMITED', 'The request was rate limited.');
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const claims = token ? verifyRs256(token, opts.key) : undefined;
    const aud = claims && (Array.isArray(claims.aud) ? claims.aud : [claims.aud]);
    if (!claims || claims.iss !== opts.issuer || typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000 || !aud?.includes(PINGONE_API)) {
      return sendPlatformError(res, 401, 'ACCESS_FAILED', 'The request could not be completed. You do not have access to this resource.', [
        { code: 'INVALID_TOKEN', message: 'The access token is missing, invalid, expired or not for the management API.' },
      ]);
    }
    if (req.method !== 'GET') return sendPlatformError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported here.`);
    const actor = String(claims.client_id ?? '');
    const notFound = () => sendPlatformError(res, 404, 'NOT_FOUND', `Unable to find resource with id or name: ${path.split('/').pop()}`);
    let m: RegExpMatchArray | null;
    if (path === '/v1/environments') {
      const list = data.map((d) => ({ ...d.environment, _links: { self: link(`${base}/environments/${d.environment.id}`) } }));
      return sendJson(res, 200, { _links: { self: link(`${base}/environments`) }, _embedded: { environments: list }, count: list.length, size: list.length });
    }
    if ((m = /^\/v1\/environments\/([^/]+)\/applications$/.exec(path))) {
      const d = env(m[1]!);
      if (!d) return notFound();
      const cursor = Number(requestUrl.searchParams.get('cursor') ?? '0') || 0;
      const page = d.applications.slice(cursor, cursor + pageSize);
      const self = `${base}/environments/${d.environment.id}/applications${cursor ? `?cursor=${cursor}` : ''}`;
      const links: Record<string, { href: string }> = { self: link(self) };
      if (cursor + pageSize < d.applications.length) links.next = link(`${base}/environments/${d.environment.id}/applications?cursor=${cursor + pageSize}`);
      return sendJson(res, 200, { _links: links, _embedded: { applications: page }, count: d.applications.length, size: page.length });
    }
    if ((m = /^\/v1\/environments\/([^/]+)\/applications\/([^/]+)\/secret$/.exec(path))) {
      const [, envId, appId] = m as unknown as [string, string, string];
      if (!app(envId, appId)) return notFound();
      if (appId === actor) {
        return sendPlatformError(res, 403, 'ACCESS_FAILED', 'The request could not be completed. A worker application cannot read its own secret.', [
          { code: 'INSUFFICIENT_PERMISSIONS', target: 'secret', message: 'An application cannot read its own secret.' },
        ]);
      }
      if (!SECRET_READERS.has(actor)) {
        return sendPlatformError(res, 403, 'ACCESS_FAILED', 'The request could not be completed. You do not have access to this resource.', [
          { code: 'INSUFFICIENT_PERMISSIONS', target: 'secret', message: 'Actor does not have permissions to access this resource (applications:read:secret).' },
        ]);
      }
      const secret = env(envId)!.secrets.get(appId);
      if (!secret) return sendPlatformError(res, 400, 'INVALID_REQUEST', 'This application has no secret (its token endpoint auth method is NONE).');
      return sendJson(res, 200, { ...secret, _links: { self: link(`${base}${path.slice(3)}`) } });
    }
    if ((m = /^\/v1\/environments\/([^/]+)\/applications\/([^/]+)$/.exec(path))) {
      const found = app(m[1]!, m[2]!);
      return found ? sendJson(res, 200, found) : notFound();
    }
    if ((m = /^\/v1\/environments\/([^/]+)$/.exec(path))) {
      const d = env(m[1]!);
      return d ? sendJson(res, 200, d.environment) : notFound();
    }
    return notFound();
  };
  return { handle, control };
}
