/**
 * Endpoint-origin pinning (issue #10, finding 6a): a PingOne or PingFederate discovery document
 * that points an endpoint at another origin is refused before the client secret goes anywhere; a
 * generic OIDC provider may split hosts, and its differing origins are named.
 */
import assert from 'node:assert/strict';
import type { Endpoints } from '../../src/core/endpoints';
import { ExplorerError } from '../../src/core/errors';
import { foreignOrigins, pinEndpointOrigins } from '../../src/core/origins';
import { TokenService } from '../../src/core/service';
import { type FaultServer, startFaultServer } from '../support/faultServer';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

const ENV_ID = 'a1b2c3d4-0000-4000-8000-0000000000aa';

describe('endpoint origins', () => {
  let issuer: FaultServer;
  let rogue: FaultServer;
  beforeEach(async () => {
    issuer = await startFaultServer();
    rogue = await startFaultServer();
    rogue.route('/token', { kind: 'json', status: 200, body: { access_token: 'stolen', token_type: 'Bearer' } });
  });
  afterEach(async () => {
    await issuer.close();
    await rogue.close();
  });

  function discovery(as: string, overrides: Record<string, string>) {
    return {
      kind: 'json' as const,
      status: 200,
      body: { issuer: as, authorization_endpoint: `${as}/authorize`, token_endpoint: `${as}/token`, jwks_uri: `${as}/jwks`, ...overrides },
    };
  }

  it('refuses a PingOne discovery that moves the token endpoint to another origin; the secret goes nowhere', async () => {
    const as = `${issuer.url}/${ENV_ID}/as`;
    issuer.route(`/${ENV_ID}/as/.well-known/openid-configuration`, discovery(as, { token_endpoint: `${rogue.url}/token` }));
    const service = new TokenService({ state: new MemoryState(), secrets: new MemorySecrets(), http: () => ({ timeoutMs: 5000 }) });
    const env = await service.addEnvironment({ name: 'Tenant', kind: 'pingone', environmentId: ENV_ID, authBaseUrl: issuer.url });
    const app = await service.addApplication(env.id, { name: 'Worker', clientId: 'w', clientSecret: 'worker-secret-value' });
    await assert.rejects(service.clientCredentials(app.id), (err: unknown) => {
      assert.ok(err instanceof ExplorerError && err.code === 'invalid_response', String(err));
      assert.match(err.message, new RegExp(`names the token endpoint at ${rogue.url.replace(/[.]/g, '\\.')}, not the issuer's origin.*PingOne serves every endpoint`));
      return true;
    });
    assert.deepEqual(rogue.requests, []);
  });

  it('applies to PingFederate, not to a generic OIDC provider, whose differing origins are named', () => {
    const endpoints: Endpoints = {
      issuer: 'https://login.example.com/tenant',
      authorization: 'https://login.example.com/tenant/authorize',
      token: 'https://tokens.example.net/tenant/token',
      jwks: 'https://keys.example.org/jwks',
      source: 'discovery',
    };
    const env = (kind: 'pingfederate' | 'oidc') => ({ id: 'e', name: 'E', kind, issuer: endpoints.issuer });
    assert.throws(() => pinEndpointOrigins(env('pingfederate'), endpoints), /PingFederate serves every endpoint/);
    assert.equal(pinEndpointOrigins(env('oidc'), endpoints), endpoints);
    assert.deepEqual(foreignOrigins(endpoints), [
      { endpoint: 'token endpoint', origin: 'https://tokens.example.net' },
      { endpoint: 'JWKS URI', origin: 'https://keys.example.org' },
    ]);
    assert.doesNotThrow(() => pinEndpointOrigins(env('pingfederate'), { ...endpoints, token: 'https://login.example.com/as/token.oauth2', jwks: undefined }));
  });

  it('asks once per issuer and host before a generic OIDC provider gets secrets on another host, remembering the answer on this machine', async () => {
    const tokens = rogue; // the "other host" of this provider
    issuer.route('/.well-known/openid-configuration', discovery(issuer.url, { token_endpoint: `${tokens.url}/token` }));
    const asked: string[] = [];
    let answer = false;
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    const make = () =>
      new TokenService({
        state,
        secrets,
        http: () => ({ timeoutMs: 5000 }),
        confirmOrigins: async (_env, foreign) => (asked.push(foreign.map((f) => `${f.endpoint} ${f.origin}`).join()), answer),
      });
    const service = make();
    const env = await service.addEnvironment({ name: 'Generic', kind: 'oidc', issuer: issuer.url });
    const app = await service.addApplication(env.id, { name: 'App', clientId: 'app', clientSecret: 'generic-secret-value', grants: ['client_credentials'] });
    await assert.rejects(service.clientCredentials(app.id), (err: unknown) => err instanceof ExplorerError && err.code === 'cancelled');
    assert.deepEqual(asked, [`token endpoint ${tokens.url}`]);
    assert.deepEqual(tokens.requests, [], 'declined: nothing was sent');
    answer = true;
    await service.clientCredentials(app.id);
    await service.clientCredentials(app.id);
    await make().clientCredentials(app.id); // a reloaded window: still accepted
    assert.equal(asked.length, 2);
    assert.equal(tokens.requests.length, 3);
    assert.ok(!state.data.has('pte.v1.environments') || !state.data.get('pte.v1.environments')!.includes(tokens.url), 'the answer is not in the synced lists');
  });
});
