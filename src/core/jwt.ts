/**
 * JWT decoding (no verification here: see `verify.ts`) and expiry arithmetic. Opaque tokens are a
 * normal case: `looksLikeJwt` tells them apart, and decoding one is a clear `invalid_input`.
 */
import { InvalidTokenError, jwtDecode } from 'jwt-decode';
import { formatDuration } from './duration';
import { invalidInput } from './errors';

export { formatDuration };

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The three raw segments: header, payload, signature. */
  segments: [string, string, string];
}

const JWS_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** True for a compact JWS (three base64url segments whose header decodes to JSON). */
export function looksLikeJwt(token: string): boolean {
  if (!JWS_SHAPE.test(token.trim())) return false;
  try {
    jwtDecode(token.trim(), { header: true });
    return true;
  } catch {
    return false;
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput('token', `The JWT ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

export function decodeJwt(token: string): DecodedJwt {
  const t = typeof token === 'string' ? token.trim().replace(/^Bearer\s+/i, '') : '';
  if (!t) throw invalidInput('token', 'No token to decode.');
  if (t.split('.').length === 5) {
    throw invalidInput('token', 'This is an encrypted JWT (JWE, five segments): its contents cannot be read without the key.');
  }
  if (!JWS_SHAPE.test(t)) {
    throw invalidInput(
      'token',
      'This is not a JWT: it is an opaque token (PingFederate reference tokens and PingOne refresh tokens often are). Introspect it to see its state.',
    );
  }
  try {
    const header = asObject(jwtDecode(t, { header: true }), 'header');
    const payload = asObject(jwtDecode(t), 'payload');
    const [h, p, s] = t.split('.');
    return { header, payload, segments: [h, p, s] };
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      throw invalidInput('token', `This is not a readable JWT: ${err.message}.`);
    }
    throw err;
  }
}

/** A NumericDate claim (seconds) as epoch milliseconds, when present and numeric. */
export function numericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const v = payload[claim];
  return typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined;
}

/** `exp` of a token in epoch ms, or undefined for opaque tokens and JWTs without `exp`. */
export function jwtExpiry(token: string | undefined): number | undefined {
  if (!token || !looksLikeJwt(token)) return undefined;
  try {
    return numericDate(decodeJwt(token).payload, 'exp');
  } catch {
    return undefined;
  }
}

/** "expires in 42 min" / "expired 3 min ago" / "no expiry". */
export function describeExpiry(expiresAt: number | undefined, now: number): string {
  if (expiresAt === undefined) return 'no expiry';
  const delta = expiresAt - now;
  return delta > 0 ? `expires in ${formatDuration(delta)}` : `expired ${formatDuration(delta)} ago`;
}
