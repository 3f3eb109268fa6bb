/**
 * Small, dependency-free facts about a server's metadata, shared by discovery (loaded on first use)
 * and the token service (loaded at activation).
 */
/** OIDC Discovery §4: the issuer, without a trailing slash, followed by the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** Issuers that differ only by one trailing slash (what users type and servers publish disagree on). */
export function differOnlyBySlash(a: string, b: string): boolean {
  return a !== b && a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/**
 * Why the server will refuse this client authentication method, when its discovery document lists
 * the methods it accepts and this one is not among them; undefined when it may work. `none` is
 * never refused on this ground: several providers accept public clients with PKCE without listing
 * "none".
 */
export function unsupportedAuthMethod(endpoints: { tokenAuthMethods?: string[]; issuer: string }, method: string): string | undefined {
  const supported = endpoints.tokenAuthMethods;
  if (!supported || supported.length === 0 || method === 'none' || supported.includes(method)) return undefined;
  return `The application uses ${method}, but the server (${endpoints.issuer}) accepts only ${supported.join(', ')} at its token endpoint. Edit the application's auth method to one of those.`;
}
