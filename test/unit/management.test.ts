// Browse, import and sync from a PingOne tenant, against the sandbox's management API (real HTTP on
// loopback, tokens from the sandbox's authorization server) and the token service over in-memory stores.
import assert from 'node:assert/strict';
import { decodeClientSecret } from '../../src/core/binding';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManagementError, listApplications, listEnvironments, readApplicationSecret } from '../../src/core/management/client';
import { browseTenant, importApplications, syncApplication } from '../../src/core/management/tenant';
import { KEYS, type TokenService } from '../../src/core/service';
import type { Sandbox } from '../sandbox';
import { SECOND_ENV_ID } from '../sandbox/management';
import { type MemorySecrets, type MemoryState } from '../support/memoryStores';
import { useSandboxAndService } from '../support/serviceSuite';

describe('PingOne management API: browse, import, sync', () => {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);

  useSandboxAndService((p) => ({ sandbox, state, secrets, service } = p));
  beforeEach(() => {
    sleeps.length = 0;
  });

  async function worker(client: 'worker' | 'workerLimited' = 'worker') {
    const env = await service.addEnvironment({
      name: 'Sandbox',
      kind: 'pingone',
      environmentId: sandbox.envId,
      authBaseUrl: sandbox.pingone.authBase,
      apiBaseUrl: sandbox.management.apiBase,
    });
    const c = sandbox.clients[client];
    return service.addApplication(env.id, {
      name: 'Worker',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authMethod: 'client_secret_basic',
      grants: ['client_credentials'],
    });
  }

  async function call() {
    const app = await worker();
    const set = await service.clientCredentials(app.id);
    return { apiBase: sandbox.management.apiBase, accessToken: (await service.getTokenSet(set.id)).accessToken, http: { timeoutMs: 5000 }, sleep };
  }

  it('lists environments and follows _links.next through every page of applications', async () => {
    const c = await call();
    const envs = await listEnvironments(c);
    assert.deepEqual(
      envs.map((e) => [e.id, e.region, e.type]),
      [
        [sandbox.envId, 'NA', 'SANDBOX'],
        [SECOND_ENV_ID, 'EU', 'PRODUCTION'],
      ],
    );
    const before = sandbox.management.requests().length;
    const apps = await listApplications(c, sandbox.envId);
    assert.equal(apps.length, 11);
    assert.equal(new Set(apps.map((a) => a.id)).size, 11);
    assert.equal(sandbox.management.requests().length - before, 3, 'three pages of four');
  });

  it('maps platform errors to typed errors with the message, targets and correlation ID', async () => {
    const c = await call();
    await assert.rejects(listApplications({ ...c, accessToken: 'not-a-token' }, sandbox.envId), (err: unknown) => {
      assert.ok(err instanceof ManagementError);
      assert.equal(err.code, 'ACCESS_FAILED');
      assert.equal(err.status, 401);
      assert.ok(err.has('INVALID_TOKEN'));
      assert.match(err.message, /correlation ID [0-9a-f-]{36}/);
      assert.ok(!err.message.includes('not-a-token'));
      return true;
    });
    await assert.rejects(
      listApplications(c, 'a1b2c3d4-0000-4000-8000-0000000000ff'),
      (err: unknown) => err instanceof ManagementError && err.code === 'NOT_FOUND' && err.status === 404,
    );
  });

  it('honours Retry-After once on 429, then reports REQUEST_LIMITED', async () => {
    const c = await call();
    sandbox.management.limitNextRequest(7);
    assert.equal((await listEnvironments(c)).length, 2);
    assert.deepEqual(sleeps, [7000]);

    // A server that keeps limiting: one wait, then the error.
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res
        .writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '2' })
        .end(JSON.stringify({ id: 'c0ffee00-0000-4000-8000-000000000001', code: 'REQUEST_LIMITED', message: 'Too many requests.' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      await assert.rejects(
        listEnvironments({ ...c, apiBase }),
        (err: unknown) => err instanceof ManagementError && err.code === 'REQUEST_LIMITED' && /Too many requests.*c0ffee00/.test(err.message),
      );
      assert.equal(hits, 2);
      assert.deepEqual(sleeps, [7000, 2000]);
    } finally {
      server.close();
    }
  });

  it('never sends the token to a next link on another host', async () => {
    const server = createServer((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ _embedded: { environments: [] }, _links: { next: { href: 'https://evil.example/v1/environments?cursor=1' } } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      await assert.rejects(listEnvironments({ apiBase, accessToken: 't', http: { timeoutMs: 2000 } }), /another host \(evil\.example\)/);
    } finally {
      server.close();
    }
  });

  it('reads a secret, and a rotated one with its previous secret and expiry', async () => {
    const c = await call();
    assert.deepEqual(await readApplicationSecret(c, sandbox.envId, sandbox.clients.web.clientId), { secret: sandbox.clients.web.clientSecret });
  });

  it('browses the tenant with one worker token: types, auth methods, PKCE, PAR, importable and imported', async () => {
    const app = await worker();
    const { environments } = await browseTenant(service, app.id);
    assert.deepEqual(
      environments.map((e) => [e.name, e.region, e.type, e.applications.length]),
      [
        ['Sandbox', 'NA', 'SANDBOX', 11],
        ['Sandbox production', 'EU', 'PRODUCTION', 1],
      ],
    );
    const byName = Object.fromEntries(environments[0]!.applications.map((a) => [a.name, a]));
    assert.equal(byName['Sandbox worker']!.importedAs, app.id, 'the worker itself is already imported');
    assert.deepEqual(
      [byName['Sandbox web app']!.type, byName['Sandbox web app']!.pkceEnforcement, byName['Sandbox web app']!.importable],
      ['WEB_APP', 'S256_REQUIRED', true],
    );
    assert.deepEqual([byName['Payroll (SAML)']!.importable, byName['Payroll (SAML)']!.reason], [false, 'a SAML application, not OpenID Connect']);
    assert.equal(byName['Handbook link']!.importable, false);
    assert.equal(byName['Basic web app (PAR required)']!.parRequirement, 'REQUIRED');
    const jwt = byName['Secret JWT web app']!;
    assert.equal(jwt.tokenEndpointAuthMethod, 'CLIENT_SECRET_JWT');
    if (!jwt.importable) assert.match(jwt.reason!, /CLIENT_SECRET_JWT is not supported .* yet/);
    assert.equal(service.listTokenSets(app.id).length, 1, 'one worker token for the whole browse');
    await browseTenant(service, app.id);
    assert.equal(service.listTokenSets(app.id).length, 1, 'and reused by the next');
  });

  it('imports applications with their secrets into SecretStorage; auth methods, grants, redirect URIs and PAR mapped', async () => {
    const app = await worker();
    const ids = [sandbox.clients.web.clientId, sandbox.clients.post.clientId, sandbox.clients.native.clientId, 'a1b2c3d4-0000-4000-8000-00000000a004'];
    const imported = await importApplications(service, app.id, { environmentId: sandbox.envId, applicationIds: ids });
    assert.equal(service.listEnvironments().length, 1, 'the worker environment is reused');
    assert.deepEqual(
      imported.map((i) => [i.application.name, i.application.authMethod, i.application.grants, i.application.redirectUri, i.secretProblem]),
      [
        ['Sandbox web app', 'client_secret_basic', ['authorization_code'], 'http://127.0.0.1/callback', undefined],
        ['Sandbox post app', 'client_secret_post', ['client_credentials', 'authorization_code'], 'http://127.0.0.1/callback', undefined],
        ['Sandbox native app', 'none', ['authorization_code'], 'http://127.0.0.1/callback', undefined],
        ['Basic web app (PAR required)', 'client_secret_basic', ['authorization_code'], 'http://127.0.0.1:7007/callback', undefined],
      ],
    );
    assert.match(imported[3]!.notes.join(' '), /requires pushed authorization requests \(PAR\)/);
    assert.match(imported[3]!.notes.join(' '), /Other redirect URIs: http:\/\/localhost:7008\/cb/);
    assert.match(imported[0]!.notes.join(' '), /Other redirect URIs: https:\/\/app\.example\.com\/callback/);
    const web = imported[0]!.application;
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret(web.id)) ?? '').secret, sandbox.clients.web.clientSecret);
    assert.ok(![...state.data.values()].join('').includes(sandbox.clients.web.clientSecret!), 'no secret in the state store');
    // The imported confidential client really works.
    assert.equal((await service.clientCredentials(imported[1]!.application.id)).status, 'valid');

    const again = await importApplications(service, app.id, { environmentId: sandbox.envId, applicationIds: ids });
    assert.deepEqual(
      again.map((i) => i.application.id),
      imported.map((i) => i.application.id),
      'no duplicates',
    );
  });

  it("creates the environment for another tenant environment with the auth base like the worker's", async () => {
    const app = await worker();
    const [imported] = await importApplications(service, app.id, { environmentId: SECOND_ENV_ID, applicationIds: ['a1b2c3d4-0000-4000-8000-00000000b001'] });
    const env = service.getEnvironment(imported!.application.environmentId);
    assert.deepEqual(
      [env.name, env.environmentId, env.authBaseUrl, env.apiBaseUrl],
      ['Sandbox production', SECOND_ENV_ID, sandbox.pingone.authBase, sandbox.management.apiBase],
    );
    assert.equal(imported!.application.authMethod, 'client_secret_post');
  });

  it('imports without the secret when the worker lacks the role, or asks for its own, and says which', async () => {
    const limited = await worker('workerLimited');
    const [web] = await importApplications(service, limited.id, { environmentId: sandbox.envId, applicationIds: [sandbox.clients.web.clientId] });
    assert.match(web!.secretProblem!, /lacks the applications:read:secret permission .*Environment Admin or Client Application Developer/);
    assert.equal(await service.hasClientSecret(web!.application.id), false);
    const [self] = await importApplications(service, limited.id, { environmentId: sandbox.envId, applicationIds: [sandbox.clients.workerLimited.clientId] });
    assert.equal(self!.application.id, limited.id, 'the worker itself is updated, not duplicated');
    assert.match(self!.secretProblem!, /does not let a worker application read its own secret/);
    assert.equal(await service.hasClientSecret(limited.id), true, 'its stored secret is kept');
    await assert.rejects(
      importApplications(service, limited.id, { environmentId: sandbox.envId, applicationIds: ['a1b2c3d4-0000-4000-8000-00000000a005'] }),
      /cannot be imported: a SAML application/,
    );
  });

  it('syncs a rotated secret and changed settings on confirmation, and flags a deleted application', async () => {
    const app = await worker();
    const parApp = 'a1b2c3d4-0000-4000-8000-00000000a004';
    const [imported] = await importApplications(service, app.id, { environmentId: sandbox.envId, applicationIds: [parApp] });
    const id = imported!.application.id;
    assert.deepEqual((await syncApplication(service, id)).changes, []);

    sandbox.management.rotateSecret(sandbox.envId, parApp, 'par-app-secret-rotated');
    sandbox.management.updateApplication(sandbox.envId, parApp, {
      tokenEndpointAuthMethod: 'CLIENT_SECRET_POST',
      grantTypes: ['AUTHORIZATION_CODE', 'CLIENT_CREDENTIALS'],
    });
    const preview = await syncApplication(service, id);
    assert.equal(preview.applied, false);
    assert.deepEqual(
      preview.changes.map((c) => [c.field, c.from, c.to]),
      [
        ['authMethod', 'client_secret_basic', 'client_secret_post'],
        ['grants', 'authorization_code', 'authorization_code, client_credentials'],
        ['secret', 'the stored secret', 'the secret PingOne has now'],
      ],
    );
    assert.match(preview.changes[2]!.note!, /previous secret stays valid until \d{4}-/);
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret(id)) ?? '').secret, 'par-app-secret', 'nothing applied before confirmation');

    const applied = await syncApplication(service, id, { apply: true });
    assert.equal(applied.applied, true);
    assert.equal(service.getApplication(id).authMethod, 'client_secret_post');
    assert.equal(decodeClientSecret(secrets.data.get(KEYS.clientSecret(id)) ?? '').secret, 'par-app-secret-rotated');
    assert.deepEqual((await syncApplication(service, id)).changes, []);

    sandbox.management.deleteApplication(sandbox.envId, parApp);
    const gone = await syncApplication(service, id, { apply: true });
    assert.deepEqual([gone.deleted, gone.applied, gone.changes[0]!.field], [true, false, 'deleted']);
    assert.equal(service.getApplication(id).id, id, 'kept, never removed silently');
  });
});
