/**
 * The resource-owner password grant (RFC 6749 §4.3), for issuers that still allow it (PingFederate;
 * any OIDC issuer whose discovery lists `password`). The password goes into this one request and is
 * never stored; it is redacted from every error (see `secretsOf` in oauth.ts).
 */
import { invalidInput } from '../errors';
import { type OAuthCall, type TokenResponse, tokenRequest } from '../oauth';

/** PingOne has no password grant: it signs users in with a username and password through its flows API. */
export const PINGONE_PASSWORD_EXPLANATION =
  'PingOne does not offer the resource-owner password grant. It signs users in with a username and password through its flows API instead: use "Sign In with Username and Password (Flows API)" (the application needs the authorization-code grant).';

export function passwordGrant(tokenEndpoint: string, call: OAuthCall, opts: { username: string; password: string; scope?: string }): Promise<TokenResponse> {
  if (typeof opts.username !== 'string' || !opts.username.trim()) throw invalidInput('username', 'A username is required.');
  if (typeof opts.password !== 'string' || !opts.password) throw invalidInput('password', 'A password is required.');
  const form = new URLSearchParams({ grant_type: 'password', username: opts.username.trim(), password: opts.password });
  if (opts.scope) form.set('scope', opts.scope);
  return tokenRequest(tokenEndpoint, call, form, 'Password grant');
}
