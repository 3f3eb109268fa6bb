/**
 * Authorization-code request building and redirect validation (RFC 6749 §4.1, RFC 7636, RFC 9207).
 * The redirect is checked in the order that defeats mix-up and CSRF: `iss`, then `state`, then
 * `error`, and only then is the code released for exchange.
 */
import { ExplorerError, invalidInput } from './errors';
import { Pkce, createPkce, randomToken } from './random';

export interface AuthorizationRequest {
  url: string;
  state: string;
  nonce: string;
  pkce: Pkce;
  redirectUri: string;
}

export function buildAuthorizationRequest(
  authorizationEndpoint: string,
  opts: { clientId: string; redirectUri: string; scope?: string; extra?: Record<string, string> },
): AuthorizationRequest {
  const pkce = createPkce();
  const state = randomToken();
  const nonce = randomToken();
  const url = new URL(authorizationEndpoint);
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
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { url: url.toString(), state, nonce, pkce, redirectUri: opts.redirectUri };
}

/**
 * Validates the parameters of the redirect back to us and returns the authorization code.
 * RFC 9207: `iss`, when present, must equal the issuer exactly; when the server advertises
 * `authorization_response_iss_parameter_supported`, a response without `iss` is refused (§2.4).
 */
export function validateAuthorizationResponse(
  params: URLSearchParams,
  expected: { state: string; issuer?: string; requireIss?: boolean },
): string {
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
