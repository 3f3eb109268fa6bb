/**
 * Choosing, refreshing and handing out a token set's access token: the one path the
 * authentication provider, the task and launch variables, the terminals, the chat tools and the
 * public API's getAccessToken share. Pure of `vscode`; every refresh goes through
 * `TokenService.refresh` (the single-flight path).
 */
import { ExplorerError } from '../core/errors';
import { decodeJwt } from '../core/jwt';
import { TokenService, type TokenSetInfo } from '../core/service';
import type { TokenSet } from '../core/tokenSet';

/** Pseudo-scopes select where a token comes from; they are never sent to the server. */
export interface TokenQuery {
  /** Real scopes the granted scope must include. */
  scopes: string[];
  clientId?: string;
  applicationId?: string;
  environmentId?: string;
  tokenSetId?: string;
}

const PSEUDO = /^(client|app|env):(.+)$/;

/** Splits `client:<clientId>`, `app:<applicationId>` and `env:<environmentId>` from the real scopes. */
export function parseScopes(scopes: readonly string[] | undefined): TokenQuery {
  const query: TokenQuery = { scopes: [] };
  for (const raw of scopes ?? []) {
    for (const s of raw.split(/\s+/).filter(Boolean)) {
      const m = PSEUDO.exec(s);
      if (!m) query.scopes.push(s);
      else if (m[1] === 'client') query.clientId = m[2];
      else if (m[1] === 'app') query.applicationId = m[2];
      else query.environmentId = m[2];
    }
  }
  return query;
}

/** Whether a token set can answer the query: same source, and every requested scope granted. */
export function matches(service: TokenService, info: TokenSetInfo, query: TokenQuery): boolean {
  if (query.tokenSetId !== undefined && info.id !== query.tokenSetId) return false;
  if (query.applicationId !== undefined && info.applicationId !== query.applicationId) return false;
  if (query.environmentId !== undefined && info.environmentId !== query.environmentId) {
    // The PingOne environment ID is accepted too, as it appears in the admin console.
    const env = service.listEnvironments().find((e) => e.id === info.environmentId);
    if (env?.environmentId !== query.environmentId) return false;
  }
  if (query.clientId !== undefined) {
    const app = service.listApplications().find((a) => a.id === info.applicationId);
    if (app?.clientId !== query.clientId) return false;
  }
  const granted = new Set(TokenService.scopes(info.scope));
  return query.scopes.every((s) => granted.has(s));
}

/** Whether a token set can be used, possibly after a refresh. */
export function usable(info: TokenSetInfo): boolean {
  if (info.status === 'revoked' || info.status === 'sign-in-required') return false;
  return info.status === 'valid' || TokenService.canRefresh(info);
}

/** Whether the access token is valid for at least `minValidityMs` more. */
export function freshEnough(info: Pick<TokenSetInfo, 'status' | 'expiresAt'>, minValidityMs: number, now: number): boolean {
  return info.status === 'valid' && (info.expiresAt === undefined || info.expiresAt - now >= minValidityMs);
}

/**
 * The token set, refreshed first when its access token expires within `minValidityMs` and it can
 * be refreshed. Throws when it cannot be used.
 */
export async function ensureFresh(service: TokenService, id: string, minValidityMs: number, now: () => number): Promise<TokenSet> {
  let info = service.getTokenSetInfo(id);
  if (!usable(info)) throw notUsable(service, info);
  if (!freshEnough(info, minValidityMs, now())) {
    if (!TokenService.canRefresh(info)) throw notUsable(service, info);
    info = await service.refresh(id);
    if (!freshEnough(info, Math.min(minValidityMs, 1000), now())) throw notUsable(service, info);
  }
  return service.getTokenSet(id);
}

function notUsable(service: TokenService, info: TokenSetInfo): ExplorerError {
  const app = service.listApplications().find((a) => a.id === info.applicationId)?.name ?? 'its application';
  const why =
    info.status === 'revoked'
      ? 'was revoked'
      : info.status === 'sign-in-required'
        ? 'needs a new sign-in'
        : info.status === 'expired'
          ? 'has expired and cannot be refreshed'
          : 'expires too soon and cannot be refreshed';
  return new ExplorerError('invalid_input', `The token set of ${app} ${why}: get a new token or sign in to ${app} again.`, { field: 'tokenSetId' });
}

export interface AccessTokenRequest {
  applicationId?: string;
  tokenSetId?: string;
  /** Space-separated scopes the token must have been granted. */
  scope?: string;
  minValiditySeconds?: number;
}

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  expiresAt?: number;
  tokenSetId: string;
}

/** The candidates for a request, newest first, usable ones only. */
export function candidates(service: TokenService, request: Omit<AccessTokenRequest, 'minValiditySeconds'>): TokenSetInfo[] {
  const query: TokenQuery = { ...parseScopes(request.scope ? [request.scope] : []), applicationId: request.applicationId, tokenSetId: request.tokenSetId };
  if (request.tokenSetId !== undefined) service.getTokenSetInfo(request.tokenSetId);
  if (request.applicationId !== undefined) service.getApplication(request.applicationId);
  return service
    .listTokenSets()
    .filter((t) => matches(service, t, query) && usable(t))
    .sort((a, b) => b.issuedAt - a.issuedAt);
}

/**
 * The one choose-refresh-return path: the named token set, or the newest usable one matching the
 * application and scope; refreshed first when it would expire within `minValiditySeconds`.
 */
export async function freshAccessToken(
  service: TokenService,
  request: AccessTokenRequest,
  now: () => number = Date.now,
  choose?: (sets: TokenSetInfo[]) => PromiseLike<string | undefined>,
): Promise<AccessToken> {
  const minValidityMs = Math.max(0, request.minValiditySeconds ?? 60) * 1000;
  const found = candidates(service, request);
  if (!found.length) {
    if (request.tokenSetId !== undefined) throw notUsable(service, service.getTokenSetInfo(request.tokenSetId));
    const what = request.scope ? ` with the scope "${request.scope}"` : '';
    throw new ExplorerError('invalid_input', `There is no usable token${what}: get a token or sign in first.`, { field: 'tokenSetId' });
  }
  const id = found.length > 1 && choose ? await choose(found) : found[0].id;
  if (id === undefined) throw new ExplorerError('cancelled', 'No token set was chosen.');
  const set = await ensureFresh(service, id, minValidityMs, now);
  return { accessToken: set.accessToken, tokenType: set.tokenType, expiresAt: set.expiresAt, tokenSetId: set.id };
}

/** Who a token set speaks for: the application for client credentials, else the signed-in user. */
export function accountOf(
  service: TokenService,
  set: Pick<TokenSet, 'applicationId' | 'environmentId' | 'grant' | 'idToken' | 'accessToken'>,
): { id: string; label: string } {
  const app = service.listApplications().find((a) => a.id === set.applicationId);
  const env = service.listEnvironments().find((e) => e.id === set.environmentId);
  const appLabel = `${app?.name ?? set.applicationId} · ${env?.name ?? set.environmentId}`;
  if (set.grant === 'client_credentials') return { id: set.applicationId, label: appLabel };
  const claims = claimsOf(set.idToken) ?? claimsOf(set.accessToken) ?? {};
  const user = typeof claims.preferred_username === 'string' ? claims.preferred_username : typeof claims.sub === 'string' ? claims.sub : undefined;
  return user ? { id: `${set.applicationId}/${typeof claims.sub === 'string' ? claims.sub : user}`, label: user } : { id: set.applicationId, label: appLabel };
}

function claimsOf(jwt: string | undefined): Record<string, unknown> | undefined {
  if (!jwt) return undefined;
  try {
    return decodeJwt(jwt).payload;
  } catch {
    return undefined;
  }
}
