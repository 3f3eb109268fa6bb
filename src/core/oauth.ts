/**
 * OAuth 2.0 client: each operation builds one request, sends it through `httpRequest`, and
 * validates the answer into a typed result or an `ExplorerError`. No hidden state: the caller
 * passes endpoints, client and settings every time.
 */
import { B64TOKEN, TOKEN_TYPE } from './curl';
import { ExplorerError, invalidInput } from './errors';
import { HttpResponse, HttpSettings, describeBody, httpRequest, tryParseJson } from './http';
import { basicCredential, redact, rememberSecrets } from './redact';

import type { AuthMethod } from './application';

export type { AuthMethod };

export interface ClientCredentials {
  clientId: string;
  clientSecret?: string;
  authMethod: AuthMethod;
}

export interface TokenResponse {
  accessToken: string;
  tokenType: string;
  /** Seconds, coerced to a number, when the server sent it. */
  expiresIn?: number;
  refreshToken?: string;
  idToken?: string;
  scope?: string;
}

/** RFC 6749 §2.3.1: form-urlencode id and secret, then base64 `id:secret`. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${basicCredential(clientId, clientSecret)}`;
}

/** Adds client authentication to a request's headers and form body, per the client's method. */
export function applyClientAuth(client: ClientCredentials, headers: Record<string, string>, form: URLSearchParams): void {
  if (!client.clientId) throw invalidInput('clientId', 'The application has no client ID.');
  switch (client.authMethod) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (!client.clientSecret) {
        throw invalidInput(
          'clientSecret',
          `The application uses ${client.authMethod} but has no client secret stored: edit the application and enter its secret.`,
        );
      }
      rememberSecrets(client.clientSecret, basicCredential(client.clientId, client.clientSecret));
      if (client.authMethod === 'client_secret_basic') {
        headers.Authorization = basicAuthorization(client.clientId, client.clientSecret);
      } else {
        form.set('client_id', client.clientId);
        form.set('client_secret', client.clientSecret);
      }
      return;
    case 'none':
      form.set('client_id', client.clientId);
      return;
    default:
      throw invalidInput('authMethod', `Unsupported client authentication "${String(client.authMethod)}".`);
  }
}

export interface OAuthCall {
  client: ClientCredentials;
  http: HttpSettings;
}

/** Values that must never appear in an error message from this call. */
function secretsOf(client: ClientCredentials, form: URLSearchParams): string[] {
  const values = [client.clientSecret, client.clientSecret ? basicCredential(client.clientId, client.clientSecret) : undefined];
  for (const key of ['code', 'code_verifier', 'refresh_token', 'token', 'client_secret']) values.push(form.get(key) ?? undefined);
  return values.filter((v): v is string => !!v);
}

/** Turns a non-2xx answer into an ExplorerError: the OAuth error when the body has one. */
export function errorFromResponse(res: HttpResponse, what: string, secrets: string[] = []): ExplorerError {
  const body = tryParseJson(res);
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.error === 'string' && b.error) {
      const description = typeof b.error_description === 'string' ? redact(b.error_description, secrets) : undefined;
      const hint = OAUTH_HINTS[b.error] ?? '';
      return new ExplorerError(
        b.error,
        `${what} failed: ${b.error}${description ? ` (${description})` : ''}.${hint ? ` ${hint}` : ''}`,
        { status: res.status, description },
      );
    }
    // PingOne platform API error shape: {id, code, message, details}.
    if (typeof b.code === 'string' && typeof b.message === 'string') {
      return new ExplorerError('http_error', `${what} failed: HTTP ${res.status} ${b.code}: ${redact(b.message, secrets)}`, {
        status: res.status,
      });
    }
  }
  return new ExplorerError(
    'http_error',
    `${what} failed: the server answered HTTP ${res.status} with ${describeBody(res)}. Check the environment's URL; the server may be down or behind a proxy.`,
    { status: res.status },
  );
}

const OAUTH_HINTS: Record<string, string> = {
  invalid_client:
    "The server did not accept the application's credentials: check the client ID, the client secret and the token endpoint auth method configured for the application.",
  invalid_grant: 'The code or refresh token is expired, already used or revoked: sign in again.',
  invalid_scope: 'Request only scopes the application is granted.',
  unauthorized_client: 'The application is not allowed to use this grant type: check its grant types on the server.',
  unsupported_grant_type: 'The server or application does not support this grant type.',
};

function requireJsonObject(res: HttpResponse, what: string): Record<string, unknown> {
  const body = tryParseJson(res);
  if (body === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ExplorerError(
      'invalid_response',
      `${what}: the server answered HTTP ${res.status} with ${describeBody(res)} instead of a JSON object.`,
      { status: res.status },
    );
  }
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string, what: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ExplorerError('invalid_response', `${what}: "${key}" in the answer is not a string.`);
  return v;
}

/** Validates a token endpoint answer (RFC 6749 §5.1). */
export function parseTokenResponse(res: HttpResponse, what: string, secrets: string[] = []): TokenResponse {
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, what, secrets);
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
async function postWithClientAuth(url: string, call: OAuthCall, form: URLSearchParams, what: string, raw = false): Promise<HttpResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  applyClientAuth(call.client, headers, form);
  const res = await httpRequest({ method: 'POST', url, headers, body: form }, call.http);
  if (!raw && (res.status < 200 || res.status > 299)) throw errorFromResponse(res, what, secretsOf(call.client, form));
  return res;
}

async function tokenRequest(tokenEndpoint: string, call: OAuthCall, form: URLSearchParams, what: string): Promise<TokenResponse> {
  const res = await postWithClientAuth(tokenEndpoint, call, form, what, true);
  return parseTokenResponse(res, what, secretsOf(call.client, form));
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

export async function refreshTokenGrant(
  tokenEndpoint: string,
  call: OAuthCall,
  opts: { refreshToken: string; scope?: string },
): Promise<TokenResponse> {
  if (!opts.refreshToken) throw invalidInput('refreshToken', 'This token set has no refresh token.');
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: opts.refreshToken });
  if (opts.scope) form.set('scope', opts.scope);
  return tokenRequest(tokenEndpoint, call, form, 'Refresh');
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** RFC 7009. A 200 with any body is success; the server need not say whether the token existed. */
export async function revokeToken(
  revocationEndpoint: string,
  call: OAuthCall,
  opts: { token: string; hint?: TokenTypeHint },
): Promise<void> {
  await postWithClientAuth(revocationEndpoint, call, tokenForm(opts), 'Revocation');
}

/** RFC 7662. Returns the server's JSON; `active` must be a boolean. */
export async function introspectToken(
  introspectionEndpoint: string,
  call: OAuthCall,
  opts: { token: string; hint?: TokenTypeHint },
): Promise<Record<string, unknown> & { active: boolean }> {
  const res = await postWithClientAuth(introspectionEndpoint, call, tokenForm(opts), 'Introspection');
  const body = requireJsonObject(res, 'Introspection');
  if (typeof body.active !== 'boolean') {
    throw new ExplorerError('invalid_response', 'Introspection: the answer has no boolean "active" member.');
  }
  return body as Record<string, unknown> & { active: boolean };
}

/** OIDC userinfo with the access token as a Bearer credential. Returns the claims. */
export async function fetchUserinfo(
  userinfoEndpoint: string,
  http: HttpSettings,
  accessToken: string,
): Promise<Record<string, unknown>> {
  rememberSecrets(accessToken);
  const res = await httpRequest({ method: 'GET', url: userinfoEndpoint, headers: { Authorization: `Bearer ${accessToken}` } }, http);
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
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res, 'Userinfo', [accessToken]);
  if (res.contentType === 'application/jwt') {
    throw new ExplorerError('invalid_response', 'Userinfo: the server answered with a signed JWT; only JSON userinfo is supported.');
  }
  const body = requireJsonObject(res, 'Userinfo');
  if (typeof body.sub !== 'string') throw new ExplorerError('invalid_response', 'Userinfo: the answer has no "sub" claim.');
  return body;
}
