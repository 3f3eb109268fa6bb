// PingOne userinfo endpoint. oidc-provider's own userinfo refuses access tokens that carry an `aud`
// (all PingOne-variant tokens do), so the sandbox serves it: the bearer token must be an RS256 JWT
// signed by the PingOne key, issued by this issuer, unexpired, and still known to oidc-provider
// (i.e. not revoked). Claims are released by the token's scopes.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { CLAIMS_BY_SCOPE, DEMO_USER, USER_CLAIMS } from './demo';
import { sendJson } from './http';
import { verifyRs256, type SigningKey } from './keys';
import type { OidcProvider } from './provider';

/** Checks a resource request's DPoP proof (RFC 9449 §4.3, §7.1); returns what is wrong, or undefined. */
async function checkDpopProof(req: IncomingMessage, token: string, jkt: string | undefined, url: string): Promise<string | undefined> {
  const { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } = await import('jose');
  const proof = req.headers.dpop;
  if (typeof proof !== 'string') return 'DPoP proof missing';
  if (!jkt) return 'a bearer token was sent with the DPoP scheme';
  const header = decodeProtectedHeader(proof);
  if (header.typ !== 'dpop+jwt' || !header.jwk) return 'malformed DPoP proof';
  try {
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: '60s' });
    if ((await calculateJwkThumbprint(header.jwk)) !== jkt) return 'DPoP proof signed by another key than the token is bound to';
    if (payload.htm !== req.method || payload.htu !== url) return 'DPoP proof for another request';
    const { createHash } = await import('node:crypto');
    if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return 'DPoP proof for another access token';
  } catch {
    return 'invalid DPoP proof';
  }
  return undefined;
}

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
    sendJson(
      res,
      401,
      { error: 'invalid_token', error_description: description },
      {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
      },
    );

  const [, scheme, token] = /^(Bearer|DPoP)\s+(\S+)$/i.exec(req.headers.authorization ?? '') ?? [];
  if (!token) return reject('no access token provided');
  const claims = verifyRs256(token, key);
  if (!claims) return reject('invalid access token');
  // RFC 9449 §7: a DPoP-bound token needs the DPoP scheme and a proof by the key it is bound to.
  const jkt = (claims.cnf as { jkt?: string } | undefined)?.jkt;
  if (jkt || scheme!.toLowerCase() === 'dpop') {
    const problem = await checkDpopProof(req, token, jkt, `${issuer}/userinfo`);
    if (problem) return reject(problem);
  }
  if (claims.iss !== issuer) return reject('access token issued by another issuer');
  if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) return reject('access token expired');
  if (claims.sub !== DEMO_USER.sub) return reject('access token has no user');
  if (!(await provider.AccessToken.find(token))) return reject('access token revoked');

  const scopes = String(claims.scope ?? '').split(' ');
  const released = new Set(scopes.flatMap((s) => CLAIMS_BY_SCOPE[s] ?? []));
  released.add('sub');
  sendJson(res, 200, Object.fromEntries(Object.entries(USER_CLAIMS).filter(([name]) => released.has(name))));
}
