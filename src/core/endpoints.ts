/**
 * Endpoint resolution: OpenID Connect discovery first; when discovery fails, the paths PingOne and
 * PingFederate are known to use. A plain OIDC issuer has no fallback.
 */
import type { Environment } from './environment';
import { validateEndpointUrl } from './environment';
import { ExplorerError, isExplorerError } from './errors';
import { type HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { DISCOVERY_MAX_AGE_MS, cacheMaxAgeMs } from './metadataCache';
import { differOnlyBySlash, discoveryUrl } from './serverMetadata';

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
  /** RFC 8628 device authorization endpoint. */
  deviceAuthorization?: string;
  /** CIBA backchannel authentication endpoint. */
  backchannelAuthentication?: string;
  /** `grant_types_supported`, when discovery listed it. */
  grantTypes?: string[];
  /** RFC 9207: the server puts `iss` in every authorization response, so one without it is refused. */
  issParameterSupported?: boolean;
  /** RFC 9126 pushed authorization requests. */
  par?: string;
  /** The server accepts authorization requests only through PAR. */
  requirePar?: boolean;
  /** The server accepts only signed request objects (RFC 9101). */
  requireSignedRequestObject?: boolean;
  source: 'discovery' | 'fallback';
  /** Discovery only: how long the document may be reused (its Cache-Control max-age, else 24 h). */
  maxAgeMs?: number;
}

export function fallbackEndpoints(env: Environment): Endpoints | undefined {
  if (env.kind === 'pingone') {
    const as = env.issuer.replace(/\/$/, ''); // {authBase}/{envId}/as
    return {
      issuer: env.issuer,
      authorization: `${as}/authorize`,
      token: `${as}/token`,
      userinfo: `${as}/userinfo`,
      jwks: `${as}/jwks`,
      introspection: `${as}/introspect`,
      revocation: `${as}/revoke`,
      endSession: `${as}/signoff`,
      par: `${as}/par`,
      deviceAuthorization: `${as}/device_authorization`,
      backchannelAuthentication: `${as}/cibaAuthorization`,
      flowsBase: as.replace(/\/as$/, ''),
      source: 'fallback',
    };
  }
  if (env.kind === 'pingfederate') {
    const b = env.issuer.replace(/\/$/, '');
    return {
      issuer: b,
      authorization: `${b}/as/authorization.oauth2`,
      token: `${b}/as/token.oauth2`,
      userinfo: `${b}/idp/userinfo.openid`,
      jwks: `${b}/pf/JWKS`,
      introspection: `${b}/as/introspect.oauth2`,
      revocation: `${b}/as/revoke_token.oauth2`,
      par: `${b}/as/par.oauth2`,
      deviceAuthorization: `${b}/as/device_authz.oauth2`,
      backchannelAuthentication: `${b}/as/bc-auth.ciba`,
      source: 'fallback',
    };
  }
  return undefined;
}

function optionalUrl(doc: Record<string, unknown>, key: string): string | undefined {
  const v = doc[key];
  if (typeof v !== 'string' || v === '') return undefined;
  return validateEndpointUrl(key, v);
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string') : undefined;
}

/**
 * Fetches and validates the discovery document. The issuer it names must equal the environment's
 * exactly (RFC 8414 §3.3, OIDC Discovery §4.3: rp-discovery-issuer-not-matching-config). The one
 * exception: an issuer that differs from the environment's only by a trailing slash is what the
 * server really uses, and the result carries it (`issuer`) so the caller can adopt it and say so.
 */
export async function discover(env: Environment, http: HttpSettings): Promise<Endpoints> {
  const url = discoveryUrl(env.issuer);
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
  const issuer = typeof d.issuer === 'string' ? d.issuer : undefined;
  if (issuer === undefined || (issuer !== env.issuer && !differOnlyBySlash(issuer, env.issuer))) {
    throw new ExplorerError(
      'invalid_issuer',
      issuer === undefined
        ? `Discovery at ${url} names no issuer, so tokens from it cannot be checked. Check the environment's URL.`
        : `Discovery at ${url} names the issuer "${issuer.slice(0, 200)}", but this environment's issuer is "${env.issuer}". They must be equal: check the environment's URL or ID, or edit the environment to use the server's issuer if you trust it.`,
    );
  }
  try {
    const fallback = fallbackEndpoints(env);
    return {
      issuer,
      authorization: validateEndpointUrl('authorization_endpoint', d.authorization_endpoint),
      token: validateEndpointUrl('token_endpoint', d.token_endpoint),
      userinfo: optionalUrl(d, 'userinfo_endpoint'),
      jwks: optionalUrl(d, 'jwks_uri'),
      introspection: optionalUrl(d, 'introspection_endpoint'),
      revocation: optionalUrl(d, 'revocation_endpoint'),
      endSession: optionalUrl(d, 'end_session_endpoint'),
      flowsBase: fallback?.flowsBase,
      deviceAuthorization: optionalUrl(d, 'device_authorization_endpoint'),
      backchannelAuthentication: optionalUrl(d, 'backchannel_authentication_endpoint'),
      grantTypes: stringList(d.grant_types_supported),
      tokenAuthMethods: Array.isArray(d.token_endpoint_auth_methods_supported)
        ? d.token_endpoint_auth_methods_supported.filter((m): m is string => typeof m === 'string')
        : undefined,
      issParameterSupported: d.authorization_response_iss_parameter_supported === true,
      par: optionalUrl(d, 'pushed_authorization_request_endpoint'),
      requirePar: d.require_pushed_authorization_requests === true,
      requireSignedRequestObject: d.require_signed_request_object === true,
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
