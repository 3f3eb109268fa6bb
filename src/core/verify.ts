/**
 * JWS verification against an issuer's JWKS (with `jose`), and OpenID Connect ID-token
 * validation. Key sets are fetched through our own HTTP layer (timeouts, proxy, logging), cached
 * per JWKS URL, and fetched again once when a token names a `kid` the cached set lacks.
 */
import type { JSONWebKeySet } from 'jose';
import { ExplorerError } from './errors';
import { HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { decodeJwt, looksLikeJwt } from './jwt';
import { JWKS_MAX_AGE_MS, cacheMaxAgeMs } from './metadataCache';

export type SignatureState =
  | { state: 'verified'; alg: string; kid?: string }
  | { state: 'invalid'; alg?: string; kid?: string; reason: string }
  | { state: 'unknown_key'; alg?: string; kid?: string; reason: string }
  | { state: 'not_verifiable'; reason: string };

/** `jose` is loaded on the first verification, so activation does not pay for it. */
let jose: Promise<typeof import('./joseLazy')> | undefined;
const loadJose = () => (jose ??= import('./joseLazy'));

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
  if (!jwksUrl) return { state: 'not_verifiable', reason: 'The issuer publishes no key set (jwks_uri).' };
  const { compactVerify, createLocalJWKSet, errors: joseErrors } = await loadJose();
  try {
    await withKeySet(cache, jwksUrl, (jwks) => compactVerify(token, createLocalJWKSet(jwks)));
    return { state: 'verified', alg, kid };
  } catch (err) {
    if (err instanceof joseErrors.JWKSNoMatchingKey) {
      return { state: 'unknown_key', alg, kid, reason: `The issuer's key set has no key${kid ? ` with kid "${kid}"` : ''} for ${alg}.` };
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWSInvalid) {
      return { state: 'invalid', alg, kid, reason: 'The signature does not match the issuer\'s key: the token was altered or signed by someone else.' };
    }
    if (err instanceof ExplorerError) {
      return { state: 'not_verifiable', reason: err.message };
    }
    return { state: 'invalid', alg, kid, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** OIDC Core §3.1.3.7: signature, iss, aud, exp (with clock tolerance), nonce. Returns the claims. */
export async function validateIdToken(
  idToken: string,
  expected: { issuer: string; clientId: string; nonce?: string; jwksUrl?: string; now?: number },
  cache: JwksCache,
): Promise<Record<string, unknown>> {
  if (!expected.jwksUrl) {
    throw new ExplorerError('invalid_response', 'The ID token cannot be validated: the issuer publishes no key set (jwks_uri).');
  }
  const { createLocalJWKSet, errors: joseErrors, jwtVerify } = await loadJose();
  try {
    const { payload } = await withKeySet(cache, expected.jwksUrl, (jwks) =>
      jwtVerify(idToken, createLocalJWKSet(jwks), {
        issuer: expected.issuer,
        audience: expected.clientId,
        clockTolerance: 60,
        currentDate: expected.now === undefined ? undefined : new Date(expected.now),
        requiredClaims: ['sub', 'iat', 'exp'],
      }),
    );
    if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
      throw new ExplorerError('invalid_id_token', 'The ID token\'s nonce does not match this sign-in: it was rejected (possible replay).');
    }
    return payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ExplorerError) throw err;
    const reason =
      err instanceof joseErrors.JWTExpired
        ? 'it has expired'
        : err instanceof joseErrors.JWTClaimValidationFailed
          ? `claim "${err.claim}" ${err.reason === 'check_failed' ? 'does not match' : err.reason}`
          : err instanceof joseErrors.JWSSignatureVerificationFailed
            ? 'its signature does not verify'
            : err instanceof joseErrors.JWKSNoMatchingKey
              ? 'no key in the issuer\'s key set matches it'
              : err instanceof Error
                ? err.message
                : String(err);
    throw new ExplorerError('invalid_id_token', `The ID token was rejected: ${reason}.`, { cause: err });
  }
}
