/** Applications (OAuth clients) of an environment. The secret is never part of this model. */
import { validateBaseUrl, validateName } from './environment';
import { invalidInput } from './errors';
import type { Grant } from './tokenSet';

export const GRANTS: readonly Grant[] = ['client_credentials', 'authorization_code'];

/** How the application authenticates at the token, revocation and introspection endpoints. */
export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export const AUTH_METHODS: readonly AuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none'];

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
  opts: { hasStoredSecret: boolean },
): Application {
  if (typeof input !== 'object' || input === null) throw invalidInput('application', 'An application object is required.');
  const authMethod = validateAuthMethod(input.authMethod ?? 'client_secret_basic');
  if (authMethod !== 'none' && !input.clientSecret && !opts.hasStoredSecret) {
    throw invalidInput('clientSecret', `A client secret is required for ${authMethod}.`);
  }
  if (input.clientSecret !== undefined && typeof input.clientSecret !== 'string') {
    throw invalidInput('clientSecret', 'The client secret must be a string.');
  }
  return {
    ...ids,
    grants: validateGrants(input.grants, authMethod),
    name: validateName(input.name),
    clientId: validateClientId(input.clientId),
    authMethod,
    scopes: validateScopes(input.scopes),
    redirectUri: validateRedirectUri(input.redirectUri),
  };
}

export function validateGrants(value: unknown, authMethod: AuthMethod): Grant[] {
  if (value === undefined || value === null) return authMethod === 'none' ? ['authorization_code'] : [...GRANTS];
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidInput('grants', `Choose at least one grant: ${GRANTS.join(', ')}.`);
  }
  const unknown = value.find((g) => !(GRANTS as readonly unknown[]).includes(g));
  if (unknown !== undefined) throw invalidInput('grants', `Unknown grant "${String(unknown)}": use ${GRANTS.join(' or ')}.`);
  if (authMethod === 'none' && value.includes('client_credentials')) {
    throw invalidInput('grants', 'A public application (auth method none) cannot use the client-credentials grant.');
  }
  return GRANTS.filter((g) => value.includes(g));
}
