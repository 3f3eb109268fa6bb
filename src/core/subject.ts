/**
 * Who a user token set belongs to, for the tree and the token-set lists: the ID token's
 * `preferred_username`, else its `email`, else its `sub`. Undefined for client-credentials sets and
 * for sets without a readable ID token. The ID token was validated before the set was stored; this
 * only reads it.
 */
import { decodeJwt } from './jwt';

export function subjectOf(set: { idToken?: string }): string | undefined {
  if (!set.idToken) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(set.idToken).payload;
  } catch {
    return undefined;
  }
  for (const key of ['preferred_username', 'email', 'sub']) {
    const v = claims[key];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 100);
  }
  return undefined;
}
