/** Applications (OAuth clients) of an environment. The secret is never part of this model. */
import { validateBaseUrl, validateName } from './environment';
import { invalidInput } from './errors';
import type { Grant } from './tokenSet';

export const GRANTS: readonly Grant[] = ['client_credentials', 'authorization_code', 'device_code', 'token_exchange', 'ciba', 'password'];

/** Grants that authenticate the client and so need a confidential application. */
export const CONFIDENTIAL_GRANTS: readonly Grant[] = ['client_credentials', 'token_exchange', 'ciba'];

/** Why an application cannot sign request objects (JAR). */
export const NO_REQUEST_OBJECT_SIGNER = 'A signed request object needs a private key (private_key_jwt) or a client secret to sign with; this application has neither.';

/** The `grant_type` (as discovery's `grant_types_supported` lists it) of each grant. */
export const GRANT_TYPES: Record<Grant, string> = {
  client_credentials: 'client_credentials',
  authorization_code: 'authorization_code',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
  token_exchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  ciba: 'urn:openid:params:grant-type:ciba',
  password: 'password',
};

/** How each grant is named to the user. */
export const GRANT_LABELS: Record<Grant, string> = {
  client_credentials: 'the client-credentials grant',
  authorization_code: 'authorization-code sign-in',
  device_code: 'device authorization',
  token_exchange: 'token exchange',
  ciba: 'backchannel authentication (CIBA)',
  password: 'the resource-owner password grant',
};

/** How the application authenticates at the token, revocation, introspection and PAR endpoints. */
export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none';
export const AUTH_METHODS: readonly AuthMethod[] = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'];

/** Methods that need the client secret stored. */
export function usesSecret(method: AuthMethod): boolean {
  return method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt';
}

export const SECRET_JWT_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const PRIVATE_KEY_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384'] as const;

/** When to push the authorization request (RFC 9126) or sign it (RFC 9101): `auto` follows the server. */
export type RequestPolicy = 'auto' | 'always' | 'never';
const POLICIES: readonly RequestPolicy[] = ['auto', 'always', 'never'];

export interface ApplicationInput {
  name: string;
  clientId: string;
  /** Required for client_secret_basic and client_secret_post when adding. */
  clientSecret?: string;
  authMethod?: AuthMethod | string;
  /** Space-separated default scopes. */
  scopes?: string;
  /** The redirect URI registered for the app; a loopback one (http://127.0.0.1[:port]/path) enables sign-in from VS Code. */
  redirectUri?: string;
  /** What the app is used for; default: both grants for confidential apps, the code grant for public ones. */
  grants?: Grant[];
  /** client_secret_jwt: HS256 (default), HS384, HS512; private_key_jwt: the key's algorithm (RS256 default when generating). */
  signingAlg?: string;
  /** JWT client authentication: the assertion's `aud` is the token endpoint (default) or the issuer. */
  assertionAudience?: 'token_endpoint' | 'issuer';
  /** private_key_jwt: a PEM PKCS#8 key or a private JWK (JSON); generated when absent. Stored in SecretStorage only. */
  privateKey?: string;
  /** Pushed authorization requests: `auto` (default) when the server requires them. */
  pushedAuthorization?: RequestPolicy | string;
  /** Signed request objects: `auto` (default) when the server requires them. */
  requestObject?: RequestPolicy | string;
  /** DPoP-bound tokens (RFC 9449). Off by default: a bound token cannot be used as a plain bearer token. */
  dpop?: boolean;
}

export interface Application {
  id: string;
  environmentId: string;
  name: string;
  clientId: string;
  authMethod: AuthMethod;
  scopes?: string;
  redirectUri?: string;
  grants: Grant[];
  signingAlg?: string;
  assertionAudience?: 'token_endpoint' | 'issuer';
  /** private_key_jwt: the `kid` of the key it signs with (RFC 7638 thumbprint); the key itself is a secret. */
  keyId?: string;
  pushedAuthorization?: RequestPolicy;
  requestObject?: RequestPolicy;
  dpop?: boolean;
  /** Set on entries that come from the workspace file (.vscode/pingone.json), not the user's own store. */
  origin?: 'workspace';
}

export function validateAuthMethod(value: unknown): AuthMethod {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  // PingOne spells them CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, NONE.
  if (typeof v === 'string' && (AUTH_METHODS as readonly string[]).includes(v)) return v as AuthMethod;
  throw invalidInput('authMethod', `Unknown auth method "${String(value)}": use one of ${AUTH_METHODS.join(', ')}.`);
}

export function validateClientId(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput('clientId', 'The client ID is required.');
  const id = value.trim();
  if (/\s/.test(id)) throw invalidInput('clientId', 'A client ID has no spaces.');
  if (id.length > 200) throw invalidInput('clientId', 'The client ID is too long (at most 200 characters).');
  return id;
}

export function validateScopes(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidInput('scopes', 'Scopes are a space-separated string, e.g. "openid profile".');
  const list = value.split(/[\s,]+/).filter(Boolean);
  const bad = list.find((s) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s));
  if (bad) throw invalidInput('scopes', `"${bad}" is not a valid scope (RFC 6749 §3.3).`);
  return list.join(' ') || undefined;
}

export function validateRedirectUri(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const base = validateBaseUrl('redirectUri', value);
  return base;
}

/** True when sign-in from VS Code can catch the redirect itself. */
export function isLoopbackRedirect(redirectUri: string | undefined): boolean {
  if (!redirectUri) return false;
  try {
    const u = new URL(redirectUri);
    // The listener binds 127.0.0.1, so only redirect URIs that reach it qualify.
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost');
  } catch {
    return false;
  }
}

export function validateApplication(
  input: ApplicationInput,
  ids: { id: string; environmentId: string },
  opts: { hasStoredSecret: boolean; keyId?: string },
): Application {
  if (typeof input !== 'object' || input === null) throw invalidInput('application', 'An application object is required.');
  const authMethod = validateAuthMethod(input.authMethod ?? 'client_secret_basic');
  if (usesSecret(authMethod) && !input.clientSecret && !opts.hasStoredSecret) {
    throw invalidInput('clientSecret', `A client secret is required for ${authMethod}.`);
  }
  if (input.clientSecret !== undefined && typeof input.clientSecret !== 'string') {
    throw invalidInput('clientSecret', 'The client secret must be a string.');
  }
  if (input.privateKey !== undefined && typeof input.privateKey !== 'string') {
    throw invalidInput('privateKey', 'The private key must be a string (PEM PKCS#8 or a private JWK as JSON).');
  }
  const app: Application = {
    ...ids,
    grants: validateGrants(input.grants, authMethod),
    name: validateName(input.name),
    clientId: validateClientId(input.clientId),
    authMethod,
    scopes: validateScopes(input.scopes),
    redirectUri: validateRedirectUri(input.redirectUri),
  };
  const signingAlg = validateSigningAlg(input.signingAlg, authMethod);
  if (signingAlg) app.signingAlg = signingAlg;
  if (authMethod === 'client_secret_jwt' || authMethod === 'private_key_jwt') {
    if (input.assertionAudience !== undefined && input.assertionAudience !== 'token_endpoint' && input.assertionAudience !== 'issuer') {
      throw invalidInput('assertionAudience', `The assertion audience is "token_endpoint" or "issuer", not "${String(input.assertionAudience)}".`);
    }
    if (input.assertionAudience === 'issuer') app.assertionAudience = 'issuer';
  }
  if (authMethod === 'private_key_jwt' && opts.keyId) app.keyId = opts.keyId;
  const par = validatePolicy(input.pushedAuthorization, 'pushedAuthorization');
  if (par !== 'auto') app.pushedAuthorization = par;
  const jar = validatePolicy(input.requestObject, 'requestObject');
  if (jar !== 'auto') app.requestObject = jar;
  if (input.dpop !== undefined && typeof input.dpop !== 'boolean') throw invalidInput('dpop', 'dpop is true or false.');
  if (input.dpop) app.dpop = true;
  if (jar === 'always' && authMethod !== 'private_key_jwt' && !usesSecret(authMethod)) {
    throw invalidInput('requestObject', NO_REQUEST_OBJECT_SIGNER);
  }
  return app;
}

function validatePolicy(value: unknown, field: string): RequestPolicy {
  if (value === undefined || value === null || value === '') return 'auto';
  if (typeof value === 'string' && (POLICIES as readonly string[]).includes(value)) return value as RequestPolicy;
  throw invalidInput(field, `${field} is one of ${POLICIES.join(', ')}, not "${String(value)}".`);
}

export function validateSigningAlg(value: unknown, authMethod: AuthMethod): string | undefined {
  if (value === undefined || value === null || value === '') return authMethod === 'client_secret_jwt' ? 'HS256' : undefined;
  const allowed: readonly string[] = authMethod === 'client_secret_jwt' ? SECRET_JWT_ALGS : authMethod === 'private_key_jwt' ? PRIVATE_KEY_ALGS : [];
  if (!allowed.length) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalidInput('signingAlg', `${authMethod} signs with ${allowed.join(', ')}, not "${String(value)}".`);
  }
  return value;
}

export function validateGrants(value: unknown, authMethod: AuthMethod): Grant[] {
  if (value === undefined || value === null) return authMethod === 'none' ? ['authorization_code'] : ['client_credentials', 'authorization_code'];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidInput('grants', `Choose at least one grant: ${GRANTS.join(', ')}.`);
  }
  const unknown = value.find((g) => !(GRANTS as readonly unknown[]).includes(g));
  if (unknown !== undefined) throw invalidInput('grants', `Unknown grant "${String(unknown)}": use ${GRANTS.join(', ')}.`);
  const confidential = CONFIDENTIAL_GRANTS.find((g) => value.includes(g));
  if (authMethod === 'none' && confidential) {
    throw invalidInput('grants', `A public application (auth method none) cannot use ${GRANT_LABELS[confidential]}: it needs a client secret.`);
  }
  return GRANTS.filter((g) => value.includes(g));
}
