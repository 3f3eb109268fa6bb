/**
 * Client authentication, one strategy per method (RFC 6749 §2.3, RFC 7523, OIDC Core §9), used by
 * every endpoint that authenticates the client: token (every grant), introspection, revocation and
 * PAR. Assertions are built and signed with `jose`.
 */
import type { JWK } from 'jose';
import type { AuthMethod } from './application';
import { invalidInput } from './errors';
import { basicCredential, rememberSecrets } from './redact';
import { randomToken } from './random';
import { loadJose } from './joseLoader';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** PingOne refuses assertions valid for more than an hour; five minutes is plenty for one request. */
export const ASSERTION_LIFETIME_SECONDS = 300;

export interface ClientCredentials {
  clientId: string;
  authMethod: AuthMethod;
  /** client_secret_basic, client_secret_post, client_secret_jwt. */
  clientSecret?: string;
  /** private_key_jwt: the active private key (JWK with `kid` and `alg`). */
  privateKey?: JWK;
  /** client_secret_jwt: HS256 (default), HS384, HS512; private_key_jwt: the key's algorithm. */
  signingAlg?: string;
  /** Whom the assertion is for: the token endpoint URL (default) or the issuer. */
  assertionAudience?: 'token_endpoint' | 'issuer';
  /** Where the assertion's `aud` points; the service fills these from the endpoints. */
  tokenEndpoint?: string;
  issuer?: string;
}

export interface ClientAuthRequest {
  headers: Record<string, string>;
  form: URLSearchParams;
}

/** RFC 6749 §2.3.1: form-urlencode id and secret, then base64 `id:secret`. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${basicCredential(clientId, clientSecret)}`;
}

function requireSecret(client: ClientCredentials): string {
  if (!client.clientSecret) {
    throw invalidInput('clientSecret', `The application uses ${client.authMethod} but has no client secret stored: edit the application and enter its secret.`);
  }
  // Redacted from every message from now on, in every encoding a server might echo it in.
  rememberSecrets(client.clientSecret, basicCredential(client.clientId, client.clientSecret));
  return client.clientSecret;
}

function assertionAudience(client: ClientCredentials): string {
  const aud = client.assertionAudience === 'issuer' ? client.issuer : client.tokenEndpoint;
  if (!aud) throw invalidInput('assertionAudience', 'The client assertion needs the token endpoint and issuer of the environment.');
  return aud;
}

/** What a JWT the client makes (an assertion, a request object) is signed with. */
export interface ClientSigner {
  key: CryptoKey | Uint8Array;
  alg: string;
  kid?: string;
}

/** The client's private key (a JWK with `d`), with its algorithm (the application's, else the key's) and kid. */
export async function privateKeySigner(jwk: JWK, signingAlg?: string): Promise<ClientSigner> {
  const { importJWK } = await loadJose();
  const alg = signingAlg ?? jwk.alg ?? 'RS256';
  rememberSecrets(jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi);
  return { key: (await importJWK(jwk, alg)) as CryptoKey, alg, kid: jwk.kid };
}

/** The client secret as an HMAC key. */
export function secretSigner(secret: string, alg: string): ClientSigner {
  return { key: new TextEncoder().encode(secret), alg };
}

/** A fresh client assertion (RFC 7523 §3): iss = sub = client ID, aud, iat, exp, a random jti. */
async function clientAssertion(client: ClientCredentials, now: number): Promise<string> {
  const { SignJWT } = await loadJose();
  let signer: ClientSigner;
  if (client.authMethod === 'client_secret_jwt') {
    const alg = client.signingAlg ?? 'HS256';
    if (!/^HS(256|384|512)$/.test(alg)) throw invalidInput('signingAlg', `client_secret_jwt signs with HS256, HS384 or HS512, not ${alg}.`);
    signer = secretSigner(requireSecret(client), alg);
  } else {
    const jwk = client.privateKey;
    if (!jwk || typeof jwk.d !== 'string') {
      throw invalidInput('privateKey', 'The application uses private_key_jwt but has no private key stored: edit the application to generate or import one.');
    }
    signer = await privateKeySigner(jwk, client.signingAlg);
  }
  const { key, alg, kid } = signer;
  const iat = Math.floor(now / 1000);
  return new SignJWT({ jti: randomToken() })
    .setProtectedHeader(kid ? { alg, kid, typ: 'JWT' } : { alg, typ: 'JWT' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(assertionAudience(client))
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
    .sign(key);
}

/** Adds the client's authentication to a request's headers and form body, per its method. */
export async function applyClientAuth(client: ClientCredentials, req: ClientAuthRequest, now = Date.now()): Promise<void> {
  if (!client.clientId) throw invalidInput('clientId', 'The application has no client ID.');
  switch (client.authMethod) {
    case 'client_secret_basic':
      req.headers.Authorization = basicAuthorization(client.clientId, requireSecret(client));
      return;
    case 'client_secret_post':
      req.form.set('client_id', client.clientId);
      req.form.set('client_secret', requireSecret(client));
      return;
    case 'client_secret_jwt':
    case 'private_key_jwt':
      req.form.set('client_id', client.clientId);
      req.form.set('client_assertion_type', ASSERTION_TYPE);
      req.form.set('client_assertion', await clientAssertion(client, now));
      return;
    case 'none':
      req.form.set('client_id', client.clientId);
      return;
    default:
      throw invalidInput('authMethod', `Unsupported client authentication "${String(client.authMethod)}".`);
  }
}

/** What to check when the server refuses a client secret (or the client ID). */
export const CREDENTIALS_REFUSED =
  "The server did not accept the application's credentials: check the client ID, the client secret and the token endpoint auth method configured for the application.";

/** The hint for `invalid_client` that fits the method: what to check. */
export function invalidClientHint(client: Pick<ClientCredentials, 'authMethod' | 'privateKey'>): string {
  switch (client.authMethod) {
    case 'private_key_jwt':
      return `The server did not accept the client assertion: check that the application's public JWKS with kid "${client.privateKey?.kid ?? '?'}" is registered for it (Copy Public JWKS), that its auth method is private_key_jwt, and the assertion audience.`;
    case 'client_secret_jwt':
      return "The server did not accept the client assertion: check the client secret, that the application's auth method is client_secret_jwt, and the signing algorithm and assertion audience.";
    default:
      return CREDENTIALS_REFUSED;
  }
}
