/**
 * Endpoint resolution: OpenID Connect discovery first; when discovery fails, the paths PingOne and
 * PingFederate are known to use. A plain OIDC issuer has no fallback.
 */
import type { Environment } from './environment';
import { validateBaseUrl } from './environment';
import { ExplorerError, isExplorerError } from './errors';
import { HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { DISCOVERY_MAX_AGE_MS, cacheMaxAgeMs } from './metadataCache';

export interface Endpoints {
  issuer: string;
  authorization: string;
  token: string;
  userinfo?: string;
  jwks?: string;
  introspection?: string;
  revocation?: string;
  endSession?: string;
  /** PingOne only: where the flows API lives (`{authBase}/{envId}`). */
  flowsBase?: string;
  /** Auth methods the server says it accepts at the token endpoint, when discovery said so. */
  tokenAuthMethods?: string[];
  source: 'discovery' | 'fallback';
  /** Discovery only: how long the document may be reused (its Cache-Control max-age, else 24 h). */
  maxAgeMs?: number;
}

export function fallbackEndpoints(env: Environment): Endpoints | undefined {
  if (env.kind === 'pingone') {
    const as = env.issuer; // {authBase}/{envId}/as
    return {
      issuer: as,
      authorization: `${as}/authorize`,
      token: `${as}/token`,
      userinfo: `${as}/userinfo`,
      jwks: `${as}/jwks`,
      introspection: `${as}/introspect`,
      revocation: `${as}/revoke`,
      endSession: `${as}/signoff`,
      flowsBase: as.replace(/\/as$/, ''),
      source: 'fallback',
    };
  }
  if (env.kind === 'pingfederate') {
    const b = env.issuer;
    return {
      issuer: b,
      authorization: `${b}/as/authorization.oauth2`,
      token: `${b}/as/token.oauth2`,
      userinfo: `${b}/idp/userinfo.openid`,
      jwks: `${b}/pf/JWKS`,
      introspection: `${b}/as/introspect.oauth2`,
      revocation: `${b}/as/revoke_token.oauth2`,
      source: 'fallback',
    };
  }
  return undefined;
}

function optionalUrl(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (typeof v !== 'string' || v === '') return undefined;
  return validateBaseUrl(key, v);
}

/** Fetches and validates `${issuer}/.well-known/openid-configuration`. */
export async function discover(env: Environment, http: HttpSettings): Promise<Endpoints> {
  const url = `${env.issuer}/.well-known/openid-configuration`;
  const res = await httpRequest({ method: 'GET', url }, http);
  if (res.status !== 200) {
    throw new ExplorerError('http_error', `Discovery at ${url} answered HTTP ${res.status} with ${describeBody(res)}.`, {
      status: res.status,
    });
  }
  const doc = tryParseJson(res);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ExplorerError('invalid_response', `Discovery at ${url} returned ${describeBody(res)}, not a JSON object.`, {
      status: res.status,
    });
  }
  const d = doc as Record<string, unknown>;
  if (typeof d.issuer !== 'string' || d.issuer.replace(/\/+$/, '') !== env.issuer) {
    throw new ExplorerError(
      'invalid_response',
      `Discovery at ${url} names the issuer "${String(d.issuer)}", but this environment expects "${env.issuer}". Check the environment's URL or ID.`,
    );
  }
  try {
    const fallback = fallbackEndpoints(env);
    return {
      issuer: env.issuer,
      authorization: validateBaseUrl('authorization_endpoint', d.authorization_endpoint),
      token: validateBaseUrl('token_endpoint', d.token_endpoint),
      userinfo: optionalUrl(d, 'userinfo_endpoint'),
      jwks: optionalUrl(d, 'jwks_uri'),
      introspection: optionalUrl(d, 'introspection_endpoint'),
      revocation: optionalUrl(d, 'revocation_endpoint'),
      endSession: optionalUrl(d, 'end_session_endpoint'),
      flowsBase: fallback?.flowsBase,
      tokenAuthMethods: Array.isArray(d.token_endpoint_auth_methods_supported)
        ? d.token_endpoint_auth_methods_supported.filter((m): m is string => typeof m === 'string')
        : undefined,
      source: 'discovery',
      maxAgeMs: cacheMaxAgeMs(res.header('cache-control'), DISCOVERY_MAX_AGE_MS),
    };
  } catch (err) {
    if (isExplorerError(err, 'invalid_input')) {
      throw new ExplorerError('invalid_response', `Discovery at ${url} has an unusable ${err.field}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Discovery, falling back to known paths for PingOne and PingFederate when the server answered but
 * discovery was missing or unreadable. Timeouts, network failures and cancellation are not papered
 * over: the other endpoints live on the same host and would fail the same way.
 */
export async function resolveEndpoints(env: Environment, http: HttpSettings): Promise<Endpoints> {
  try {
    return await discover(env, http);
  } catch (err) {
    const fallback = fallbackEndpoints(env);
    if (!fallback || !(isExplorerError(err, 'http_error') || isExplorerError(err, 'invalid_response'))) throw err;
    return fallback;
  }
}
