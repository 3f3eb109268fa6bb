/**
 * What the inspector says about claims and times. DOM-free and dependency-free so the webview
 * bundle stays small and the wording is unit-tested on plain Node.
 */
import { formatDuration } from '../../core/duration';

/** Claims whose value is a NumericDate (seconds since the epoch). */
export const TIME_CLAIMS: ReadonlySet<string> = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** Claims shown as a list: space-separated strings (`scope`) or arrays. */
export const LIST_CLAIMS: ReadonlySet<string> = new Set(['scope', 'scp', 'aud', 'amr', 'p1.permissions']);

const CLAIMS: Record<string, string> = {
  iss: 'Issuer: the authorization server that issued the token.',
  sub: 'Subject: the user (or, for client credentials, the client) the token is about.',
  aud: 'Audience: who the token is meant for; a resource server must find itself here.',
  exp: 'Expiration time: the token must not be accepted after this.',
  nbf: 'Not before: the token must not be accepted before this.',
  iat: 'Issued at: when the token was issued.',
  auth_time: 'When the user last actively authenticated.',
  jti: 'JWT ID: a unique identifier for this token, used to detect replays.',
  client_id: 'The client (application) the token was issued to.',
  azp: 'Authorized party: the client the ID token was issued to.',
  scope: 'Scopes granted: what the token allows its bearer to do.',
  scp: 'Scopes granted, as a list.',
  env: 'The PingOne environment ID the token belongs to.',
  org: 'The PingOne organization ID that owns the environment.',
  sid: "Session ID: the user's sign-on session at the authorization server.",
  acr: 'Authentication context class: the sign-on policy (assurance level) that was satisfied.',
  amr: 'Authentication methods used, such as pwd (password) or mfa.',
  nonce: 'The nonce of the sign-in request: binds this ID token to that request (replay protection).',
  at_hash: 'Access-token hash: binds the ID token to the access token issued with it.',
  c_hash: 'Code hash: binds the ID token to the authorization code.',
  s_hash: 'State hash: binds the ID token to the state of the request.',
  cnf: 'Confirmation: the key the token is bound to. "jkt" is the SHA-256 thumbprint of a DPoP key (RFC 9449): the token only works with a fresh proof signed by that key. "x5t#S256" names an mTLS client certificate.',
  act: 'Actor: who is acting on behalf of the subject (token exchange).',
  may_act: 'Who may act on behalf of the subject (token exchange).',
  token_type: 'The kind of token.',
  active: 'Whether the server considers the token currently usable.',
  username: "The resource owner's user name.",
  name: "The user's full name.",
  given_name: "The user's given (first) name.",
  family_name: "The user's family (last) name.",
  preferred_username: 'The name the user prefers to be shown.',
  email: "The user's email address.",
  email_verified: 'Whether the email address was verified.',
  updated_at: "When the user's profile was last updated.",
  'p1.permissions': 'PingOne permissions granted to this token (role-based access for the PingOne API).',
  'p1.region': 'The PingOne region of the environment.',
  'p1.userId': 'The PingOne user ID.',
};

const HEADER: Record<string, string> = {
  alg: 'Signature algorithm.',
  kid: "Key ID: which key in the issuer's key set signed the token.",
  typ: 'Media type of the token (at+jwt for an access token, RFC 9068).',
  cty: 'Content type of the payload.',
  jku: "URL of a key set (never trusted on its own: keys come from the issuer's jwks_uri).",
  x5t: 'SHA-1 thumbprint of the signing certificate.',
  'x5t#S256': 'SHA-256 thumbprint of the signing certificate.',
  crit: 'Header parameters the recipient must understand.',
};

/** The one-line explanation of a payload claim, or undefined for claims we do not know. */
export function explainClaim(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(CLAIMS, name)) return CLAIMS[name];
  if (name.startsWith('p1.')) return 'PingOne-specific claim.';
  return undefined;
}

export function explainHeader(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(HEADER, name) ? HEADER[name] : undefined;
}

/** A NumericDate (seconds) as local time and ISO 8601; undefined when not a usable number. */
export function formatTime(seconds: unknown): { local: string; iso: string } | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  return { local: d.toLocaleString(), iso: d.toISOString() };
}

/** The items of a list claim: a space-separated string or an array of scalars. */
export function listItems(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map(String);
  return undefined;
}

/** A scalar as text; undefined for objects and arrays (shown as pretty JSON instead). */
export function scalarText(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return String(value);
    default:
      return undefined;
  }
}

/** "41 min 12 s", "3 h 5 min", "2 d 4 h", "12 s": precise enough for a ticking countdown. */
export function preciseDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h % 24} h`;
}

/** "3 min", "2 h 5 min", "12 s": for times already past, where seconds are noise. */
export const coarseDuration = formatDuration;

export const WARNING_MS = 5 * 60_000;

export type CountdownState = 'ok' | 'warning' | 'expired' | 'none';

/** The countdown's text and state at `now` (both epoch ms on the same clock). */
export function countdown(expiresAt: number | undefined, now: number): { text: string; state: CountdownState } {
  if (expiresAt === undefined) return { text: 'no expiry', state: 'none' };
  const delta = expiresAt - now;
  if (delta <= 0) return { text: `expired ${coarseDuration(delta)} ago`, state: 'expired' };
  return { text: `expires in ${preciseDuration(delta)}`, state: delta <= WARNING_MS ? 'warning' : 'ok' };
}

/** Milliseconds until the countdown's text next changes (the next whole second of the delta). */
export function nextTickIn(expiresAt: number, now: number): number {
  const r = (expiresAt - now) % 1000;
  const ms = r > 0 ? r : r < 0 ? 1000 + r : 1000;
  return Math.max(1, Math.min(1000, ms));
}
