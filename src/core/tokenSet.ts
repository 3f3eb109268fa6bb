/**
 * The token-set model: what one grant produced, and how a refresh changes it. Pure functions of
 * their inputs and a `now` (epoch ms) so they are tested without a clock.
 */
import { jwtExpiry } from './jwt';
import type { TokenResponse } from './oauth';

export type Grant = 'client_credentials' | 'authorization_code';

/**
 * Lifecycle marks that the clock cannot tell: `sign-in-required` after `invalid_grant` on refresh
 * (tokens kept for inspection), `revoked` after a successful revocation.
 */
export type TokenSetMark = 'sign-in-required' | 'revoked';

export type TokenStatus = 'valid' | 'expired' | TokenSetMark;

/** Everything secret about a token set. Stored in SecretStorage only. */
export interface TokenSecrets {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  idToken?: string;
  /** DPoP (RFC 9449): the private key the tokens are bound to (a JWK). */
  dpopKey?: Record<string, unknown>;
}

/** Whether the token set's access token is DPoP-bound (RFC 9449 token type "DPoP"). */
export function isDpopBound(set: Pick<TokenSecrets, 'tokenType'>): boolean {
  return set.tokenType.toLowerCase() === 'dpop';
}

/** A token set: metadata plus secrets. */
export interface TokenSet extends TokenSecrets {
  id: string;
  applicationId: string;
  environmentId: string;
  grant: Grant;
  /** Space-separated scope granted, as the server reported it (or as requested when it did not say). */
  scope?: string;
  /** When the tokens were issued (epoch ms, from the local clock at receipt). */
  issuedAt: number;
  /** Access-token expiry (epoch ms): from `expires_in`, else the JWT's `exp`. */
  expiresAt?: number;
  /** When the refresh token was last replaced or confirmed (epoch ms). */
  refreshedAt?: number;
  mark?: TokenSetMark;
}

export function expiresAtFrom(response: TokenResponse, now: number): number | undefined {
  if (response.expiresIn !== undefined) return now + response.expiresIn * 1000;
  return jwtExpiry(response.accessToken);
}

export function tokenSetFromResponse(
  response: TokenResponse,
  ids: { id: string; applicationId: string; environmentId: string },
  grant: Grant,
  now: number,
  requestedScope?: string,
): TokenSet {
  return {
    ...ids,
    grant,
    accessToken: response.accessToken,
    tokenType: response.tokenType,
    refreshToken: response.refreshToken,
    idToken: response.idToken,
    scope: response.scope ?? requestedScope,
    issuedAt: now,
    expiresAt: expiresAtFrom(response, now),
  };
}

/**
 * The token set after a successful refresh. A new refresh token replaces the old one; when the
 * server sent none (PingFederate without rolling) the old one stays. An ID token is replaced only
 * when a new one came. Any mark is cleared: the set is usable again.
 */
export function applyRefresh(previous: TokenSet, response: TokenResponse, now: number, requestedScope?: string): TokenSet {
  const { mark: _cleared, ...rest } = previous;
  return {
    ...rest,
    accessToken: response.accessToken,
    tokenType: response.tokenType,
    refreshToken: response.refreshToken ?? previous.refreshToken,
    idToken: response.idToken ?? previous.idToken,
    scope: response.scope ?? requestedScope ?? previous.scope,
    issuedAt: now,
    expiresAt: expiresAtFrom(response, now),
    refreshedAt: now,
  };
}

export function tokenStatus(set: Pick<TokenSet, 'mark' | 'expiresAt'>, now: number): TokenStatus {
  if (set.mark) return set.mark;
  if (set.expiresAt !== undefined && set.expiresAt <= now) return 'expired';
  return 'valid';
}

export function scopeList(scope: string | undefined): string[] {
  return (scope ?? '').split(/\s+/).filter(Boolean);
}

/**
 * Scopes in `requested` that `granted` does not include. A refresh may ask for the same or a
 * narrower scope; anything returned here would widen it.
 */
export function scopeWidening(granted: string | undefined, requested: string | undefined): string[] {
  if (!requested || granted === undefined) return [];
  const have = new Set(scopeList(granted));
  return scopeList(requested).filter((s) => !have.has(s));
}

/**
 * Whether two copies are the same version of a token set: same refresh token and issue time. A
 * write computed from one version must not land over another (see TokenService.commitTokenSet).
 */
export function sameVersion(a: Pick<TokenSet, 'refreshToken' | 'issuedAt'>, b: Pick<TokenSet, 'refreshToken' | 'issuedAt'>): boolean {
  return a.refreshToken === b.refreshToken && a.issuedAt === b.issuedAt;
}
