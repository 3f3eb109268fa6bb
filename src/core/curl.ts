/**
 * "Copy as curl": a command that a shell runs as exactly one curl call with literal arguments.
 * Every argument is single-quoted (a `'` inside becomes `'\''`), and values that came from a
 * server are checked first: the token type (RFC 6749 §7.1 names), the access token (RFC 6750
 * b64token) and the URL (only characters that mean the same to a shell inside quotes, to curl's
 * URL globbing and to a URL parser). A refusal says what was wrong, never the value.
 */
import { invalidInput } from './errors';

export const TOKEN_TYPE = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
export const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** RFC 3986 unreserved, sub-delims (without `'`), `:/?#@` and `%`; no `[]{}` (curl globbing), quotes, spaces, backslashes or controls. */
const URL_CHARS = /^[A-Za-z0-9\-._~!$&()*+,;=:/?#@%]+$/;

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function checkCurlUrl(url: string): string {
  try {
    new URL(url);
  } catch {
    throw invalidInput('url', 'The endpoint for the curl command is not a URL.');
  }
  // scheme://host[:port][rest]; brackets only around an IPv6 host, which is where they belong.
  const m = /^https?:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?(.*)$/s.exec(url);
  if (!m || (m[1] !== '' && !URL_CHARS.test(m[1]))) {
    throw invalidInput(
      'url',
      'The endpoint for the curl command has characters a shell or curl would reinterpret (quotes, spaces, backslashes, braces or brackets), so no curl command was made. Check the discovery document of the issuer.',
    );
  }
  return url;
}

/** A compact JWS: three base64url segments (what a DPoP proof is). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const METHOD = /^[A-Z]+$/;

/**
 * `curl -H 'Authorization: <type> <token>' '<url>'`, or `invalid_input` when a value is unsafe.
 * With a DPoP proof (RFC 9449 §7.1) the scheme is `DPoP` and the proof goes in a `DPoP:` header; it
 * is valid only for `method` (default GET, sent with `-X` otherwise) and that URL.
 */
export function curlCommand(url: string, tokenType: string, accessToken: string, opts: { method?: string; dpopProof?: string } = {}): string {
  if (!TOKEN_TYPE.test(tokenType)) throw invalidInput('tokenType', 'The token type the server sent is not a valid name (RFC 6749 §7.1), so no curl command was made.');
  if (!B64TOKEN.test(accessToken)) {
    throw invalidInput('accessToken', 'The access token has characters a Bearer token cannot have (RFC 6750 §2.1), so no curl command was made.');
  }
  const method = opts.method ?? 'GET';
  if (!METHOD.test(method)) throw invalidInput('method', 'The HTTP method must be a name in capitals such as GET or POST, so no curl command was made.');
  if (opts.dpopProof !== undefined && !COMPACT_JWS.test(opts.dpopProof)) {
    throw invalidInput('dpop', 'The DPoP proof is not a compact JWT, so no curl command was made.');
  }
  const args = ['curl'];
  if (method !== 'GET') args.push('-X', method);
  args.push('-H', shellQuote(`Authorization: ${opts.dpopProof !== undefined ? 'DPoP' : tokenType} ${accessToken}`));
  if (opts.dpopProof !== undefined) args.push('-H', shellQuote(`DPoP: ${opts.dpopProof}`));
  args.push(shellQuote(checkCurlUrl(url)));
  return args.join(' ');
}
