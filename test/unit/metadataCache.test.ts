/**
 * Discovery documents and key sets kept in the state store across windows and restarts. A
 * "restart" is a fresh TokenService over the same stores; requests are counted from the HTTP
 * layer's own log, so every request the extension makes is seen. The clock is injected.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { RequestLogEntry } from '../../src/core/http';
import { DISCOVERY_MAX_AGE_MS, JWKS_MAX_AGE_MS, PersistedCache, cacheMaxAgeMs } from '../../src/core/metadataCache';
import { KEYS, TokenService } from '../../src/core/service';
import { JwksCache } from '../../src/core/verify';
import { type Sandbox, startSandbox } from '../sandbox';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { sandboxBrowser } from '../support/serviceSuite';

describe('discovery and key sets kept across restarts', () => {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let clock: number;
  let requests: RequestLogEntry[];

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(() => {
    state = new MemoryState();
    secrets = new MemorySecrets();
    clock = Date.now();
    requests = [];
  });

  /** A new window (or the first after a restart): nothing in memory, the same stores. */
  const window = () => new TokenService({ state, secrets, now: () => clock, http: () => ({ timeoutMs: 5000, log: (e) => requests.push(e) }) });

  async function workerApp(service: TokenService) {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const c = sandbox.clients.worker;
    return service.addApplication(env.id, { name: 'w', clientId: c.clientId, clientSecret: c.clientSecret, authMethod: c.authMethod });
  }

  it('after a restart, the first client-credentials token costs exactly one request', async () => {
    const app = await workerApp(window());
    await window().clientCredentials(app.id);
    assert.deepEqual(
      requests.map((r) => r.url.replace(sandbox.url, '')),
      [`/${sandbox.envId}/as/.well-known/openid-configuration`, `/${sandbox.envId}/as/token`],
    );
    requests = [];
    await window().clientCredentials(app.id);
    assert.deepEqual(
      requests.map((r) => r.url.replace(sandbox.url, '')),
      [`/${sandbox.envId}/as/token`],
    );
  });

  it('discovers again once the kept document is older than its 24 h default', async () => {
    const app = await workerApp(window());
    await window().clientCredentials(app.id);
    clock += DISCOVERY_MAX_AGE_MS;
    requests = [];
    await window().clientCredentials(app.id);
    assert.equal(requests.length, 2);
  });

  it('after a restart, a refresh with an ID token costs one request: the key set is kept too', async () => {
    const first = window();
    const env = await first.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const c = sandbox.clients.web;
    const app = await first.addApplication(env.id, {
      name: 'web',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authMethod: c.authMethod,
      scopes: 'openid profile',
    });
    const info = await first.signIn(app.id, {
      openExternal: sandboxBrowser(sandbox),
    });
    assert.ok((await first.getTokenSet(info.id)).idToken);
    assert.ok(requests.some((r) => r.url.endsWith('/jwks')));
    requests = [];
    const refreshed = await window().refresh(info.id);
    assert.equal(refreshed.status, 'valid');
    assert.deepEqual(
      requests.map((r) => r.url.replace(sandbox.url, '')),
      [`/${sandbox.envId}/as/token`],
    );
  });

  it("a user's Refresh forgets the kept documents", async () => {
    const app = await workerApp(window());
    await window().clientCredentials(app.id);
    assert.ok(state.get(KEYS.discoveryCache));
    const service = window();
    service.reload();
    assert.equal(state.get(KEYS.discoveryCache), undefined);
    requests = [];
    await service.clientCredentials(app.id);
    assert.equal(requests.length, 2);
  });

  it('keeps nothing that could be secret: only public metadata goes to the state store', async () => {
    const app = await workerApp(window());
    const info = await window().clientCredentials(app.id);
    const set = await window().getTokenSet(info.id);
    const stored = JSON.stringify([...state.data.values()]);
    assert.ok(!stored.includes(set.accessToken) && !stored.includes(sandbox.clients.worker.clientSecret!));
  });
});

describe('key sets: Cache-Control and unknown keys', () => {
  let server: Server;
  let url: string;
  let served: { keys: unknown[] };
  let cacheControl: string | undefined;
  let fetches: number;
  let clock: number;

  before(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json', ...(cacheControl ? { 'cache-control': cacheControl } : {}) });
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(async () => {
    const { publicKey } = await generateKeyPair('RS256');
    served = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
    cacheControl = undefined;
    fetches = 0;
    clock = 1_000_000;
  });

  const cacheOver = (state: MemoryState) =>
    new JwksCache(
      () => ({ timeoutMs: 5000 }),
      new PersistedCache(state, KEYS.jwksCache, () => clock),
      () => clock,
    );

  it('honours max-age: reused by a new window until it runs out, then fetched again', async () => {
    cacheControl = 'public, max-age=120';
    const state = new MemoryState();
    await cacheOver(state).get(url);
    await cacheOver(state).get(url);
    assert.equal(fetches, 1);
    clock += 120_000;
    await cacheOver(state).get(url);
    assert.equal(fetches, 2);
  });

  it('defaults to one hour without Cache-Control, and keeps nothing on disk for no-store', async () => {
    const state = new MemoryState();
    await cacheOver(state).get(url);
    clock += JWKS_MAX_AGE_MS - 1;
    await cacheOver(state).get(url);
    assert.equal(fetches, 1);
    cacheControl = 'no-store';
    clock += 1;
    const cache = cacheOver(state);
    await cache.get(url);
    await cache.get(url);
    assert.equal(fetches, 2, 'this window still reuses it');
    await cacheOver(state).get(url);
    assert.equal(fetches, 3, 'but no other window finds it');
  });

  it('fetches once more, and stores the new set, for a key the kept set lacks', async () => {
    const state = new MemoryState();
    await cacheOver(state).get(url);
    served = { keys: [...served.keys, { ...(served.keys[0] as object), kid: 'k2' }] };
    const cache = cacheOver(state);
    assert.equal((await cache.get(url)).keys.length, 1);
    assert.equal((await cache.get(url, true)).keys.length, 2);
    assert.equal((await cacheOver(state).get(url)).keys.length, 2);
    assert.equal(fetches, 2);
  });

  it('reads max-age from Cache-Control', () => {
    assert.equal(cacheMaxAgeMs(null, 5), 5);
    assert.equal(cacheMaxAgeMs('public, max-age=300', 5), 300_000);
    assert.equal(cacheMaxAgeMs('Max-Age=0', 5), 0);
    assert.equal(cacheMaxAgeMs('no-store, max-age=300', 5), 0);
    assert.equal(cacheMaxAgeMs('private', 5), 5);
  });
});

describe('kept endpoints that moved', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  it('a request to a kept endpoint that fails discovers again once and retries at the new endpoint', async () => {
    const state = new MemoryState();
    const secrets = new MemorySecrets();
    let requests: RequestLogEntry[] = [];
    const window = () => new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000, log: (e) => requests.push(e) }) });
    const first = window();
    const env = await first.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const c = sandbox.clients.worker;
    const app = await first.addApplication(env.id, { name: 'w', clientId: c.clientId, clientSecret: c.clientSecret, authMethod: c.authMethod });
    await first.clientCredentials(app.id);
    // The kept document names a token endpoint that is gone (the server moved it since).
    const kept = state.get<Record<string, { value: { token: string } }>>(KEYS.discoveryCache)!;
    const [id] = Object.keys(kept);
    kept[id].value.token = `${sandbox.url}/${sandbox.envId}/as/moved-away`;
    await state.update(KEYS.discoveryCache, kept);
    requests = [];
    const info = await window().clientCredentials(app.id);
    assert.equal(info.status, 'valid');
    assert.deepEqual(
      requests.map((r) => `${r.url.replace(sandbox.url, '')} ${r.status}`),
      [`/${sandbox.envId}/as/moved-away 404`, `/${sandbox.envId}/as/.well-known/openid-configuration 200`, `/${sandbox.envId}/as/token 200`],
    );
    assert.equal(state.get<Record<string, { value: { token: string } }>>(KEYS.discoveryCache)![id].value.token, `${sandbox.url}/${sandbox.envId}/as/token`);
  });
});
