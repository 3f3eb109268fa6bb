/**
 * The OAuth client against real HTTP answers that go wrong: every fault becomes a typed error with
 * a message a person can act on, and no secret reaches the message.
 */
import assert from 'node:assert/strict';
import { discover, resolveEndpoints } from '../../src/core/endpoints';
import { validateEnvironment } from '../../src/core/environment';
import { ExplorerError } from '../../src/core/errors';
import { type RequestLogEntry } from '../../src/core/http';
import { type ClientCredentials, clientCredentialsGrant, fetchUserinfo, introspectToken, refreshTokenGrant } from '../../src/core/oauth';
import { type FaultServer, startFaultServer } from '../support/faultServer';

const SECRET = 'top-secret-value-42';
const client: ClientCredentials = { clientId: 'worker', clientSecret: SECRET, authMethod: 'client_secret_basic' };

async function failure(p: Promise<unknown>): Promise<ExplorerError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ExplorerError, `expected ExplorerError, got ${String(err)}`);
    assert.ok(!err.message.includes(SECRET), `secret leaked: ${err.message}`);
    return err;
  }
  assert.fail('expected a failure');
}

describe('OAuth client against faulty servers', () => {
  let server: FaultServer;
  const log: RequestLogEntry[] = [];
  const http = () => ({ timeoutMs: 2000, log: (e: RequestLogEntry) => log.push(e) });
  const token = () => `${server.url}/token`;

  beforeEach(async () => {
    server = await startFaultServer();
    log.length = 0;
  });
  afterEach(() => server.close());

  it('maps an OAuth error body to its code, with a hint, and redacts echoed secrets', async () => {
    server.route('/token', { kind: 'json', status: 401, body: { error: 'invalid_client', error_description: `Request denied: bad secret ${SECRET}` } });
    const err = await failure(clientCredentialsGrant(token(), { client, http: http() }));
    assert.equal(err.code, 'invalid_client');
    assert.equal(err.status, 401);
    assert.match(err.message, /client secret.*auth method/);
    assert.ok(err.description?.includes('[redacted]'));
  });

  it('reports a 503 HTML page as http_error with the page title', async () => {
    server.route('/token', {
      kind: 'text',
      status: 503,
      contentType: 'text/html',
      body: '<html><head><title>Service Unavailable</title></head><body>down</body></html>',
    });
    const err = await failure(clientCredentialsGrant(token(), { client, http: http() }));
    assert.equal(err.code, 'http_error');
    assert.equal(err.status, 503);
    assert.match(err.message, /HTTP 503 with an HTML page \("Service Unavailable"\)/);
  });

  it('reports PingOne platform errors by their code and message', async () => {
    server.route('/token', { kind: 'json', status: 400, body: { id: 'x', code: 'INVALID_DATA', message: 'The request could not be completed.' } });
    const err = await failure(clientCredentialsGrant(token(), { client, http: http() }));
    assert.equal(err.code, 'http_error');
    assert.match(err.message, /INVALID_DATA: The request could not be completed/);
  });

  it('rejects truncated JSON, a 200 HTML page and a 200 without access_token as invalid_response', async () => {
    server.route('/token', { kind: 'text', status: 200, contentType: 'application/json', body: '{"access_token":"abc","token_ty' });
    assert.equal((await failure(clientCredentialsGrant(token(), { client, http: http() }))).code, 'invalid_response');
    server.route('/token', { kind: 'text', status: 200, contentType: 'text/html', body: '<html>login</html>' });
    const html = await failure(clientCredentialsGrant(token(), { client, http: http() }));
    assert.equal(html.code, 'invalid_response');
    assert.match(html.message, /HTML page/);
    server.route('/token', { kind: 'json', status: 200, body: { token_type: 'Bearer', expires_in: 3600 } });
    assert.match((await failure(clientCredentialsGrant(token(), { client, http: http() }))).message, /no access_token/);
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'a', expires_in: 'soon' } });
    assert.match((await failure(clientCredentialsGrant(token(), { client, http: http() }))).message, /expires_in/);
  });

  it('coerces expires_in and tolerates a missing token_type', async () => {
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'a', expires_in: '3600' } });
    const r = await clientCredentialsGrant(token(), { client, http: http() });
    assert.equal(r.expiresIn, 3600);
    assert.equal(r.tokenType, 'Bearer');
  });

  it('reports a reset connection as network and a refused one as network', async () => {
    server.route('/token', { kind: 'reset' });
    assert.equal((await failure(clientCredentialsGrant(token(), { client, http: http() }))).code, 'network');
    const url = server.url;
    await server.close();
    const refused = await failure(clientCredentialsGrant(`${url}/token`, { client, http: http() }));
    assert.equal(refused.code, 'network');
    assert.match(refused.message, /refused/);
    server = await startFaultServer(); // for afterEach
  });

  it('times out a server that never answers, and honours cancellation', async () => {
    server.route('/token', { kind: 'hang' });
    const timeout = await failure(clientCredentialsGrant(token(), { client, http: { timeoutMs: 150 } }));
    assert.equal(timeout.code, 'timeout');
    assert.match(timeout.message, /within 0\.2 s.*requestTimeoutSeconds/);
    const controller = new AbortController();
    const pending = clientCredentialsGrant(token(), { client, http: { timeoutMs: 10_000, signal: controller.signal } });
    controller.abort();
    assert.equal((await failure(pending)).code, 'cancelled');
  });

  it('sends client_secret_basic and client_secret_post the way each is defined', async () => {
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'a', token_type: 'Bearer' } });
    await clientCredentialsGrant(token(), { client, http: http() }, { scope: 'p1:read:user' });
    await clientCredentialsGrant(token(), { client: { ...client, authMethod: 'client_secret_post' }, http: http() });
    const [basic, post] = server.requests;
    assert.equal(basic.headers.authorization, `Basic ${Buffer.from(`worker:${SECRET}`).toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(basic.body)), { grant_type: 'client_credentials', scope: 'p1:read:user' });
    assert.equal(post.headers.authorization, undefined);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(post.body)), { grant_type: 'client_credentials', client_id: 'worker', client_secret: SECRET });
  });

  it('refuses to send a request without the secret its auth method needs', async () => {
    const err = await failure(clientCredentialsGrant(token(), { client: { clientId: 'w', authMethod: 'client_secret_post' }, http: http() }));
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.field, 'clientSecret');
    assert.equal(server.requests.length, 0);
    const pub = await failure(clientCredentialsGrant(token(), { client: { clientId: 'w', authMethod: 'none' }, http: http() }));
    assert.equal(pub.field, 'authMethod');
  });

  it('logs method, URL without query, status and duration, and never a credential', async () => {
    server.route('/token', { kind: 'json', status: 400, body: { error: 'invalid_grant' } });
    await failure(refreshTokenGrant(`${token()}?x=secret-in-query`, { client, http: http() }, { refreshToken: 'rt-value-123' }));
    assert.equal(log.length, 1);
    assert.equal(log[0].method, 'POST');
    assert.equal(log[0].url, `${server.url}/token`);
    assert.equal(log[0].status, 400);
    assert.ok(log[0].durationMs >= 0);
    assert.ok(!JSON.stringify(log).includes('rt-value-123') && !JSON.stringify(log).includes(SECRET));
  });

  it('validates introspection and userinfo answers', async () => {
    server.route('/introspect', { kind: 'json', status: 200, body: { scope: 'x' } });
    assert.match((await failure(introspectToken(`${server.url}/introspect`, { client, http: http() }, { token: 't' }))).message, /active/);
    server.route('/userinfo', { kind: 'text', status: 401, contentType: 'text/plain', body: '' });
    const ui = await failure(fetchUserinfo(`${server.url}/userinfo`, http(), 'at'));
    assert.equal(ui.code, 'invalid_token');
  });

  describe('discovery', () => {
    it('falls back to PingOne paths when discovery is missing, but not for a plain OIDC issuer', async () => {
      const envId = '8f9e2f5a-1c2b-4d3e-9f00-0123456789ab';
      const env = validateEnvironment({ name: 'p', kind: 'pingone', authBaseUrl: server.url, environmentId: envId }, 'e');
      const eps = await resolveEndpoints(env, http());
      assert.equal(eps.source, 'fallback');
      assert.equal(eps.token, `${server.url}/${envId}/as/token`);
      assert.equal(eps.flowsBase, `${server.url}/${envId}`);
      const pf = await resolveEndpoints(validateEnvironment({ name: 'pf', kind: 'pingfederate', issuer: server.url }, 'f'), http());
      assert.equal(pf.token, `${server.url}/as/token.oauth2`);
      assert.equal(pf.revocation, `${server.url}/as/revoke_token.oauth2`);
      const oidc = validateEnvironment({ name: 'o', kind: 'oidc', issuer: server.url }, 'o');
      assert.equal((await failure(resolveEndpoints(oidc, http()))).code, 'http_error');
    });

    it('rejects a discovery document for another issuer', async () => {
      server.route('/.well-known/openid-configuration', {
        kind: 'json',
        status: 200,
        body: { issuer: 'https://other.example', token_endpoint: 'https://other.example/t', authorization_endpoint: 'https://other.example/a' },
      });
      const env = validateEnvironment({ name: 'o', kind: 'oidc', issuer: server.url }, 'o');
      const err = await failure(discover(env, http()));
      assert.equal(err.code, 'invalid_issuer');
      assert.match(err.message, /names the issuer "https:\/\/other.example", but this environment's issuer is "http:\/\/127\.0\.0\.1:\d+"/);
    });
  });
});
