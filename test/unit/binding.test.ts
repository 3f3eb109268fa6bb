/**
 * Secrets bound to their issuer (issue #10, finding 1): a client secret, a refresh token or an
 * access token is never sent to a server other than the one it was created for, whether the
 * environment was edited or Settings Sync brought a changed environment or application list. The
 * real sandbox issues the tokens; a rogue loopback server records whatever reaches it.
 */
import assert from 'node:assert/strict';
import { decodeClientSecret } from '../../src/core/binding';
import { KEYS, TokenService } from '../../src/core/service';
import { type Sandbox, startSandbox } from '../sandbox';
import { type FaultServer, startFaultServer } from '../support/faultServer';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { sandboxBrowser } from '../support/serviceSuite';
import { failure } from '../support/failure';

/** A rogue issuer: valid discovery naming itself, a token endpoint that records and refuses. */
async function rogueIssuer(): Promise<FaultServer> {
  const rogue = await startFaultServer();
  rogue.route('/.well-known/openid-configuration', {
    kind: 'json',
    status: 200,
    body: {
      issuer: rogue.url,
      authorization_endpoint: `${rogue.url}/authorize`,
      token_endpoint: `${rogue.url}/token`,
      introspection_endpoint: `${rogue.url}/introspect`,
      revocation_endpoint: `${rogue.url}/revoke`,
      userinfo_endpoint: `${rogue.url}/userinfo`,
    },
  });
  for (const path of ['/token', '/introspect', '/revoke', '/userinfo']) rogue.route(path, { kind: 'json', status: 400, body: { error: 'invalid_request' } });
  return rogue;
}

describe('secrets bound to their issuer', function () {
  let sandbox: Sandbox;
  let rogue: FaultServer;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());

  beforeEach(async () => {
    rogue = await rogueIssuer();
    state = new MemoryState();
    secrets = new MemorySecrets();
    service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000 }) });
  });
  afterEach(() => rogue.close());

  /** A PingOne sandbox environment with a worker token set and a signed-in web token set (refresh token). */
  async function stored() {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const worker = await service.addApplication(env.id, { name: 'Worker', ...sandbox.clients.worker });
    const web = await service.addApplication(env.id, { name: 'Web', ...sandbox.clients.web, scopes: 'openid profile' });
    const cc = await service.clientCredentials(worker.id);
    const signedIn = await service.signIn(web.id, {
      openExternal: sandboxBrowser(sandbox),
    });
    return { env, worker, web, cc, signedIn };
  }

  /** Every value that must never reach the rogue server. */
  async function secretValues(ids: string[]): Promise<string[]> {
    const out = [sandbox.clients.worker.clientSecret!, sandbox.clients.web.clientSecret!];
    for (const id of ids) {
      const set = await service.getTokenSet(id);
      out.push(set.accessToken, ...(set.refreshToken ? [set.refreshToken] : []));
    }
    for (const s of [sandbox.clients.worker, sandbox.clients.web]) out.push(Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64'));
    return out;
  }

  function assertNothingSecretReached(values: string[]): void {
    for (const r of rogue.requests) {
      const seen = `${JSON.stringify(r.headers)} ${r.body} ${r.path}`;
      for (const v of values) assert.ok(!seen.includes(v), `a secret reached the rogue server in ${r.method} ${r.path}`);
    }
    assert.deepEqual(
      rogue.requests.filter((r) => r.method !== 'GET' || r.path !== '/.well-known/openid-configuration').map((r) => `${r.method} ${r.path}`),
      [],
      'only discovery may reach the rogue issuer',
    );
  }

  it('refuses every call when Settings Sync brings a changed issuer, and changes nothing stored', async () => {
    const { env, worker, cc, signedIn } = await stored();
    const values = await secretValues([cc.id, signedIn.id]);
    // What Settings Sync does: the environment list is replaced; the secrets stay as they were.
    const synced = state
      .get<Array<Record<string, unknown>>>(KEYS.environments)!
      .map((e) => (e.id === env.id ? { id: e.id, name: e.name, kind: 'oidc', issuer: rogue.url } : e));
    await state.update(KEYS.environments, synced);
    service.reload();
    const before = secrets.snapshot();

    for (const call of [
      () => service.clientCredentials(worker.id),
      () => service.refresh(cc.id),
      () => service.refresh(signedIn.id),
      () => service.revoke(signedIn.id),
      () => service.introspect(signedIn.id, { token: 'refresh_token' }),
      () => service.userinfo(signedIn.id),
    ]) {
      const err = await failure(call());
      assert.equal(err.code, 'issuer_changed', err.message);
      assert.match(err.message, new RegExp(`belongs to the issuer ${sandbox.pingone.issuer.replace(/[.]/g, '\\.')}.*Settings Sync.*not sent`));
    }
    assertNothingSecretReached(values);
    assert.deepEqual(secrets.snapshot(), before);
    assert.equal(service.listTokenSets().find((t) => t.id === signedIn.id)?.status, 'valid', 'a refused call marks nothing');
  });

  it('refuses when a synced application list moves an application to another environment', async () => {
    const { worker } = await stored();
    const values = await secretValues([]);
    const other = await service.addEnvironment({ name: 'Other', kind: 'oidc', issuer: rogue.url });
    const apps = state.get<Array<Record<string, unknown>>>(KEYS.applications)!.map((a) => (a.id === worker.id ? { ...a, environmentId: other.id } : a));
    await state.update(KEYS.applications, apps);
    assert.equal((await failure(service.clientCredentials(worker.id))).code, 'issuer_changed');
    assertNothingSecretReached(values);
  });

  it('drops the client secrets and token sets when the issuer is changed through the service', async () => {
    const { env, worker, web } = await stored();
    const values = await secretValues(service.listTokenSets().map((t) => t.id));
    await service.updateEnvironment(env.id, { name: 'Sandbox', kind: 'oidc', issuer: rogue.url });
    assert.deepEqual(service.listTokenSets(), []);
    assert.equal(await service.hasClientSecret(worker.id), false);
    assert.equal(await service.hasClientSecret(web.id), false);
    assert.deepEqual([...secrets.data.keys()], []);
    const err = await failure(service.clientCredentials(worker.id));
    assert.match(err.message, /no client secret stored: edit the application and enter its secret/);
    assertNothingSecretReached(values);
    // A secret entered again is bound to the new issuer and sent there.
    await service.updateApplication(worker.id, { name: 'Worker', ...sandbox.clients.worker, clientSecret: 'entered-for-the-new-issuer' });
    assert.equal((await failure(service.clientCredentials(worker.id))).code, 'invalid_request');
    assert.equal(rogue.requests.filter((r) => r.path === '/token').length, 1);
  });

  it('keeps the secrets when only the name changes', async () => {
    const { env, worker, cc } = await stored();
    await service.updateEnvironment(env.id, { name: 'Renamed', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    assert.equal(await service.hasClientSecret(worker.id), true);
    assert.equal((await service.refresh(cc.id)).status, 'valid');
  });

  it('refuses when discovery moves the token endpoint to another origin for the same issuer', async () => {
    const issuer = await startFaultServer();
    try {
      const discovery = (token: string) => ({
        kind: 'json' as const,
        status: 200,
        body: { issuer: issuer.url, authorization_endpoint: `${issuer.url}/authorize`, token_endpoint: token },
      });
      issuer.route('/.well-known/openid-configuration', discovery(`${issuer.url}/token`));
      issuer.route('/token', { kind: 'json', status: 200, body: { access_token: 'opaque-access-token-1', token_type: 'Bearer', expires_in: 60 } });
      const env = await service.addEnvironment({ name: 'Generic', kind: 'oidc', issuer: issuer.url });
      const app = await service.addApplication(env.id, { name: 'App', clientId: 'app', clientSecret: 'generic-secret-value', grants: ['client_credentials'] });
      const set = await service.clientCredentials(app.id);
      issuer.route('/.well-known/openid-configuration', discovery(`${rogue.url}/token`));
      service.reload();
      const err = await failure(service.clientCredentials(app.id));
      assert.equal(err.code, 'issuer_changed');
      assert.match(err.message, new RegExp(`token endpoint at ${issuer.url.replace(/[.]/g, '\\.')}.*now names ${rogue.url.replace(/[.]/g, '\\.')}`));
      assert.equal((await failure(service.refresh(set.id))).code, 'issuer_changed');
      assert.equal(rogue.requests.length, 0);
    } finally {
      await issuer.close();
    }
  });

  it('binds a secret stored before bindings existed on its first use', async () => {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const worker = await service.addApplication(env.id, { name: 'Worker', ...sandbox.clients.worker });
    await secrets.store(KEYS.clientSecret(worker.id), sandbox.clients.worker.clientSecret!); // the 0.1 layout
    assert.equal((await service.clientCredentials(worker.id)).status, 'valid');
    const { secret, binding } = decodeClientSecret((await secrets.get(KEYS.clientSecret(worker.id)))!);
    assert.equal(secret, sandbox.clients.worker.clientSecret);
    assert.deepEqual(binding, { issuer: sandbox.pingone.issuer, tokenOrigin: new URL(sandbox.pingone.issuer).origin });
  });
});
