/**
 * The log line of an authorization request: where the browser is sent and with what, so a user can
 * see why a sign-in went wrong. The per-request secrets of the exchange (`state`, `nonce`, the PKCE
 * `code_challenge`) are never written in full: only their first characters, enough to tell two
 * attempts apart.
 */
const SHORTENED = new Set(['state', 'nonce', 'code_challenge', 'login_hint', 'id_token_hint', 'request', 'request_uri']);
const ORDER = ['client_id', 'scope', 'redirect_uri', 'response_type', 'code_challenge_method'];

function shorten(value: string): string {
  return value.length > 6 ? `${value.slice(0, 4)}…` : '…';
}

export function describeAuthorizationUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'authorization request (unparsable URL)';
  }
  const params = [...u.searchParams.entries()].sort(([a], [b]) => rank(a) - rank(b));
  const parts = params.map(([k, v]) => `${k}=${SHORTENED.has(k) ? shorten(v) : v}`);
  return `authorization request to ${u.origin}${u.pathname}: ${parts.join(' ')}`;
}

function rank(key: string): number {
  const i = ORDER.indexOf(key);
  return i === -1 ? ORDER.length : i;
}
