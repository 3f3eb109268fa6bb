/**
 * Redaction that holds (issue #10, finding 3): servers on loopback that echo the credentials they
 * received in every field of their answer. No message, code, description or stack may carry a
 * secret in any encoding: raw, form-encoded, percent-encoded, or base64 of `id:secret`.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Endpoints } from '../../src/core/endpoints';
import { ExplorerError } from '../../src/core/errors';
import { flowsSignIn } from '../../src/core/flows';
import { clientCredentialsGrant, fetchUserinfo, refreshTokenGrant } from '../../src/core/oauth';
import { basicCredential, redact, rememberSecrets } from '../../src/core/redact';
import { failure } from '../support/failure';

const CLIENT_ID = 'echo-client';
/** Characters that differ in every encoding: space, plus, slash, ampersand, quote, non-ASCII. */
const SECRET = 's3cr3t value/+&"é-9f1c';
const PASSWORD = 'hunter2 p@ss/+word';
const REFRESH = 'refresh-token-7a1f9c5e2b';

function encodings(value: string): string[] {
  return [value, new URLSearchParams({ v: value }).toString().slice(2), encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
}
const FORBIDDEN = [...encodings(SECRET), ...encodings(PASSWORD), REFRESH, basicCredential(CLIENT_ID, SECRET)];

/** A server that answers every request with `answer(what it received)`. */
async function echoServer(answer: (received: { auth: string; body: string; raw: string }) => { status: number; body: unknown; headers?: Record<string, string> }) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const a = answer({ auth: (req.headers.authorization ?? '').replace(/^Basic /, ''), body: raw, raw });
      res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

function assertClean(err: ExplorerError): void {
  const surfaces = { message: err.message, code: err.code, description: err.description ?? '', stack: err.stack ?? '', string: String(err) };
  for (const [where, text] of Object.entries(surfaces)) {
    for (const secret of FORBIDDEN) assert.ok(!text.includes(secret), `${where} carries a secret: ${text}`);
  }
}

const HTTP = { timeoutMs: 5000 };

describe('redaction against servers that echo secrets', () => {
  const call = (authMethod: 'client_secret_basic' | 'client_secret_post') => ({ client: { clientId: CLIENT_ID, clientSecret: SECRET, authMethod }, http: HTTP });

  for (const [field, body] of [
    ['error', (r: { auth: string; body: string }) => ({ error: `invalid_client: bad secret ${SECRET} ${r.auth}` })],
    ['error_description', (r: { auth: string; body: string }) => ({ error: 'invalid_client', error_description: `got ${r.auth} and ${r.body}` })],
    ['PingOne code and message', (r: { auth: string; body: string }) => ({ code: `INVALID ${SECRET}`, message: `rejected ${r.auth} / ${r.body}` })],
    ['an unparseable body', (r: { auth: string; body: string }) => `<html>${r.auth} ${r.body} ${SECRET}</html>`],
  ] as const) {
    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      it(`${field} (${method})`, async () => {
        const server = await echoServer((r) => ({ status: 401, body: body(r) }));
        try {
          assertClean(await failure(clientCredentialsGrant(`${server.url}/token`, call(method))));
          assertClean(await failure(refreshTokenGrant(`${server.url}/token`, call(method), { refreshToken: REFRESH })));
        } finally {
          await server.close();
        }
      });
    }
  }

  it('a userinfo WWW-Authenticate challenge that quotes the access token', async () => {
    const token = 'opaque-access-token-51d2e0';
    const server = await echoServer(() => ({
      status: 401,
      body: '',
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${token} is bad"` },
    }));
    try {
      const err = await failure(fetchUserinfo(`${server.url}/userinfo`, HTTP, token));
      assert.ok(!err.message.includes(token) && !(err.description ?? '').includes(token), err.message);
    } finally {
      await server.close();
    }
  });

  it('a flows-API 400 whose details[].message and message quote the password', async () => {
    const server = await echoServer((r) => {
      if (!r.raw) return { status: 200, body: { id: 'flow1', status: 'USERNAME_PASSWORD_REQUIRED' } };
      const sent = JSON.parse(r.raw) as { password: string };
      return { status: 400, body: { code: 'INVALID_DATA', message: `bad ${sent.password}`, details: [{ message: `password ${sent.password} rejected` }] } };
    });
    try {
      const endpoints: Endpoints = {
        issuer: `${server.url}/env/as`,
        authorization: `${server.url}/env/as/authorize`,
        token: `${server.url}/env/as/token`,
        flowsBase: `${server.url}/env`,
        source: 'fallback',
      };
      const err = await failure(
        flowsSignIn(endpoints, { clientId: CLIENT_ID, redirectUri: 'http://127.0.0.1/callback', scope: 'openid', username: 'u', password: PASSWORD, http: HTTP }),
      );
      assert.equal(err.code, 'access_denied');
      assert.match(err.message, /Sign-on failed: password \[redacted\] rejected/);
      assertClean(err);
    } finally {
      await server.close();
    }
  });

  it('a secret the caller forgot to pass is still redacted once this process has handled it', () => {
    const late = 'late-secret-9d8c7b6a';
    assert.equal(redact(`echo ${late}`), `echo ${late}`);
    rememberSecrets(late);
    assert.equal(redact(`echo ${late} ${encodeURIComponent(late)}`), 'echo [redacted] [redacted]');
    assert.ok(!new ExplorerError('invalid_request', `server said ${late}`).message.includes(late));
  });
});
