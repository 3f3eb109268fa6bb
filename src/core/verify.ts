/**
 * JWS verification against an issuer's JWKS (with `jose`), and OpenID Connect ID-token
 * validation. Key sets are fetched through our own HTTP layer (timeouts, proxy, logging), cached
 * per JWKS URL, and fetched again once when a token names a `kid` the cached set lacks.
 */
import type { JSONWebKeySet } from 'jose';
import { ExplorerError } from './errors';
import { type HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { decodeJwt, looksLikeJwt } from './jwt';
import { JWKS_MAX_AGE_MS, cacheMaxAgeMs } from './metadataCache';
import { loadJose } from './joseLoader';

/** Why a signature cannot be checked when discovery names no key set. */
export const NO_KEY_SET = 'The issuer publishes no key set (jwks_uri).';

export type SignatureState =
  | { state: 'verified'; alg: string; kid?: string }
  | { state: 'invalid'; alg?: string; kid?: string; reason: string }
  | { state: 'unknown_key'; alg?: string; kid?: string; reason: string }
  | { state: 'not_verifiable'; reason: string };

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

/** Where key sets outlive the window (the state store, see metadataCache.ts): fresh entries only. */
export interface KeySetStore {
  get(url: string): JSONWebKeySet | undefined;
  put(url: string, jwks: JSONWebKeySet, maxAgeMs: number): PromiseLike<void>;
}

export class JwksCache {
  private readonly sets = new Map<string, { jwks: JSONWebKeySet; fetchedAt: number; maxAgeMs: number }>();

  constructor(
    private readonly http: () => HttpSettings,
    private readonly store?: KeySetStore,
    private readonly now: () => number = Date.now,
  ) {}

  async get(url: string, forceRefresh = false): Promise<JSONWebKeySet> {
    const cached = this.sets.get(url);
    if (cached && !forceRefresh && this.now() < cached.fetchedAt + cached.maxAgeMs) return cached.jwks;
    // Fetched by another window or before a restart, and still fresh (the store keeps the expiry).
    const stored = forceRefresh ? undefined : this.store?.get(url);
    if (stored) return stored;
    const res = await httpRequest({ method: 'GET', url }, this.http());
    const body = tryParseJson(res);
    if (res.status !== 200 || !body || typeof body !== 'object' || !Array.isArray((body as JSONWebKeySet).keys)) {
      throw new ExplorerError('invalid_response', `The key set at ${url} could not be read: HTTP ${res.status} with ${describeBody(res)}.`, {
        status: res.status,
      });
    }
    const jwks = body as JSONWebKeySet;
    const maxAgeMs = cacheMaxAgeMs(res.header('cache-control'), JWKS_MAX_AGE_MS);
    // `no-store` (0) is kept out of the store; this window still uses it for the default time.
    this.sets.set(url, { jwks, fetchedAt: this.now(), maxAgeMs: maxAgeMs || JWKS_MAX_AGE_MS });
    // Kept for other windows and the next start; a store that cannot be written only costs a fetch.
    await this.store?.put(url, jwks, maxAgeMs)?.then(undefined, () => undefined);
    return jwks;
  }

  clear(): void {
    this.sets.clear();
  }
}

/** Runs `verify` against the cached key set, and once more with a fresh one on an unknown `kid`. */
async function withKeySet<T>(cache: JwksCache, jwksUrl: string, verify: (jwks: JSONWebKeySet) => Promise<T>): Promise<T> {
  const { errors: joseErrors } = await loadJose();
  try {
    return await verify(await cache.get(jwksUrl));
  } catch (err) {
    if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
      return verify(await cache.get(jwksUrl, true));
    }
    throw err;
  }
}

/** The signature state of any token, for display: never throws for a bad token. */
export async function verifySignature(token: string, jwksUrl: string | undefined, cache: JwksCache): Promise<SignatureState> {
  if (!looksLikeJwt(token)) return { state: 'not_verifiable', reason: 'Opaque token: only the server can tell; introspect it.' };
  const { header } = decodeJwt(token);
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  if (!alg || alg === 'none') return { state: 'not_verifiable', reason: 'Unsigned token (alg "none").' };
  if (!ASYMMETRIC.test(alg)) {
    return { state: 'not_verifiable', reason: `${alg} is signed with a shared secret; it cannot be verified with the public key set.` };
  }
  if (!jwksUrl) return { state: 'not_verifiable', reason: NO_KEY_SET };
  const { compactVerify, createLocalJWKSet, errors: joseErrors } = await loadJose();
  try {
    await withKeySet(cache, jwksUrl, (jwks) => compactVerify(token, createLocalJWKSet(jwks)));
    return { state: 'verified', alg, kid };
  } catch (err) {
    if (err instanceof joseErrors.JWKSNoMatchingKey) {
      return { state: 'unknown_key', alg, kid, reason: `The issuer's key set has no key${kid ? ` with kid "${kid}"` : ''} for ${alg}.` };
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWSInvalid) {
      return { state: 'invalid', alg, kid, reason: "The signature does not match the issuer's key: the token was altered or signed by someone else." };
    }
    if (err instanceof ExplorerError) {
      return { state: 'not_verifiable', reason: err.message };
    }
    return { state: 'invalid', alg, kid, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Clock tolerance for `exp`, `iat` and `nbf` of ID tokens: servers and laptops disagree by seconds, rarely more. */
export const CLOCK_TOLERANCE_SECONDS = 60;

const SYMMETRIC = /^HS(256|384|512)$/;

export interface IdTokenExpectations {
  /** The issuer, compared exactly (RFC 8414 §3.3: an identifier, not a URL to normalise). */
  issuer: string;
  clientId: string;
  /** The nonce sent with the authorization request; absent on refresh. */
  nonce?: string;
  jwksUrl?: string;
  /** HS256/384/512 ID tokens are signed with the client secret (OIDC Core §10.1). */
  clientSecret?: string;
  now?: number;
}

function idTokenError(reason: string, cause?: unknown): ExplorerError {
  return new ExplorerError('invalid_id_token', `The ID token was rejected: ${reason}.`, { cause });
}

function describeSkew(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  return abs >= 120 ? `${Math.round(abs / 60)} minutes` : `${abs} s`;
}

/**
 * OpenID Connect Core §3.1.3.7, as the OpenID Foundation's relying-party tests check it (the names
 * are those tests'): rp-id_token-sig-none, rp-id_token-bad-sig-rs256/es256/hs256,
 * rp-id_token-kid-absent-single-jwks (accepted), rp-id_token-kid-absent-multiple-jwks (rejected),
 * rp-key-rotation-op-sign-key (one refetch of the key set), rp-id_token-issuer-mismatch,
 * rp-id_token-aud (also extra audiences and azp), rp-id_token-sub, rp-id_token-iat, exp, and
 * rp-nonce-invalid. Returns the claims.
 */
export async function validateIdToken(idToken: string, expected: IdTokenExpectations, cache: JwksCache): Promise<Record<string, unknown>> {
  if (!looksLikeJwt(idToken)) throw idTokenError('it is not a signed JWT');
  const { header, payload: unverified } = decodeJwt(idToken);
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  // rp-id_token-sig-none: this client never registers "none", and the code flow never needs it.
  if (!alg || alg.toLowerCase() === 'none') throw idTokenError('it is unsigned (alg "none"), which this client never accepts');
  const { createLocalJWKSet, errors: joseErrors, jwtVerify } = await loadJose();
  const now = expected.now ?? Date.now();
  const options = {
    issuer: expected.issuer,
    audience: expected.clientId,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    currentDate: new Date(now),
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp'],
  };
  let payload: Record<string, unknown>;
  try {
    if (SYMMETRIC.test(alg)) {
      if (!expected.clientSecret) {
        throw idTokenError(`it is signed with ${alg}, a shared-secret algorithm, and this application has no client secret to check it with`);
      }
      ({ payload } = await jwtVerify(idToken, new TextEncoder().encode(expected.clientSecret), { ...options, algorithms: [alg] }));
    } else if (ASYMMETRIC.test(alg)) {
      if (!expected.jwksUrl) throw idTokenError('the issuer publishes no key set (jwks_uri) to check its signature with');
      const jwksUrl = expected.jwksUrl;
      ({ payload } = await withKeySet(cache, jwksUrl, (jwks) => jwtVerify(idToken, createLocalJWKSet(jwks), options)));
    } else {
      throw idTokenError(`its signature algorithm "${alg}" is not supported`);
    }
  } catch (err) {
    if (err instanceof ExplorerError) throw err;
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    let reason: string;
    if (err instanceof joseErrors.JWTExpired) {
      const exp = typeof unverified.exp === 'number' ? unverified.exp : undefined;
      reason =
        exp === undefined
          ? 'it has expired'
          : `it expired ${describeSkew(now / 1000 - exp)} ago (allowing ${CLOCK_TOLERANCE_SECONDS} s of clock difference); if it was just issued, this computer's clock or the server's is wrong`;
    } else if (err instanceof joseErrors.JWTClaimValidationFailed) {
      const value = (unverified as Record<string, unknown>)[err.claim];
      if (err.reason === 'missing') reason = `it has no "${err.claim}" claim, which OpenID Connect requires`;
      else if (err.claim === 'iss') reason = `its issuer "${String(value)}" is not this environment's issuer "${expected.issuer}"`;
      else if (err.claim === 'aud') reason = `its audience ${JSON.stringify(value)} does not include this application's client ID "${expected.clientId}"`;
      else if (err.claim === 'nbf')
        reason = `it is not valid yet (nbf is ${describeSkew(Number(value) - now / 1000)} ahead): this computer's clock or the server's is wrong`;
      else reason = `claim "${err.claim}" ${err.reason === 'check_failed' ? 'does not match' : err.reason}`;
    } else if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      reason = `its ${alg} signature does not verify${SYMMETRIC.test(alg) ? ' with the client secret' : " with the issuer's key"}: it was altered or signed by someone else`;
    } else if (err instanceof joseErrors.JWKSNoMatchingKey) {
      reason = `no key in the issuer's key set matches it${kid ? ` (kid "${kid}", ${alg})` : ` (${alg})`}, even after fetching the key set again`;
    } else if (err instanceof joseErrors.JWKSMultipleMatchingKeys) {
      reason = `its header names no key (kid) and the issuer's key set has several ${alg} keys, so which one signed it cannot be told`;
    } else if (err instanceof joseErrors.JOSEError) {
      reason = err.message;
    } else {
      reason = err instanceof Error ? err.message : String(err);
    }
    throw idTokenError(reason, err);
  }
  // rp-id_token-aud: an audience we do not trust (any other than ours) is a rejection (§3.1.3.7 item 3).
  const aud = payload.aud;
  if (Array.isArray(aud) && aud.some((a) => a !== expected.clientId)) {
    const others = aud.filter((a) => a !== expected.clientId).map(String);
    throw idTokenError(`it is also meant for ${others.map((o) => `"${o}"`).join(', ')}, an audience this application does not trust`);
  }
  // §3.1.3.7 items 4-5: when azp is present it must be us.
  if (payload.azp !== undefined && payload.azp !== expected.clientId) {
    throw idTokenError(`its authorized party (azp) is "${String(payload.azp)}", not this application's client ID "${expected.clientId}"`);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw idTokenError('its "sub" claim is not a non-empty string');
  // rp-id_token-iat: issued in the future beyond the tolerance means a clock is wrong.
  if (typeof payload.iat !== 'number') throw idTokenError('its "iat" claim is not a number');
  if (payload.iat - now / 1000 > CLOCK_TOLERANCE_SECONDS) {
    throw idTokenError(
      `it was issued ${describeSkew(payload.iat - now / 1000)} in the future (allowing ${CLOCK_TOLERANCE_SECONDS} s): this computer's clock or the server's is wrong`,
    );
  }
  // rp-nonce-invalid
  if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
    throw new ExplorerError(
      'invalid_id_token',
      payload.nonce === undefined
        ? 'The ID token was rejected: it carries no nonce, but this sign-in sent one (possible replay).'
        : 'The ID token was rejected: its nonce does not match this sign-in (possible replay).',
    );
  }
  return payload as Record<string, unknown>;
}

/**
 * OpenID Connect Core §12.2: an ID token returned by a refresh must name the same issuer, subject
 * and audience as the one the sign-in produced, and carry the same auth_time when that had one.
 * `original` is the payload of the stored ID token (validated when it was received).
 */
export function checkRefreshedIdToken(original: Record<string, unknown>, refreshed: Record<string, unknown>): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(Array.isArray(a) ? [...a].sort() : a) === JSON.stringify(Array.isArray(b) ? [...b].sort() : b);
  const reject = (reason: string) =>
    new ExplorerError('invalid_id_token', `The refreshed ID token was rejected and nothing was stored: ${reason}. Sign in again if this persists.`);
  if (refreshed.iss !== original.iss) throw reject(`its issuer "${String(refreshed.iss)}" differs from the original "${String(original.iss)}"`);
  if (refreshed.sub !== original.sub) throw reject('it is for a different user (its "sub" differs from the original sign-in\'s)');
  if (!same(refreshed.aud, original.aud)) throw reject(`its audience ${JSON.stringify(refreshed.aud)} differs from the original ${JSON.stringify(original.aud)}`);
  if (original.auth_time !== undefined) {
    if (refreshed.auth_time === undefined) throw reject('it has no auth_time, though the original had one');
    if (refreshed.auth_time !== original.auth_time) throw reject("its auth_time differs from the original sign-in's");
  }
}
