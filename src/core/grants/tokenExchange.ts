/**
 * OAuth 2.0 Token Exchange (RFC 8693): a stored token (the subject, and optionally an actor) is
 * exchanged at the token endpoint for a new token, typically an access token for another audience
 * or resource. The client authenticates; PingOne requires a confidential client, so a public one is
 * refused before any request.
 */
import { GRANT_TYPES } from '../application';
import { ExplorerError, invalidInput } from '../errors';
import { tryParseJson } from '../http';
import { type OAuthCall, type TokenResponse, parseTokenResponse, postWithClientAuth } from '../oauth';

export const TOKEN_EXCHANGE_GRANT_TYPE = GRANT_TYPES.token_exchange;

/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  refresh_token: 'urn:ietf:params:oauth:token-type:refresh_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

export interface TokenExchangeRequest {
  subjectToken: string;
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  audience?: string;
  resource?: string;
  scope?: string;
  requestedTokenType?: string;
}

export interface TokenExchangeResponse extends TokenResponse {
  /** RFC 8693 §2.2.1 `issued_token_type`, when the server said (it is required, a few omit it). */
  issuedTokenType?: string;
}

const WHAT = 'Token exchange';

function checkUri(field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!URL.canParse(value)) throw invalidInput(field, `The ${field} "${value.slice(0, 100)}" is not an absolute URI.`);
  return value;
}

/** Builds the RFC 8693 §2.1 form; refuses a public client and malformed input before any request. */
export function tokenExchangeForm(call: OAuthCall, req: TokenExchangeRequest): URLSearchParams {
  if (call.client.authMethod === 'none') {
    throw invalidInput(
      'authMethod',
      'Token exchange needs a confidential application (PingOne requires client authentication for it); this one is public (auth method none).',
    );
  }
  if (!req.subjectToken) throw invalidInput('subjectToken', 'A subject token is required.');
  if (req.actorToken && !req.actorTokenType) throw invalidInput('actorTokenType', 'The actor token needs a token type.');
  const form = new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT_TYPE, subject_token: req.subjectToken, subject_token_type: req.subjectTokenType });
  if (req.actorToken && req.actorTokenType) {
    form.set('actor_token', req.actorToken);
    form.set('actor_token_type', req.actorTokenType);
  }
  if (req.audience) form.set('audience', req.audience);
  const resource = checkUri('resource', req.resource);
  if (resource) form.set('resource', resource);
  if (req.scope) form.set('scope', req.scope);
  const requested = checkUri('requestedTokenType', req.requestedTokenType);
  if (requested) form.set('requested_token_type', requested);
  return form;
}

export async function tokenExchangeGrant(tokenEndpoint: string, call: OAuthCall, req: TokenExchangeRequest): Promise<TokenExchangeResponse> {
  const form = tokenExchangeForm(call, req);
  const secrets = [call.client.clientSecret, req.subjectToken, req.actorToken].filter((v): v is string => !!v);
  const res = await postWithClientAuth(tokenEndpoint, call, form, WHAT, 'token', true);
  const response = parseTokenResponse(res, WHAT, secrets, form);
  const body = tryParseJson(res) as Record<string, unknown>;
  const issued = body.issued_token_type;
  if (issued !== undefined && typeof issued !== 'string') {
    throw new ExplorerError('invalid_response', `${WHAT}: "issued_token_type" in the answer is not a string.`);
  }
  return { ...response, issuedTokenType: issued || undefined };
}
