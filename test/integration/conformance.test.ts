/**
 * An OpenID provider this project did not shape like PingOne, inside the real extension host: its
 * issuer ends in "/" and it answers failed token requests with a bare status. Sign-in, refresh and
 * the failures a user meets run end to end, with real SecretStorage.
 */
import * as assert from 'node:assert/strict';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { browserFor, rejectsWith, useApiAndSandbox } from './helpers';

describe('a generic OpenID provider (trailing-slash issuer, bodiless errors)', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function webApp(issuer: string, clientSecret = s.clients.oidcWeb.clientSecret) {
    const env = await api.addEnvironment({ name: 'Generic OP', kind: 'oidc', issuer });
    const app = await api.addApplication(env.id, {
      name: 'Generic web',
      clientId: s.clients.oidcWeb.clientId,
      clientSecret,
      authMethod: 'client_secret_basic',
      scopes: 'openid profile',
      grants: ['authorization_code'],
    });
    return { env, app };
  }

  it('signs in and refreshes with the issuer exactly as published, trailing slash included', async () => {
    assert.ok(s.oidc.issuer.endsWith('/'));
    const { env, app } = await webApp(s.oidc.issuer);
    assert.equal(api.listEnvironments()[0].issuer, s.oidc.issuer);
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });
    assert.equal(info.hasIdToken, true);
    const before = await api.getTokens(info.id);
    const refreshed = await api.refresh(info.id);
    assert.equal(refreshed.status, 'valid');
    assert.notEqual((await api.getTokens(info.id)).refreshToken, before.refreshToken);
    assert.equal(api.listEnvironments().find((e) => e.id === env.id)?.issuer, s.oidc.issuer);
  });

  it("takes the server's issuer when the entered one lacks only its trailing slash (as 0.1 stored it)", async () => {
    const { env, app } = await webApp(s.oidc.issuer.replace(/\/$/, ''));
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });
    assert.equal(info.status, 'valid');
    assert.equal(api.listEnvironments().find((e) => e.id === env.id)?.issuer, s.oidc.issuer);
    assert.equal((await api.refresh(info.id)).status, 'valid');
  });

  it('a dead refresh token answered with a bare 400 marks the set sign-in-required and keeps its tokens', async () => {
    const { app } = await webApp(s.oidc.issuer);
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });
    await api.revoke(info.id); // the server now refuses this refresh token, with an empty 400
    const kept = await api.getTokens(info.id);
    await rejectsWith(api.refresh(info.id), 'invalid_grant', /inferred: the server did not say.*sign in again/);
    assert.equal(api.listTokenSets()[0].status, 'sign-in-required');
    assert.deepEqual(await api.getTokens(info.id), kept);
  });

  it('a wrong client secret answered with a bare 401 names the credentials, not the network', async () => {
    const { app } = await webApp(s.oidc.issuer, 'not-the-secret');
    await rejectsWith(api.signIn(app.id, { openExternal: browserFor(s) }), 'invalid_client', /did not accept the application's credentials/);
    assert.deepEqual(api.listTokenSets(), []);
  });
});
