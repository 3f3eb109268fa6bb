// PingOne userinfo endpoint. oidc-provider's own userinfo refuses access tokens that carry an `aud`
// (all PingOne-variant tokens do), so the sandbox serves it: the bearer token must be an RS256 JWT
// signed by the PingOne key, issued by this issuer, unexpired, and still known to oidc-provider
// (i.e. not revoked). Claims are released by the token's scopes.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { CLAIMS_BY_SCOPE, DEMO_USER, USER_CLAIMS } from './demo';
import { sendJson } from './http';
import { verifyRs256, type SigningKey } from './keys';
import type { OidcProvider } from './provider';

export async function handleUserinfo(
  req: IncomingMessage,
  res: ServerResponse,
  { provider, issuer, key }: { provider: OidcProvider; issuer: string; key: SigningKey },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'POST') {
    sendJson(res, 405, { error: 'invalid_request', error_description: 'use GET or POST' }, { Allow: 'GET, POST' });
    return;
  }
  const reject = (description: string) =>
    sendJson(res, 401, { error: 'invalid_token', error_description: description }, {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
    });

  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) return reject('no access token provided');
  const claims = verifyRs256(token, key);
  if (!claims) return reject('invalid access token');
  if (claims.iss !== issuer) return reject('access token issued by another issuer');
  if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return reject('access token expired');
  if (claims.sub !== DEMO_USER.sub) return reject('access token has no user');
  if (!(await provider.AccessToken.find(token))) return reject('access token revoked');

  const scopes = String(claims.scope ?? '').split(' ');
  const released = new Set(scopes.flatMap((s) => CLAIMS_BY_SCOPE[s] ?? []));
  released.add('sub');
  sendJson(res, 200, Object.fromEntries(Object.entries(USER_CLAIMS).filter(([name]) => released.has(name))));
}
