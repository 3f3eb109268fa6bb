/**
 * Environments: where tokens come from. A PingOne environment (region + environment ID, or an
 * explicit auth base for custom domains and local servers), a PingFederate base URL, or any
 * OpenID Connect issuer. Validation names the field at fault and why.
 */
import { invalidInput } from './errors';
import { isLoopbackHost } from './basics';

export { isLoopbackHost };

export type EnvironmentKind = 'pingone' | 'pingfederate' | 'oidc';

export const REGIONS = {
  NA: { label: 'North America', authBase: 'https://auth.pingone.com', apiBase: 'https://api.pingone.com/v1' },
  CA: { label: 'Canada', authBase: 'https://auth.pingone.ca', apiBase: 'https://api.pingone.ca/v1' },
  EU: { label: 'Europe', authBase: 'https://auth.pingone.eu', apiBase: 'https://api.pingone.eu/v1' },
  AU: { label: 'Australia', authBase: 'https://auth.pingone.com.au', apiBase: 'https://api.pingone.com.au/v1' },
  SG: { label: 'Singapore', authBase: 'https://auth.pingone.sg', apiBase: 'https://api.pingone.sg/v1' },
  AP: { label: 'Asia-Pacific (legacy)', authBase: 'https://auth.pingone.asia', apiBase: 'https://api.pingone.asia/v1' },
} as const;

export type Region = keyof typeof REGIONS;

export function isRegion(value: unknown): value is Region {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(REGIONS, value);
}

/** What a user (or another extension) supplies. */
export interface EnvironmentInput {
  name: string;
  kind: EnvironmentKind;
  /** PingOne: one of REGIONS (default NA when no authBaseUrl is given). */
  region?: string;
  /** PingOne: the environment ID (a UUID). */
  environmentId?: string;
  /** PingOne: overrides the region's auth base, e.g. a local PingOne-compatible server. */
  authBaseUrl?: string;
  /** PingOne: overrides the region's management API base (`https://api.pingone.{tld}/v1`), e.g. a custom setup or the sandbox. */
  apiBaseUrl?: string;
  /** PingFederate: the base URL (its issuer); OIDC: the issuer. */
  issuer?: string;
}

/** A validated environment, as stored (no secrets here). */
export interface Environment {
  id: string;
  name: string;
  kind: EnvironmentKind;
  region?: Region;
  environmentId?: string;
  authBaseUrl?: string;
  apiBaseUrl?: string;
  /** The expected `iss`; discovery lives at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  /** Set on entries that come from the workspace file (.vscode/pingone.json), not the user's own store. */
  origin?: 'workspace';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses an http(s) URL for `field`: HTTPS except for loopback hosts, no credentials, no fragment. */
function parseHttpUrl(field: string, value: unknown, opts: { allowQuery: boolean }): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput(field, `${field} is required.`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw invalidInput(field, `${field} "${value.trim()}" is not a URL: expected something like https://auth.example.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidInput(field, `${field} must use https:// (got ${url.protocol}).`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalidInput(field, `${field} must use https://: plain http:// is only allowed for loopback hosts (localhost, 127.0.0.1, ::1).`);
  }
  if (url.username || url.password) {
    throw invalidInput(field, `${field} must not contain a user name or password.`);
  }
  if (url.hash || (!opts.allowQuery && url.search)) {
    throw invalidInput(field, opts.allowQuery ? `${field} must not contain a fragment (#…).` : `${field} must not contain a query (?…) or fragment (#…).`);
  }
  return url;
}

/**
 * A base URL that paths are appended to (a PingOne auth base, a redirect URI): validated as
 * `parseHttpUrl`, returned without a trailing slash, query or fragment.
 */
export function validateBaseUrl(field: string, value: unknown): string {
  const url = parseHttpUrl(field, value, { allowQuery: false });
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * An issuer: an identifier compared exactly (RFC 8414 §3.3, OIDC Discovery §4.3), so it is kept as
 * entered, trailing slash included; only a bare origin's implied "/" is not added.
 */
export function validateIssuer(field: string, value: unknown): string {
  const url = parseHttpUrl(field, value, { allowQuery: false });
  const typed = String(value).trim();
  const path = url.pathname === '/' && !typed.endsWith('/') ? '' : url.pathname;
  return `${url.origin}${path}`;
}

/** An endpoint URL from discovery: validated, and used exactly as the server published it. */
export function validateEndpointUrl(field: string, value: unknown): string {
  return parseHttpUrl(field, value, { allowQuery: true }).href;
}

export function validateEnvironmentId(value: unknown): string {
  const field = 'environmentId';
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidInput(field, 'The PingOne environment ID is required (Administrators › Environment › Properties).');
  }
  const id = value.trim();
  if (!UUID.test(id)) throw invalidInput(field, environmentIdProblem(id));
  return id.toLowerCase();
}

/** What is wrong with an environment ID that is not a UUID, in words: the length, or the first wrong character. */
function environmentIdProblem(id: string): string {
  const example = 'like 8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';
  if (id.length !== 36) {
    return `The environment ID has ${id.length} characters; a PingOne environment ID has 36, ${example} (Settings › Environment Properties).`;
  }
  for (let i = 0; i < id.length; i++) {
    const c = id[i];
    const hyphen = i === 8 || i === 13 || i === 18 || i === 23;
    if (hyphen && c !== '-') return `The environment ID needs a hyphen at position ${i + 1}, where it has "${c}": ${example}.`;
    if (!hyphen && !/[0-9a-f]/i.test(c)) {
      return `The environment ID has "${c}" at position ${i + 1}: only 0-9, a-f and the four hyphens belong in it, ${example}.`;
    }
  }
  return `The environment ID is not a UUID: ${example}.`;
}

export function validateName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput(field, `A ${field} is required.`);
  const name = value.trim();
  if (name.length > 100) throw invalidInput(field, `The ${field} is too long (at most 100 characters).`);
  return name;
}

/** Validates input and derives the issuer. The caller supplies the stable `id`. */
export function validateEnvironment(input: EnvironmentInput, id: string): Environment {
  if (typeof input !== 'object' || input === null) throw invalidInput('environment', 'An environment object is required.');
  const name = validateName(input.name);
  switch (input.kind) {
    case 'pingone': {
      const environmentId = validateEnvironmentId(input.environmentId);
      let region: Region | undefined;
      if (input.region !== undefined && input.region !== '') {
        const r = String(input.region).toUpperCase();
        if (!isRegion(r)) {
          throw invalidInput('region', `Unknown PingOne region "${input.region}": use one of ${Object.keys(REGIONS).join(', ')}.`);
        }
        region = r;
      }
      const authBaseUrl = input.authBaseUrl ? validateBaseUrl('authBaseUrl', input.authBaseUrl) : undefined;
      const apiBaseUrl = input.apiBaseUrl ? validateBaseUrl('apiBaseUrl', input.apiBaseUrl) : undefined;
      if (!authBaseUrl && !region) region = 'NA';
      const base = authBaseUrl ?? REGIONS[region as Region].authBase;
      const env: Environment = { id, name, kind: 'pingone', region, environmentId, authBaseUrl, issuer: `${base}/${environmentId}/as` };
      if (apiBaseUrl) env.apiBaseUrl = apiBaseUrl;
      return env;
    }
    case 'pingfederate':
    case 'oidc':
      return { id, name, kind: input.kind, issuer: validateIssuer('issuer', input.issuer) };
    default:
      throw invalidInput('kind', `Unknown environment kind "${String(input.kind)}": use pingone, pingfederate or oidc.`);
  }
}

/** The management API base of a PingOne environment: its explicit `apiBaseUrl`, else its region's. */
export function managementApiBase(env: Pick<Environment, 'kind' | 'region' | 'apiBaseUrl'>): string | undefined {
  if (env.kind !== 'pingone') return undefined;
  return env.apiBaseUrl ?? (env.region ? REGIONS[env.region].apiBase : undefined);
}
