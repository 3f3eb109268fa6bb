/**
 * Authorization-code request building and redirect validation (RFC 6749 §4.1, RFC 7636, RFC 9207).
 * The redirect is checked in the order that defeats mix-up and CSRF: `iss`, then `state`, then
 * `error`, and only then is the code released for exchange.
 */
import type { Endpoints } from './endpoints';
import { ExplorerError, invalidInput } from './errors';
import { NO_REQUEST_OBJECT_SIGNER } from './application';
import { type ClientSigner, privateKeySigner, secretSigner } from './clientAuth';
import { type OAuthCall, pushAuthorizationRequest } from './oauth';
import { type Pkce, createPkce, randomToken } from './random';
import { loadJose } from './joseLoader';

export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  pkce: Pkce;
  redirectUri: string;
}

interface AuthorizationParams {
  params: Record<string, string>;
  state: string;
  nonce: string;
  pkce: Pkce;
}

function authorizationParams(opts: { clientId: string; redirectUri: string; scope?: string; extra?: Record<string, string> }): AuthorizationParams {
  const pkce = createPkce();
  const state = randomToken();
  const nonce = randomToken();
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    scope: opts.scope || 'openid',
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: pkce.method,
    ...opts.extra,
  };
  return { params, state, nonce, pkce };
}

function withQuery(endpoint: string, params: Record<string, string>): string {
  const url = new URL(endpoint);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** The plain front-channel request: every parameter in the authorization URL. */
export function buildAuthorizationRequest(
  authorizationEndpoint: string,
  opts: { clientId: string; redirectUri: string; scope?: string; extra?: Record<string, string> },
): AuthorizationRequest {
  const { params, state, nonce, pkce } = authorizationParams(opts);
  return { url: withQuery(authorizationEndpoint, params), state, nonce, pkce, redirectUri: opts.redirectUri };
}

/** How an application's authorization request is sent: pushed (RFC 9126), signed (RFC 9101), both or neither. */
export interface AuthorizationPlan {
  par: boolean;
  jar: boolean;
}

export function planAuthorization(
  app: { pushedAuthorization?: 'auto' | 'always' | 'never'; requestObject?: 'auto' | 'always' | 'never' },
  endpoints: Pick<Endpoints, 'requirePar' | 'requireSignedRequestObject'>,
): AuthorizationPlan {
  const decide = (policy: 'auto' | 'always' | 'never' | undefined, required: boolean | undefined) =>
    policy === 'always' || ((policy ?? 'auto') === 'auto' && required === true);
  return { par: decide(app.pushedAuthorization, endpoints.requirePar), jar: decide(app.requestObject, endpoints.requireSignedRequestObject) };
}

export const REQUEST_OBJECT_LIFETIME_SECONDS = 300;

/**
 * RFC 9101 request object: the authorization parameters signed by the client, with the private key
 * of a private_key_jwt application or else the client secret (HS256); `aud` is the issuer.
 */
export async function signRequestObject(params: Record<string, string>, call: OAuthCall, issuer: string, now = Date.now()): Promise<string> {
  const { SignJWT } = await loadJose();
  const { client } = call;
  let signer: ClientSigner;
  if (client.privateKey && typeof client.privateKey.d === 'string') signer = await privateKeySigner(client.privateKey, client.signingAlg);
  else if (client.clientSecret) signer = secretSigner(client.clientSecret, 'HS256');
  else {
    throw invalidInput('requestObject', NO_REQUEST_OBJECT_SIGNER);
  }
  const { key, alg, kid } = signer;
  const iat = Math.floor(now / 1000);
  return new SignJWT({ ...params, jti: randomToken() })
    .setProtectedHeader(kid ? { alg, kid, typ: 'oauth-authz-req+jwt' } : { alg, typ: 'oauth-authz-req+jwt' })
    .setIssuer(client.clientId)
    .setAudience(issuer)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + REQUEST_OBJECT_LIFETIME_SECONDS)
    .sign(key);
}

/**
 * The authorization request as the application and the server need it: plain, signed (JAR),
 * pushed (PAR), or signed and pushed. PKCE, state and nonce are the same in every form; with PAR
 * the browser is sent only `client_id` and the single-use `request_uri`.
 */
export async function createAuthorizationRequest(
  endpoints: Pick<Endpoints, 'authorization' | 'par' | 'issuer'>,
  call: OAuthCall,
  opts: { clientId: string; redirectUri: string; scope?: string; extra?: Record<string, string>; plan: AuthorizationPlan; now?: number },
): Promise<AuthorizationRequest> {
  const { params, state, nonce, pkce } = authorizationParams(opts);
  let sent: Record<string, string> = params;
  if (opts.plan.jar) sent = { client_id: opts.clientId, request: await signRequestObject(params, call, endpoints.issuer, opts.now) };
  if (opts.plan.par) {
    if (!endpoints.par) {
      throw new ExplorerError('invalid_input', `The application needs pushed authorization requests, but the issuer ${endpoints.issuer} publishes no PAR endpoint.`, {
        field: 'pushedAuthorization',
      });
    }
    const { requestUri } = await pushAuthorizationRequest(endpoints.par, call, sent);
    sent = { client_id: opts.clientId, request_uri: requestUri };
  }
  return { url: withQuery(endpoints.authorization, sent), state, nonce, pkce, redirectUri: opts.redirectUri };
}

/**
 * Validates the parameters of the redirect back to us and returns the authorization code.
 * RFC 9207: `iss`, when present, must equal the issuer exactly; when the server advertises
 * `authorization_response_iss_parameter_supported`, a response without `iss` is refused (§2.4).
 */
export function validateAuthorizationResponse(params: URLSearchParams, expected: { state: string; issuer?: string; requireIss?: boolean }): string {
  const iss = params.get('iss');
  if (iss !== null && expected.issuer !== undefined && iss !== expected.issuer) {
    throw new ExplorerError(
      'invalid_response',
      `The sign-in response came from issuer "${iss.slice(0, 200)}", not "${expected.issuer}": it was rejected (possible mix-up attack).`,
    );
  }
  if (iss === null && expected.requireIss) {
    throw new ExplorerError(
      'invalid_response',
      'The sign-in response has no "iss" parameter, though the server says it always sends one (RFC 9207): it was rejected (possible mix-up attack). Start the sign-in again.',
    );
  }
  const state = params.get('state');
  if (state !== expected.state) {
    throw new ExplorerError(
      'invalid_state',
      state === null
        ? 'The sign-in response has no state parameter: it was rejected. Start the sign-in again.'
        : 'The sign-in response carries a state that does not match this sign-in: it was rejected. Start the sign-in again.',
    );
  }
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    throw new ExplorerError(error, `Sign-in failed: ${error}${description ? ` (${description.slice(0, 300)})` : ''}.`, {
      description: description ?? undefined,
    });
  }
  const code = params.get('code');
  if (!code) throw new ExplorerError('invalid_response', 'The sign-in response has neither a code nor an error.');
  return code;
}

/** Accepts a full redirect URL, a query string, or a bare code pasted by the user. */
export function parsePastedCode(input: string): { code: string; params?: URLSearchParams } {
  const text = input.trim();
  if (!text) throw invalidInput('code', 'Paste the authorization code, or the whole redirect URL that carries it.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const params = new URL(text).searchParams;
    const code = params.get('code');
    if (!code) {
      const err = params.get('error');
      throw invalidInput('code', err ? `The redirect URL carries an error: ${err}.` : 'The redirect URL has no code parameter.');
    }
    return { code, params };
  }
  if (text.startsWith('?') || text.includes('code=')) {
    const params = new URLSearchParams(text.replace(/^\?/, ''));
    const code = params.get('code');
    if (code) return { code, params };
  }
  if (/\s/.test(text)) throw invalidInput('code', 'An authorization code has no spaces.');
  return { code: text };
}
