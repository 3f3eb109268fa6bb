/**
 * A refresh that meets a broken server changes nothing stored: a 503 HTML page, truncated JSON, a
 * 200 without access_token, a reset connection, a time-out. Uses a loopback fault server as an
 * OIDC issuer, since a real authorization server will not misbehave on demand.
 */
import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';
import { TokenService } from '../../src/core/service';
import { type Fault, type FaultServer, startFaultServer } from '../support/faultServer';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

describe('refresh against a faulty server', () => {
  let server: FaultServer;
  let secrets: MemorySecrets;
  let state: MemoryState;
  let service: TokenService;
  let tokenSetId: string;

  beforeEach(async () => {
    server = await startFaultServer();
    server.route('/.well-known/openid-configuration', {
      kind: 'json',
      status: 200,
      body: { issuer: server.url, authorization_endpoint: `${server.url}/authorize`, token_endpoint: `${server.url}/token` },
    });
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 300, refresh_token: 'rt-1', scope: 'openid' } });
    secrets = new MemorySecrets();
    state = new MemoryState();
    service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 300 }) });
    const env = await service.addEnvironment({ name: 'Faulty', kind: 'oidc', issuer: server.url });
    const app = await service.addApplication(env.id, { name: 'A', clientId: 'c', clientSecret: 's', authMethod: 'client_secret_post' });
    // A first refresh-capable set: exchange a code (the fault server accepts anything).
    tokenSetId = (await service.exchangeCode(app.id, { code: 'c1', redirectUri: 'http://127.0.0.1/callback' })).id;
  });
  afterEach(() => server.close());

  const faults: Array<[string, Fault, string]> = [
    ['a 503 HTML page', { kind: 'text', status: 503, contentType: 'text/html', body: '<html><title>Down</title></html>' }, 'http_error'],
    ['truncated JSON', { kind: 'text', status: 200, contentType: 'application/json', body: '{"access_token":"at-2","refresh_tok' }, 'invalid_response'],
    ['a 200 without access_token', { kind: 'json', status: 200, body: { token_type: 'Bearer', refresh_token: 'rt-2' } }, 'invalid_response'],
    ['a reset connection', { kind: 'reset' }, 'network'],
    ['no answer (time-out)', { kind: 'hang' }, 'timeout'],
    ['invalid_client', { kind: 'json', status: 401, body: { error: 'invalid_client' } }, 'invalid_client'],
  ];

  for (const [what, fault, code] of faults) {
    it(`keeps the stored token set unchanged on ${what} (${code})`, async () => {
      const before = secrets.snapshot();
      const indexBefore = service.listTokenSets();
      server.route('/token', fault);
      await assert.rejects(service.refresh(tokenSetId), (err: unknown) => err instanceof ExplorerError && err.code === code);
      assert.deepEqual(secrets.snapshot(), before);
      assert.deepEqual(service.listTokenSets(), indexBefore);
      assert.equal((await service.getTokenSet(tokenSetId)).refreshToken, 'rt-1');
    });
  }

  it('keeps the refresh token when the server returns none, replaces it when it returns one', async () => {
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'at-2', token_type: 'Bearer', expires_in: 300 } });
    await service.refresh(tokenSetId);
    assert.deepEqual([(await service.getTokenSet(tokenSetId)).accessToken, (await service.getTokenSet(tokenSetId)).refreshToken], ['at-2', 'rt-1']);
    server.route('/token', { kind: 'json', status: 200, body: { access_token: 'at-3', token_type: 'Bearer', refresh_token: 'rt-3' } });
    const writes = secrets.writes;
    await service.refresh(tokenSetId);
    assert.equal(secrets.writes - writes, 1, 'the new tokens are written in one go');
    assert.equal((await service.getTokenSet(tokenSetId)).refreshToken, 'rt-3');
    const refreshBody = new URLSearchParams(server.requests.filter((r) => r.path === '/token').pop()!.body);
    assert.equal(refreshBody.get('refresh_token'), 'rt-1', 'the stored refresh token was sent');
  });
});
