/**
 * Private keys for `private_key_jwt` (and signed request objects): import from PEM (PKCS#8) or a
 * private JWK, or generate one; a stable `kid` (RFC 7638 thumbprint); the public JWKS to register in
 * the tenant. A key ring keeps rotated-out keys listed until the user removes them. Key rings are
 * stored in SecretStorage only; nothing here logs or echoes key material. Cryptography is `jose`'s.
 */
import type { JWK } from 'jose';
import { ExplorerError, invalidInput } from './errors';
import { loadJose } from './joseLoader';

export const KEY_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;
export type KeyAlg = (typeof KEY_ALGS)[number];

export function isKeyAlg(value: unknown): value is KeyAlg {
  return typeof value === 'string' && (KEY_ALGS as readonly string[]).includes(value);
}

/** One private key as stored: the private JWK (with `kid` and `alg`) and when it was added. */
export interface StoredKey {
  kid: string;
  alg: KeyAlg;
  privateJwk: JWK;
  createdAt: number;
}

/** All keys of an application; `active` signs, the others stay published until removed. */
export interface KeyRing {
  active: string;
  keys: StoredKey[];
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export function publicPart(jwk: JWK): JWK {
  const pub: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete pub[m];
  delete pub.key_ops;
  delete pub.ext;
  return pub as JWK;
}

/** The JWKS to paste into the application's `jwks` field in the tenant: public parts only. */
export function publicJwks(ring: KeyRing | undefined): { keys: JWK[] } {
  return { keys: (ring?.keys ?? []).map((k) => ({ ...publicPart(k.privateJwk), kid: k.kid, alg: k.alg, use: 'sig' })) };
}

export function activeKey(ring: KeyRing | undefined): StoredKey | undefined {
  return ring?.keys.find((k) => k.kid === ring.active);
}

function defaultAlg(jwk: JWK): KeyAlg {
  if (isKeyAlg(jwk.alg)) return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384';
  throw invalidInput(
    'privateKey',
    `This key (${jwk.kty ?? 'unknown type'}${jwk.crv ? ` ${jwk.crv}` : ''}) cannot sign with ${KEY_ALGS.join(', ')}: use an RSA key or an EC P-256 or P-384 key.`,
  );
}

function checkAlgFits(alg: KeyAlg, jwk: JWK): void {
  const rsa = alg.startsWith('RS') || alg.startsWith('PS');
  const fits = rsa ? jwk.kty === 'RSA' : jwk.kty === 'EC' && jwk.crv === (alg === 'ES256' ? 'P-256' : 'P-384');
  if (!fits) throw invalidInput('signingAlg', `The signing algorithm ${alg} does not fit this key (${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''}).`);
  if (rsa && typeof jwk.n === 'string' && Buffer.from(jwk.n, 'base64url').length < 256) {
    throw invalidInput('privateKey', 'This RSA key is shorter than 2048 bits; servers refuse such keys. Use a 2048-bit or longer key.');
  }
}

async function stored(jwk: JWK, alg: KeyAlg, now: number): Promise<StoredKey> {
  const { calculateJwkThumbprint } = await loadJose();
  const kid = await calculateJwkThumbprint(publicPart(jwk), 'sha256');
  return { kid, alg, privateJwk: { ...jwk, kid, alg }, createdAt: now };
}

/**
 * Reads a private key the user pasted or picked: PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`) or a
 * private JWK as JSON. Anything else, a public key, or a key that does not fit `alg` is
 * `invalid_input` naming the field; the key's text is never repeated in the message.
 */
export async function parsePrivateKey(input: string, alg: string | undefined, now = Date.now()): Promise<StoredKey> {
  if (typeof input !== 'string' || input.trim() === '') throw invalidInput('privateKey', 'A private key is required (PEM PKCS#8 or a private JWK).');
  if (alg !== undefined && !isKeyAlg(alg)) throw invalidInput('signingAlg', `Unknown signing algorithm "${alg}": use one of ${KEY_ALGS.join(', ')}.`);
  const { exportJWK, importJWK, importPKCS8 } = await loadJose();
  const text = input.trim();
  let jwk: JWK;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalidInput('privateKey', 'The private key looks like JSON but does not parse: paste the whole JWK object.');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidInput('privateKey', 'The private JWK must be a JSON object.');
    const candidate = (Array.isArray((parsed as { keys?: unknown }).keys) ? ((parsed as { keys: unknown[] }).keys[0] as JWK) : (parsed as JWK)) ?? {};
    if (typeof candidate.d !== 'string') throw invalidInput('privateKey', 'This JWK is a public key (it has no "d" member): paste the private key.');
    const useAlg = (alg as KeyAlg | undefined) ?? defaultAlg(candidate);
    try {
      await importJWK(candidate, useAlg);
    } catch (err) {
      throw new ExplorerError('invalid_input', `The private JWK cannot be used for ${useAlg}: ${err instanceof Error ? err.message : 'it is malformed'}.`, {
        field: 'privateKey',
      });
    }
    const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ...material } = candidate as JWK & { key_ops?: unknown };
    jwk = material as JWK;
  } else if (/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    if (/BEGIN ENCRYPTED PRIVATE KEY/.test(text)) throw invalidInput('privateKey', 'This PEM key is encrypted with a passphrase: export it unencrypted (PKCS#8) first.');
    if (/BEGIN (RSA|EC) PRIVATE KEY/.test(text)) {
      throw invalidInput('privateKey', 'This PEM key is in the older PKCS#1/SEC1 format: convert it with "openssl pkcs8 -topk8 -nocrypt" and paste the result.');
    }
    const tryAlgs: KeyAlg[] = alg ? [alg as KeyAlg] : ['RS256', 'ES256', 'ES384'];
    let imported: CryptoKey | undefined;
    for (const a of tryAlgs) {
      try {
        imported = (await importPKCS8(text, a, { extractable: true })) as CryptoKey;
        break;
      } catch {
        imported = undefined;
      }
    }
    if (!imported) throw invalidInput('privateKey', `This PEM key could not be read${alg ? ` as a ${alg} key` : ''}: it is malformed or of an unsupported type.`);
    jwk = await exportJWK(imported);
  } else {
    throw invalidInput('privateKey', 'This is not a private key: paste a PEM PKCS#8 key ("-----BEGIN PRIVATE KEY-----") or a private JWK.');
  }
  const useAlg = (alg as KeyAlg | undefined) ?? defaultAlg(jwk);
  checkAlgFits(useAlg, jwk);
  return stored(jwk, useAlg, now);
}

/** Generates a new signing key (RS256 by default: 2048-bit RSA). */
export async function generatePrivateKey(alg: string | undefined, now = Date.now()): Promise<StoredKey> {
  const useAlg = alg ?? 'RS256';
  if (!isKeyAlg(useAlg)) throw invalidInput('signingAlg', `Unknown signing algorithm "${useAlg}": use one of ${KEY_ALGS.join(', ')}.`);
  const { exportJWK, generateKeyPair } = await loadJose();
  const { privateKey } = await generateKeyPair(useAlg, { extractable: true, modulusLength: 2048 });
  return stored(await exportJWK(privateKey), useAlg, now);
}

/** A ring with `key` added and made active; earlier keys stay listed (rotation). */
export function addToRing(ring: KeyRing | undefined, key: StoredKey): KeyRing {
  const others = (ring?.keys ?? []).filter((k) => k.kid !== key.kid);
  return { active: key.kid, keys: [...others, key] };
}

export function removeFromRing(ring: KeyRing, kid: string): KeyRing {
  if (!ring.keys.some((k) => k.kid === kid)) throw invalidInput('kid', `The application has no key with kid "${kid}".`);
  if (ring.active === kid) throw invalidInput('kid', 'This is the key the application signs with: rotate to a new key first, then remove the old one.');
  return { active: ring.active, keys: ring.keys.filter((k) => k.kid !== kid) };
}

export function parseKeyRing(raw: string | undefined): KeyRing | undefined {
  if (raw === undefined) return undefined;
  try {
    const ring = JSON.parse(raw) as KeyRing;
    if (typeof ring.active === 'string' && Array.isArray(ring.keys)) return ring;
  } catch {
    // fall through
  }
  throw new ExplorerError('invalid_input', 'The stored key of this application is unreadable: generate or import a new one (Edit Application).', { field: 'privateKey' });
}
