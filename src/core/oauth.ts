/**
 * OAuth 2.0 client: each operation builds one request, sends it through `httpRequest`, and
 * validates the answer into a typed result or an `ExplorerError`. No hidden state: the caller
 * passes endpoints, client and settings every time.
 */
import { B64TOKEN, TOKEN_TYPE } from './curl';
import { ExplorerError, invalidInput } from './errors';
import { type HttpResponse, type HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { basicCredential, redact, rememberSecrets } from './redact';

import type { AuthMethod } from './application';
import type { JWK } from 'jose';
import { CREDENTIALS_REFUSED, type ClientCredentials, applyClientAuth, basicAuthorization, invalidClientHint } from './clientAuth';
import { createDpopProof } from './dpop';

export type { AuthMethod };

export type { ClientCredentials };
export { basicAuthorization };

export interface TokenResponse {
  accessToken: string;
  tokenType: string;
  /** Seconds, coerced to a number, when the server sent it. */
  expiresIn?: number;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
}

export interface OAuthCall {
  client: ClientCredentials;
  http: HttpSettings;
  /**
   * DPoP (RFC 9449): the token set's key; every token request carries a fresh proof. `nonce` is
   * the last one the server sent (DPoP-Nonce) and is updated as answers arrive.
   */
  dpop?: { key: JWK; nonce?: string };
}

/** Values that must never appear in an error message from this call. */
function secretsOf(client: ClientCredentials, form: URLSearchParams): string[] {
  const values = [client.clientSecret, client.clientSecret ? basicCredential(client.clientId, client.clientSecret) : undefined];
  for (const key of [
    'code',
    'code_verifier',
    'refresh_token',
    'token',
    'client_secret',
    'client_assertion',
    'request',
    'password',
    'device_code',
    'auth_req_id',
    'subject_token',
    'actor_token',
    'id_token_hint',
    'login_hint_token',
  ])
    values.push(form.get(key) ?? undefined);
  return values.filter((v): v is string => !!v);
}

/** Which endpoint answered: the advice for a bare status depends on it. */
export interface ErrorContext {
  endpoint: 'token' | 'revocation' | 'introspection' | 'par' | 'userinfo' | 'other';
  /** The form that was sent (for the grant type and whether a scope was asked for). */
  form?: URLSearchParams;
  /** What to check on `invalid_client`, for the client's auth method. */
  invalidClientHint?: string;
}

/** RFC 6749 §5.2: error codes are printable ASCII without `"` and `\`; real ones are short. */
const OAUTH_ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/;
const MAX_DESCRIPTION = 300;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Turns a non-2xx answer into an ExplorerError: the OAuth error when the body has one, otherwise
 * what the status means at this endpoint. Everything taken from the body is redacted against the
 * call's secrets and capped in length.
 */
export function errorFromResponse(res: HttpResponse, what: string, secrets: string[] = [], context: ErrorContext = { endpoint: 'other' }): ExplorerError {
  const body = tryParseJson(res);
  const clean = (text: string, max: number) => clip(redact(text, secrets), max);
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string' && OAUTH_ERROR_CODE.test(b.error)) {
      const code = redact(b.error, secrets);
      const description = typeof b.error_description === 'string' && b.error_description ? clean(b.error_description, MAX_DESCRIPTION) : undefined;
      const hint = (code === 'invalid_client' ? context.invalidClientHint : undefined) ?? OAUTH_HINTS[code] ?? '';
      return new ExplorerError(code, `${what} failed: ${code}${description ? ` (${description})` : ''}.${hint ? ` ${hint}` : ''}`, {
        status: res.status,
        description,
      });
    }
    // PingOne platform API error shape: {id, code, message, details}.
    if (typeof b.code === 'string' && typeof b.message === 'string' && OAUTH_ERROR_CODE.test(b.code)) {
      return new ExplorerError('http_error', `${what} failed: HTTP ${res.status} ${redact(b.code, secrets)}: ${clean(b.message, MAX_DESCRIPTION)}`, {
        status: res.status,
      });
    }
  }
  return statusError(res, what, context);
}

/** A non-2xx answer without an error the client can read: say what the status means here. */
function statusError(res: HttpResponse, what: string, context: ErrorContext): ExplorerError {
  const status = res.status;
  const answered = `the server answered HTTP ${status} with ${describeBody(res)}`;
  const authenticated = ['token', 'revocation', 'introspection', 'par'].includes(context.endpoint);
  const grant = context.form?.get('grant_type');
  if ((status === 401 || status === 403) && authenticated) {
    // RFC 6749 §5.2: at these endpoints 401 is the answer to a failed client authentication.
    return new ExplorerError(
      'invalid_client',
      `${what} failed: ${answered} and no error code. At this endpoint that means the server did not accept the application's credentials. ${context.invalidClientHint ?? 'Check the client ID, the client secret and the token endpoint auth method configured for the application.'}`,
      { status },
    );
  }
  if (status === 400 && grant === 'refresh_token' && !context.form?.has('scope')) {
    // A well-formed refresh without a scope can only be refused because the grant is dead.
    return new ExplorerError(
      'invalid_grant',
      `${what} failed: ${answered} and no error code. For a refresh that means the refresh token is expired, revoked or already used (inferred: the server did not say): sign in again.`,
      { status },
    );
  }
  if (status === 400) {
    return new ExplorerError(
      'http_error',
      `${what} failed: ${answered}, refusing the request without saying why. Check the application's grant types and scopes on the server.`,
      { status },
    );
  }
  if (status === 401 || status === 403) {
    return new ExplorerError('http_error', `${what} failed: ${answered}: the server refused access without saying why.`, { status });
  }
  if (status === 404 || status === 405) {
    return new ExplorerError('http_error', `${what} failed: ${answered}: there is no such endpoint at this URL. Check the environment's URL or ID.`, { status });
  }
  if (status >= 300 && status < 400) {
    const location = res.header('location');
    const where = !location ? '' : URL.canParse(location) ? ` to ${new URL(location).host}` : ' to another path';
    return new ExplorerError(
      'http_error',
      `${what} failed: the server answered with a redirect (HTTP ${status}${where}) instead of an answer. Check the environment's URL (https, the full path).`,
      { status },
    );
  }
  if (status >= 500) {
    return new ExplorerError(
      'http_error',
      `${what} failed: ${answered}: the server failed. Try again later; if it persists, it may be down or behind a proxy that rejects the request.`,
      { status },
    );
  }
  return new ExplorerError('http_error', `${what} failed: ${answered}. Check the environment's URL; the server may be down or behind a proxy.`, { status });
}

const OAUTH_HINTS: Record<string, string> = {
  invalid_client: CREDENTIALS_REFUSED,
  invalid_grant: 'The code or refresh token is expired, already used or revoked: sign in again.',
  invalid_scope: 'Request only scopes the application is granted.',
  unauthorized_client: 'The application is not allowed to use this grant type: check its grant types on the server.',
  unsupported_grant_type: 'The server or application does not support this grant type.',
};

export function requireJsonObject(res: HttpResponse, what: string): Record<string, unknown> {
  const body = tryParseJson(res);
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ExplorerError('invalid_response', `${what}: the server answered HTTP ${res.status} with ${describeBody(res)} instead of a JSON object.`, {
      status: res.status,
    });
  }
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ExplorerError('invalid_response', `${what}: "${key}" in the answer is not a string.`);
  return v;
}

/** Validates a token endpoint answer (RFC 6749 §5.1). */
export function parseTokenResponse(res: HttpResponse, what: string, secrets: string[] = [], form?: URLSearchParams): TokenResponse {
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, what, secrets, { endpoint: 'token', form });
  const body = requireJsonObject(res, what);
  const accessToken = optionalString(body, 'access_token', what);
  if (!accessToken) {
    throw new ExplorerError('invalid_response', `${what}: the answer has no access_token.`, { status: res.status });
  }
  let expiresIn: number | undefined;
  if (body.expires_in !== undefined && body.expires_in !== null) {
    const n = typeof body.expires_in === 'string' ? Number(body.expires_in.trim()) : body.expires_in;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
      throw new ExplorerError('invalid_response', `${what}: "expires_in" in the answer is not a number of seconds.`);
    }
    expiresIn = n;
  }
  // Checked here, where they arrive: both end up in Authorization headers and copied commands.
  const tokenType = optionalString(body, 'token_type', what);
  if (tokenType !== undefined && !TOKEN_TYPE.test(tokenType)) {
    throw new ExplorerError('invalid_response', `${what}: "token_type" in the answer is not a token type name (RFC 6749 §7.1).`, { status: res.status });
  }
  if (!B64TOKEN.test(accessToken)) {
    throw new ExplorerError('invalid_response', `${what}: the access_token has characters a Bearer token cannot have (RFC 6750 §2.1).`, { status: res.status });
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  rememberSecrets(accessToken, str(body.refresh_token), str(body.id_token));
  return {
    accessToken,
    // RFC 6749 requires token_type; a few servers omit it, and Bearer is what they mean.
    tokenType: tokenType ?? 'Bearer',
    expiresIn,
    refreshToken: optionalString(body, 'refresh_token', what),
    idToken: optionalString(body, 'id_token', what),
    scope: optionalString(body, 'scope', what),
  };
}

/**
 * POSTs a form to an endpoint that takes client authentication (token, revocation, introspection
 * use the same method). A non-2xx answer becomes an ExplorerError unless `raw` asks for it as is.
 */
export async function postWithClientAuth(
  url: string,
  call: OAuthCall,
  form: URLSearchParams,
  what: string,
  endpoint: ErrorContext['endpoint'],
  raw = false,
): Promise<HttpResponse> {
  const send = async () => {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    await applyClientAuth(call.client, { headers, form });
    if (call.dpop && endpoint === 'token') headers.DPoP = await createDpopProof(call.dpop.key, { method: 'POST', url, nonce: call.dpop.nonce });
    const answer = await httpRequest({ method: 'POST', url, headers, body: form }, call.http);
    const nonce = answer.header('dpop-nonce');
    if (call.dpop && nonce) call.dpop.nonce = nonce;
    return answer;
  };
  let res = await send();
  // RFC 9449 §8: a server that wants a nonce says use_dpop_nonce and sends one; retry once with it.
  if (call.dpop && endpoint === 'token' && asksForDpopNonce(res)) res = await send();
  if (!raw && (res.status < 200 || res.status > 299)) throw errorFromResponse(res, what, secretsOf(call.client, form), errorContext(call, endpoint, form));
  return res;
}

function asksForDpopNonce(res: HttpResponse): boolean {
  if ((res.status !== 400 && res.status !== 401) || !res.header('dpop-nonce')) return false;
  const body = tryParseJson(res) as { error?: unknown } | undefined;
  return body?.error === 'use_dpop_nonce' || /error="use_dpop_nonce"/.test(res.header('www-authenticate') ?? '');
}

function errorContext(call: OAuthCall, endpoint: ErrorContext['endpoint'], form: URLSearchParams): ErrorContext {
  return { endpoint, form, invalidClientHint: invalidClientHint(call.client) };
}

export async function tokenRequest(tokenEndpoint: string, call: OAuthCall, form: URLSearchParams, what: string): Promise<TokenResponse> {
  const res = await postWithClientAuth(tokenEndpoint, call, form, what, 'token', true);
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, what, secretsOf(call.client, form), errorContext(call, 'token', form));
  return parseTokenResponse(res, what, secretsOf(call.client, form), form);
}

function tokenForm(opts: { token: string; hint?: TokenTypeHint }): URLSearchParams {
  const form = new URLSearchParams({ token: opts.token });
  if (opts.hint) form.set('token_type_hint', opts.hint);
  return form;
}

export async function clientCredentialsGrant(tokenEndpoint: string, call: OAuthCall, opts: { scope?: string } = {}): Promise<TokenResponse> {
  if (call.client.authMethod === 'none') {
    throw invalidInput('authMethod', 'The client-credentials grant needs a confidential application (a client secret); this one is public (auth method none).');
  }
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (opts.scope) form.set('scope', opts.scope);
  return tokenRequest(tokenEndpoint, call, form, 'Client-credentials token request');
}

export async function authorizationCodeGrant(
  tokenEndpoint: string,
  call: OAuthCall,
  opts: { code: string; redirectUri: string; codeVerifier?: string },
): Promise<TokenResponse> {
  if (!opts.code) throw invalidInput('code', 'An authorization code is required.');
  if (!opts.redirectUri) throw invalidInput('redirectUri', 'The redirect URI used at sign-in is required.');
  const form = new URLSearchParams({ grant_type: 'authorization_code', code: opts.code, redirect_uri: opts.redirectUri });
  if (opts.codeVerifier) form.set('code_verifier', opts.codeVerifier);
  return tokenRequest(tokenEndpoint, call, form, 'Authorization-code exchange');
}

export async function refreshTokenGrant(tokenEndpoint: string, call: OAuthCall, opts: { refreshToken: string; scope?: string }): Promise<TokenResponse> {
  if (!opts.refreshToken) throw invalidInput('refreshToken', 'This token set has no refresh token.');
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: opts.refreshToken });
  if (opts.scope) form.set('scope', opts.scope);
  return tokenRequest(tokenEndpoint, call, form, 'Refresh');
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** RFC 7009. A 200 with any body is success; the server need not say whether the token existed. */
export async function revokeToken(revocationEndpoint: string, call: OAuthCall, opts: { token: string; hint?: TokenTypeHint }): Promise<void> {
  await postWithClientAuth(revocationEndpoint, call, tokenForm(opts), 'Revocation', 'revocation');
}

/** RFC 7662. Returns the server's JSON; `active` must be a boolean. */
export async function introspectToken(
  introspectionEndpoint: string,
  call: OAuthCall,
  opts: { token: string; hint?: TokenTypeHint },
): Promise<Record<string, unknown> & { active: boolean }> {
  const res = await postWithClientAuth(introspectionEndpoint, call, tokenForm(opts), 'Introspection', 'introspection');
  const body = requireJsonObject(res, 'Introspection');
  if (typeof body.active !== 'boolean') {
    throw new ExplorerError('invalid_response', 'Introspection: the answer has no boolean "active" member.');
  }
  return body as Record<string, unknown> & { active: boolean };
}

/**
 * OIDC userinfo with the access token as a Bearer credential. Returns the claims. When the token
 * set has an ID token, its `sub` must be the userinfo's (OIDC Core §5.3.2, rp-userinfo-bad-sub-claim):
 * otherwise the claims may be another user's.
 */
export async function fetchUserinfo(
  userinfoEndpoint: string,
  http: HttpSettings,
  accessToken: string,
  expectedSub?: string,
  dpop?: { key: JWK; nonce?: string },
): Promise<Record<string, unknown>> {
  rememberSecrets(accessToken);
  const send = async () => {
    if (!dpop) return httpRequest({ method: 'GET', url: userinfoEndpoint, headers: { Authorization: `Bearer ${accessToken}` } }, http);
    const proof = await createDpopProof(dpop.key, { method: 'GET', url: userinfoEndpoint, nonce: dpop.nonce, accessToken });
    const answer = await httpRequest({ method: 'GET', url: userinfoEndpoint, headers: { Authorization: `DPoP ${accessToken}`, DPoP: proof } }, http);
    dpop.nonce = answer.header('dpop-nonce') ?? dpop.nonce;
    return answer;
  };
  let res = await send();
  if (dpop && asksForDpopNonce(res)) res = await send();
  if (res.status === 401 && !tryParseJson(res)) {
    const challenge = res.header('www-authenticate') ?? '';
    const error = /error="([^"]+)"/.exec(challenge)?.[1] ?? 'invalid_token';
    const description = /error_description="([^"]+)"/.exec(challenge)?.[1];
    throw new ExplorerError(
      error,
      `Userinfo failed: ${error}${description ? ` (${redact(description, [accessToken])})` : ''}. The access token is expired, revoked or not meant for userinfo (it needs the openid scope).`,
      { status: 401, description },
    );
  }
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, 'Userinfo', [accessToken], { endpoint: 'userinfo' });
  if (res.contentType === 'application/jwt') {
    throw new ExplorerError('invalid_response', 'Userinfo: the server answered with a signed JWT; only JSON userinfo is supported.');
  }
  const body = requireJsonObject(res, 'Userinfo');
  if (typeof body.sub !== 'string') throw new ExplorerError('invalid_response', 'Userinfo: the answer has no "sub" claim.');
  if (expectedSub !== undefined && body.sub !== expectedSub) {
    throw new ExplorerError(
      'invalid_response',
      'Userinfo was rejected: it describes a different user than the ID token of this sign-in ("sub" differs), so its claims cannot be trusted. Sign in again.',
    );
  }
  return body;
}

/**
 * RFC 9126: pushes the authorization request's parameters with the client's authentication and
 * returns the single-use `request_uri` the browser is sent with.
 */
export async function pushAuthorizationRequest(
  parEndpoint: string,
  call: OAuthCall,
  params: Record<string, string>,
): Promise<{ requestUri: string; expiresIn?: number }> {
  const form = new URLSearchParams(params);
  const res = await postWithClientAuth(parEndpoint, call, form, 'Pushed authorization request', 'par');
  const body = requireJsonObject(res, 'Pushed authorization request');
  if (typeof body.request_uri !== 'string' || !body.request_uri) {
    throw new ExplorerError('invalid_response', `Pushed authorization request: the server answered HTTP ${res.status} without a request_uri.`, { status: res.status });
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
  return { requestUri: body.request_uri, expiresIn };
}
