/**
 * A small OpenID provider on loopback that signs whatever a test asks for: the relying-party
 * checks of the OpenID Foundation's conformance suite each need an ID token that is wrong in one
 * way (another audience, no `iat`, alg "none", a rotated key, ...), which no real server produces
 * on demand. Real HTTP, real signatures (`jose`, keys generated per test run); the test states the
 * discovery document, the key set, and what the token and userinfo endpoints answer next.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';

export interface SigningKeyPair {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey | Uint8Array;
  publicJwk: JWK;
}

export async function makeKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export interface TokenAnswer {
  status?: number;
  /** A JSON body, or a raw string (empty for the servers that answer errors with no body). */
  body: Record<string, unknown> | string;
  contentType?: string;
}

export interface ConformanceProvider {
  url: string;
  /** The issuer as published (trailing slash or not, as the test chose). */
  issuer: string;
  /** Fields merged over the default discovery document. */
  discovery: Record<string, unknown>;
  /** What /jwks serves. */
  jwks: { keys: JWK[] };
  /** Answers for the token endpoint, taken in order; the last one repeats. */
  tokenAnswers: TokenAnswer[];
  userinfo: Record<string, unknown>;
  requests: Array<{ method: string; path: string; body: string; headers: http.IncomingHttpHeaders }>;
  count(path: string): number;
  close(): Promise<void>;
}

/** Starts the provider. `issuerPath` is appended to the origin, e.g. '/tenant/' (trailing slash kept). */
export async function startConformanceProvider(issuerPath = ''): Promise<ConformanceProvider> {
  const requests: ConformanceProvider['requests'] = [];
  let provider!: ConformanceProvider;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push({ method: req.method ?? '', path, body: Buffer.concat(chunks).toString(), headers: req.headers });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      const base = provider.issuer.replace(/\/$/, '');
      const relative = provider.url + path;
      if (relative === `${base}/.well-known/openid-configuration`) {
        return json(200, {
          issuer: provider.issuer,
          authorization_endpoint: `${base}/authorize`,
          token_endpoint: `${base}/token`,
          userinfo_endpoint: `${base}/userinfo`,
          jwks_uri: `${base}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
          ...provider.discovery,
        });
      }
      if (relative === `${base}/jwks`) return json(200, provider.jwks);
      if (relative === `${base}/userinfo`) return json(200, provider.userinfo);
      if (relative === `${base}/token`) {
        const answer = provider.tokenAnswers.length > 1 ? provider.tokenAnswers.shift()! : provider.tokenAnswers[0];
        if (!answer) return json(500, { error: 'server_error', error_description: 'the test set no token answer' });
        const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        const headers: Record<string, string> = body === '' ? {} : { 'Content-Type': answer.contentType ?? 'application/json' };
        return res.writeHead(answer.status ?? 200, headers).end(body);
      }
      json(404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  provider = {
    url,
    issuer: `${url}${issuerPath}`,
    discovery: {},
    jwks: { keys: [] },
    tokenAnswers: [],
    userinfo: {},
    requests,
    count: (path) => requests.filter((r) => r.path.endsWith(path)).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return provider;
}

/** Signs an ID token (or any JWT) with `key`, header and claims exactly as given. */
export async function signJwt(claims: JWTPayload, key: SigningKeyPair, header: { kid?: string | null; alg?: string; typ?: string } = {}): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: header.alg ?? key.alg, typ: header.typ ?? 'JWT' };
  if (header.kid !== null) protectedHeader.kid = header.kid ?? key.kid;
  return new SignJWT(claims).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

/** An unsigned JWT (alg "none"), as an attacker or a misconfigured server would send. */
export function unsignedJwt(claims: JWTPayload): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}
