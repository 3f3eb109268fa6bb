// Signing keys and a minimal RS256 JWT verifier (node:crypto only, so the sandbox needs no extra
// packages). Each variant gets its own freshly generated RSA key, published at its JWKS endpoint.
import { generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  /** Private JWK (with kid, alg RS256, use sig) handed to oidc-provider's `jwks` option. */
  jwk: Record<string, unknown>;
  kid: string;
  publicKey: KeyObject;
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }, kid, publicKey };
}

/** True when the value has the three-segment shape of a compact JWS. */
export function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
}

/**
 * Verifies an RS256 compact JWS signed by `key` and returns its payload, or undefined when the
 * shape, header, or signature is wrong. Claims (iss, exp, …) are left to the caller.
 */
export function verifyRs256(token: string, key: SigningKey): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  const [h, p, s] = token.split('.') as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header.alg !== 'RS256' || header.kid !== key.kid) return undefined;
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url'))) return undefined;
    return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
