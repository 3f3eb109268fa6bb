/**
 * The choose-refresh-return path every integration shares (authentication provider sessions,
 * ${command:pingone.accessToken}, the API's getAccessToken), with the real token service over
 * in-memory stores, the sandbox on loopback and an injected clock.
 */
import assert from 'node:assert/strict';
import { ExplorerError } from '../../src/core/errors';
import { TokenService } from '../../src/core/service';
import { accountOf, freshAccessToken, matches, parseScopes } from '../../src/integrations/tokenAccess';
import { type Sandbox, startSandbox } from '../sandbox';
import { MemorySecrets, MemoryState } from '../support/memoryStores';

describe('token access (choose, refresh, return)', () => {
  let sandbox: Sandbox;
  let service: TokenService;
  let clock: number;
  const now = () => clock;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => {
    clock = Date.now();
    service = new TokenService({ state: new MemoryState(), secrets: new MemorySecrets(), http: () => ({ timeoutMs: 5000 }), now });
    sandbox.resetStats();
  });

  async function setup() {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const worker = await service.addApplication(env.id, {
      name: 'Worker',
      clientId: sandbox.clients.worker.clientId,
      clientSecret: sandbox.clients.worker.clientSecret,
      authMethod: 'client_secret_basic',
    });
    const poster = await service.addApplication(env.id, {
      name: 'Poster',
      clientId: sandbox.clients.post.clientId,
      clientSecret: sandbox.clients.post.clientSecret,
      authMethod: 'client_secret_post',
    });
    return { env, worker, poster };
  }

  it('splits pseudo-scopes from real ones', () => {
    assert.deepEqual(parseScopes(['client:abc', 'openid profile', 'app:a1', 'env:e1']), {
      scopes: ['openid', 'profile'],
      clientId: 'abc',
      applicationId: 'a1',
      environmentId: 'e1',
    });
    assert.deepEqual(parseScopes(undefined), { scopes: [] });
  });

  it("matches by client ID, application, environment (ours or PingOne's ID) and granted scopes", async () => {
    const { env, worker, poster } = await setup();
    const w = await service.clientCredentials(worker.id, { scope: 'p1:read:user' });
    const p = await service.clientCredentials(poster.id);
    const pick = (scopes: string[]) =>
      service
        .listTokenSets()
        .filter((t) => matches(service, t, parseScopes(scopes)))
        .map((t) => t.id)
        .sort();
    assert.deepEqual(pick([`client:${sandbox.clients.worker.clientId}`]), [w.id]);
    assert.deepEqual(pick([`app:${poster.id}`]), [p.id]);
    assert.deepEqual(pick([`env:${env.id}`]), [w.id, p.id].sort());
    assert.deepEqual(pick([`env:${sandbox.envId}`]), [w.id, p.id].sort());
    assert.deepEqual(pick(['env:someone-else']), []);
    const granted = TokenService.scopes(w.scope);
    assert.ok(granted.length > 0, 'the worker was granted scopes');
    assert.deepEqual(pick([`app:${worker.id}`, ...granted]), [w.id]);
    assert.deepEqual(pick([`app:${worker.id}`, 'never:granted']), []);
  });

  it('returns a valid token as it is, without a request', async () => {
    const { worker } = await setup();
    const info = await service.clientCredentials(worker.id);
    sandbox.resetStats();
    const got = await freshAccessToken(service, { applicationId: worker.id }, now);
    assert.equal(got.tokenSetId, info.id);
    assert.equal(got.accessToken, (await service.getTokenSet(info.id)).accessToken);
    assert.equal(got.tokenType, 'Bearer');
    assert.equal(sandbox.stats().tokenRequests, 0);
  });

  it('refreshes first when the token expires within minValiditySeconds, and when it has expired', async () => {
    const { worker } = await setup();
    const info = await service.clientCredentials(worker.id);
    const before = (await service.getTokenSet(info.id)).accessToken;
    clock = info.expiresAt! - 30_000; // 30 s left, 60 s wanted
    const soon = await freshAccessToken(service, { tokenSetId: info.id, minValiditySeconds: 60 }, now);
    assert.notEqual(soon.accessToken, before);
    assert.equal(soon.accessToken, (await service.getTokenSet(info.id)).accessToken, 'the refreshed token was stored');
    assert.equal(service.listTokenSets().length, 1, 'refreshed in place');
    clock = soon.expiresAt! + 1000;
    assert.equal(service.getTokenSetInfo(info.id).status, 'expired');
    const expired = await freshAccessToken(service, { tokenSetId: info.id }, now);
    assert.notEqual(expired.accessToken, soon.accessToken);
    assert.equal(service.getTokenSetInfo(info.id).status, 'valid');
  });

  it("shares one refresh between concurrent callers (the service's single flight)", async () => {
    const { worker } = await setup();
    const info = await service.clientCredentials(worker.id);
    clock = info.expiresAt! + 1000;
    sandbox.resetStats();
    const [a, b] = await Promise.all([freshAccessToken(service, { tokenSetId: info.id }, now), freshAccessToken(service, { applicationId: worker.id }, now)]);
    assert.equal(a.accessToken, b.accessToken);
    assert.equal(sandbox.stats().tokenRequests, 1);
  });

  it('refuses a revoked set, a missing scope and an unknown application with a message that says what to do', async () => {
    const { worker } = await setup();
    const info = await service.clientCredentials(worker.id);
    await service.revoke(info.id);
    const revoked = await freshAccessToken(service, { tokenSetId: info.id }, now).catch((e: unknown) => e);
    assert.ok(revoked instanceof ExplorerError);
    assert.match(revoked.message, /Worker was revoked: get a new token/);
    const none = await freshAccessToken(service, { applicationId: worker.id, scope: 'never:granted' }, now).catch((e: unknown) => e);
    assert.match(String((none as Error).message), /no usable token with the scope "never:granted"/);
    const unknown = await freshAccessToken(service, { applicationId: 'nope' }, now).catch((e: unknown) => e);
    assert.equal((unknown as ExplorerError).field, 'applicationId');
    assert.ok((await service.getTokenSet(info.id)).accessToken, 'nothing stored was lost');
  });

  it('names the account: the application and environment for client credentials', async () => {
    const { worker } = await setup();
    const info = await service.clientCredentials(worker.id);
    assert.deepEqual(accountOf(service, await service.getTokenSet(info.id)), { id: worker.id, label: 'Worker · Sandbox' });
  });
});
