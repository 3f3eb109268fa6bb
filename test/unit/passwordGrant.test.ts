/**
 * The resource-owner password grant through the token service against the sandbox: PingFederate
 * issues tokens (refreshable, without rolling), a wrong password is invalid_grant and never echoed,
 * PingOne gets the flows-API explanation and an issuer whose discovery does not list the grant is
 * refused, both before any request.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from '../../src/core/jwt';
import { type TokenService } from '../../src/core/service';
import type { Sandbox } from '../sandbox';
import { type MemorySecrets, type MemoryState } from '../support/memoryStores';
import { useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

describe('resource-owner password grant against the sandbox', function () {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;

  useSandboxAndService((p) => ({ sandbox, state, secrets, service } = p));

  async function legacyApp() {
    const env = await service.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: sandbox.pingfederate.issuer });
    const c = sandbox.clients.pfLegacy;
    return service.addApplication(env.id, { name: 'Legacy', clientId: c.clientId, clientSecret: c.clientSecret, scopes: 'openid profile', grants: ['password'] });
  }

  it('signs the user in at PingFederate, stores a password set and never the password', async () => {
    const app = await legacyApp();
    const info = await service.passwordGrant(app.id, { username: sandbox.user.username, password: sandbox.user.password });
    assert.equal(info.grant, 'password');
    assert.equal(info.scope, 'openid profile');
    assert.equal(info.hasRefreshToken, true);
    assert.equal(info.hasIdToken, true);
    const set = await service.getTokenSet(info.id);
    assert.equal(decodeJwt(set.idToken!).payload.sub, sandbox.user.sub);
    const everything = JSON.stringify([...state.data.values(), ...secrets.data.values()]);
    assert.ok(!everything.includes(sandbox.user.password), 'the password is stored nowhere');
  });

  it('refreshes the set; PingFederate does not roll, so the refresh token is kept', async () => {
    const app = await legacyApp();
    const info = await service.passwordGrant(app.id, { username: sandbox.user.username, password: sandbox.user.password });
    const before = await service.getTokenSet(info.id);
    await service.refresh(info.id);
    const after = await service.getTokenSet(info.id);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(after.refreshToken, before.refreshToken);
    assert.equal(sandbox.stats().byGrant.refresh_token, 1);
  });

  it('reports a wrong password as invalid_grant, without the password, and stores nothing', async () => {
    const app = await legacyApp();
    const err = await failure(service.passwordGrant(app.id, { username: sandbox.user.username, password: 'Wr0ng-Secret-Passw0rd' }));
    assert.equal(err.code, 'invalid_grant');
    assert.ok(!err.message.includes('Wr0ng-Secret-Passw0rd'));
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('refuses an empty password before any request', async () => {
    const app = await legacyApp();
    const err = await failure(service.passwordGrant(app.id, { username: sandbox.user.username, password: '' }));
    assert.equal(err.code, 'invalid_input');
    assert.equal(err.field, 'password');
    assert.equal(sandbox.stats().tokenRequests, 0);
  });

  it("explains PingOne's flows-API sign-in instead, before any request", async () => {
    const env = await service.addEnvironment({ name: 'P1', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const app = await service.addApplication(env.id, {
      name: 'Web',
      clientId: 'sandbox-web',
      clientSecret: 'sandbox-web-secret',
      grants: ['password', 'authorization_code'],
    });
    const err = await failure(service.passwordGrant(app.id, { username: sandbox.user.username, password: sandbox.user.password }));
    assert.equal(err.code, 'unsupported_grant_type');
    assert.match(err.message, /PingOne does not offer the resource-owner password grant.*flows API.*Sign In with Username and Password/);
    assert.equal(sandbox.stats().tokenRequests, 0);
  });

  it('refuses an issuer whose discovery does not list the password grant, before any request', async () => {
    const env = await service.addEnvironment({ name: 'OIDC', kind: 'oidc', issuer: sandbox.oidc.issuer });
    const app = await service.addApplication(env.id, { name: 'Web', clientId: 'oidc-web', clientSecret: 'oidc-web-secret', grants: ['password'] });
    const err = await failure(service.passwordGrant(app.id, { username: sandbox.user.username, password: sandbox.user.password }));
    assert.equal(err.code, 'unsupported_grant_type');
    assert.match(err.message, /does not offer the resource-owner password grant: its discovery lists only/);
    assert.equal(sandbox.stats().tokenRequests, 0);
  });
});
