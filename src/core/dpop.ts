/**
 * DPoP (RFC 9449): a key pair per token set, and a fresh proof for every request that uses or
 * obtains its tokens. Proofs are signed with `jose`; the private key stays with the token set in
 * SecretStorage.
 */
import type { JWK } from 'jose';
import { publicPart } from './clientKeys';
import { invalidInput } from './errors';
import { randomToken } from './random';
import { loadJose } from './joseLoader';

export const DPOP_ALG = 'ES256';

/** A new ES256 key pair for one token set, as a private JWK. */
export async function generateDpopKey(): Promise<JWK> {
  const { exportJWK, generateKeyPair } = await loadJose();
  const { privateKey } = await generateKeyPair(DPOP_ALG, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg: DPOP_ALG };
}

/** The key's RFC 7638 thumbprint: what a bound token's `cnf.jkt` names. */
export async function dpopThumbprint(jwk: JWK): Promise<string> {
  const { calculateJwkThumbprint } = await loadJose();
  return calculateJwkThumbprint(publicPart(jwk), 'sha256');
}

/** RFC 9449 §4.2: `htu` is the target URI without query and fragment. */
export function htu(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * A fresh DPoP proof for one request: `htm`, `htu`, `iat`, a random `jti`, the server's `nonce`
 * when it asked for one, and `ath` (the access token's SHA-256) when the request carries a token.
 */
export async function createDpopProof(key: JWK, request: { method: string; url: string; nonce?: string; accessToken?: string }, now = Date.now()): Promise<string> {
  if (!key || typeof key.d !== 'string') throw invalidInput('dpop', 'This token set has no DPoP key.');
  if (!/^[A-Z]+$/.test(request.method)) throw invalidInput('method', `"${request.method}" is not an HTTP method (GET, POST, ...).`);
  let target: string;
  try {
    target = htu(request.url);
  } catch {
    throw invalidInput('url', `"${request.url.slice(0, 100)}" is not a URL.`);
  }
  const { SignJWT, importJWK } = await loadJose();
  const claims: Record<string, unknown> = { htm: request.method, htu: target, jti: randomToken() };
  if (request.nonce) claims.nonce = request.nonce;
  if (request.accessToken) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(request.accessToken));
    claims.ath = Buffer.from(digest).toString('base64url');
  }
  return new SignJWT(claims)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: DPOP_ALG, jwk: publicPart(key) })
    .setIssuedAt(Math.floor(now / 1000))
    .sign(await importJWK(key, DPOP_ALG));
}
