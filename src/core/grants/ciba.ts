/**
 * OpenID Connect Client-Initiated Backchannel Authentication (CIBA Core 1.0), poll mode: the client
 * asks the backchannel authentication endpoint to have a user approve on their own device (§7.1),
 * gets an `auth_req_id` (§7.3), then polls the token endpoint with it (§10.1) through the shared
 * polling loop, with the device grant's pending / slow-down / denied / expired handling.
 */
import { GRANT_TYPES } from '../application';
import { ExplorerError, invalidInput } from '../errors';
import { type OAuthCall, type TokenResponse, optionalString, postWithClientAuth, requireJsonObject, tokenRequest } from '../oauth';
import { scopeList } from '../tokenSet';
import { DEFAULT_INTERVAL_SECONDS, type PollClock, pollForToken } from './polling';

export const CIBA_GRANT_TYPE = GRANT_TYPES.ciba;

export interface BackchannelRequest {
  /** Exactly one of the three hints names the user (§7.1). */
  loginHint?: string;
  idTokenHint?: string;
  loginHintToken?: string;
  /** Shown on both devices so the user can tell the request is the one they started. */
  bindingMessage?: string;
  scope?: string;
}

export interface BackchannelAuthorization {
  authReqId: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Seconds between polls. */
  interval: number;
}

const WHAT = 'Backchannel authentication';

/** Builds the §7.1 form: exactly one hint, `openid` in the scope, a confidential client. */
export function backchannelForm(call: OAuthCall, req: BackchannelRequest): URLSearchParams {
  if (call.client.authMethod === 'none') {
    throw invalidInput('authMethod', 'CIBA needs a confidential application (the client authenticates); this one is public (auth method none).');
  }
  const hints = (['loginHint', 'idTokenHint', 'loginHintToken'] as const).filter((k) => typeof req[k] === 'string' && req[k].trim());
  if (hints.length !== 1) {
    throw invalidInput(
      'loginHint',
      hints.length === 0
        ? 'Name the user: give a login hint (username or email), an ID token hint (a stored sign-in) or a login hint token.'
        : 'Give only one of login hint, ID token hint and login hint token.',
    );
  }
  // §7.1: the scope must contain openid.
  const scopes = scopeList(req.scope);
  const form = new URLSearchParams({ scope: (scopes.includes('openid') ? scopes : ['openid', ...scopes]).join(' ') });
  if (req.loginHint?.trim()) form.set('login_hint', req.loginHint.trim());
  if (req.idTokenHint?.trim()) form.set('id_token_hint', req.idTokenHint.trim());
  if (req.loginHintToken?.trim()) form.set('login_hint_token', req.loginHintToken.trim());
  if (req.bindingMessage) form.set('binding_message', req.bindingMessage);
  return form;
}

export async function requestBackchannelAuthentication(endpoint: string, call: OAuthCall, req: BackchannelRequest & { now: number }): Promise<BackchannelAuthorization> {
  const form = backchannelForm(call, req);
  const res = await postWithClientAuth(endpoint, call, form, WHAT, 'other');
  const body = requireJsonObject(res, WHAT);
  const authReqId = optionalString(body, 'auth_req_id', WHAT);
  const seconds = (key: string) => {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' ? Number(v.trim()) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)
      throw new ExplorerError('invalid_response', `${WHAT}: "${key}" in the answer is not a positive number of seconds.`);
    return n;
  };
  const expiresIn = seconds('expires_in');
  if (!authReqId || expiresIn === undefined) {
    throw new ExplorerError(
      'invalid_response',
      `${WHAT}: the answer has no ${[!authReqId && 'auth_req_id', expiresIn === undefined && 'expires_in'].filter(Boolean).join(', ')}.`,
    );
  }
  return { authReqId, expiresAt: req.now + expiresIn * 1000, interval: seconds('interval') ?? DEFAULT_INTERVAL_SECONDS };
}

export function cibaTokenRequest(tokenEndpoint: string, call: OAuthCall, authReqId: string): Promise<TokenResponse> {
  const form = new URLSearchParams({ grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId });
  return tokenRequest(tokenEndpoint, call, form, WHAT);
}

export function pollCibaToken(
  tokenEndpoint: string,
  call: OAuthCall,
  authorization: BackchannelAuthorization,
  opts: { clock: PollClock; signal?: AbortSignal },
): Promise<TokenResponse> {
  return pollForToken(() => cibaTokenRequest(tokenEndpoint, call, authorization.authReqId), {
    intervalSeconds: authorization.interval,
    expiresAt: authorization.expiresAt,
    clock: opts.clock,
    signal: opts.signal,
    what: WHAT,
  });
}
