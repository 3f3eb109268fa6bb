/**
 * The public API inside a real extension host: real SecretStorage and globalState, a real
 * authorization server (the sandbox) on loopback.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi } from '../../src/api';
import type { Sandbox } from '../sandbox';
import { browserFor, rejectsWith, sandboxEnvironment, useApiAndSandbox, webApplication, workerApplication } from './helpers';

describe('public API', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function worker() {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s));
    return { env, app };
  }

  it('reports apiVersion 1', () => {
    assert.equal(api.apiVersion, 1);
  });

  it('adds a PingOne environment and derives its issuer', async () => {
    const { env } = await worker();
    assert.deepEqual({ name: env.name, kind: env.kind, issuer: env.issuer }, { name: 'Sandbox', kind: 'pingone', issuer: s.pingone.issuer });
    assert.deepEqual(
      api.listEnvironments().map((e) => e.id),
      [env.id],
    );
  });

  it('keeps the client secret in SecretStorage and never echoes it', async () => {
    const { app } = await worker();
    assert.equal((app as unknown as Record<string, unknown>).clientSecret, undefined);
    const [listed] = await api.listApplications();
    assert.equal(listed.hasSecret, true);
    assert.ok(!JSON.stringify(listed).includes(s.clients.worker.clientSecret!));
  });

  it('round-trips tokens through SecretStorage: client credentials, then getTokens', async () => {
    const { app } = await worker();
    const changes: number[] = [];
    const sub = api.onDidChange(() => changes.push(1));
    const info = await api.clientCredentials(app.id);
    sub.dispose();
    assert.ok(changes.length > 0, 'onDidChange fired');
    assert.equal(info.status, 'valid');
    assert.equal(info.grant, 'client_credentials');
    const tokens = await api.getTokens(info.id);
    const { payload } = api.decode(tokens.accessToken);
    assert.equal(payload.client_id, s.clients.worker.clientId);
    assert.equal(tokens.expiresAt, info.expiresAt);
    assert.deepEqual(
      api.listTokenSets(app.id).map((t) => t.id),
      [info.id],
    );
  });

  it('rejects a malformed environment ID with invalid_input naming the field', async () => {
    const err = await rejectsWith(api.addEnvironment({ name: 'x', kind: 'pingone', environmentId: '1234' }), 'invalid_input', /has 4 characters/);
    assert.equal((err as unknown as { field: string }).field, 'environmentId');
    assert.deepEqual(api.listEnvironments(), []);
  });

  it('rejects plain http for a non-loopback issuer', async () => {
    await rejectsWith(api.addEnvironment({ name: 'x', kind: 'oidc', issuer: 'http://idp.example.com' }), 'invalid_input', /https/);
  });

  it('reports a wrong secret as invalid_client and keeps what was stored', async () => {
    const { env } = await worker();
    const good = await api.clientCredentials((await api.listApplications(env.id))[0].id);
    const bad = await api.addApplication(env.id, { name: 'Bad', clientId: s.clients.worker.clientId, clientSecret: 'nope', authMethod: 'client_secret_basic' });
    await rejectsWith(api.clientCredentials(bad.id), 'invalid_client');
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [good.id],
    );
    assert.equal((await api.getTokens(good.id)).accessToken.length > 0, true);
  });

  it('signs in with code + PKCE, refreshes with rotation, introspects, calls userinfo and revokes', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, webApplication(s));
    const info = await api.signIn(app.id, { openExternal: browserFor(s) });
    assert.equal(info.hasRefreshToken, true);
    assert.equal(info.hasIdToken, true);
    const before = await api.getTokens(info.id);
    const refreshed = await api.refresh(info.id);
    assert.equal(refreshed.id, info.id);
    const after = await api.getTokens(info.id);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.equal((await api.introspect(info.id)).active, true);
    assert.equal((await api.userinfo(info.id)).sub, s.user.sub);
    await rejectsWith(api.refresh(info.id, { scope: 'openid admin' }), 'invalid_input', /admin/);
    const revoked = await api.revoke(info.id);
    assert.equal(revoked.status, 'revoked');
    assert.equal((await api.introspect(info.id, { token: 'refresh_token' })).active, false);
  });

  it('signs a test user in headlessly through the flows API', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, { name: 'Native', clientId: s.clients.native.clientId, authMethod: 'none', scopes: 'openid profile' });
    const info = await api.signInWithPassword(app.id, { username: s.user.username, password: s.user.password });
    assert.equal(info.hasIdToken, true);
    assert.equal((await api.userinfo(info.id)).sub, s.user.sub);
    await rejectsWith(api.signInWithPassword(app.id, { username: s.user.username, password: 'wrong' }), 'access_denied');
    assert.equal(api.listTokenSets(app.id).length, 1);
  });

  it('exchanges a code obtained elsewhere', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, { name: 'Native', clientId: s.clients.native.clientId, authMethod: 'none' });
    // Build the request by hand, as another tool would.
    const { createPkce } = await import('../../src/core/random');
    const pkce = createPkce();
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const url = new URL(`${s.pingone.issuer}/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: s.clients.native.clientId,
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'st',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    const code = new URL(await s.authorize(url.toString())).searchParams.get('code')!;
    const info = await api.exchangeCode(app.id, { code, redirectUri, codeVerifier: pkce.verifier });
    assert.equal(info.grant, 'authorization_code');
    await rejectsWith(api.exchangeCode(app.id, { code, redirectUri, codeVerifier: pkce.verifier }), 'invalid_grant');
    assert.equal(api.listTokenSets(app.id).length, 1);
  });

  it('decodes JWTs and refuses opaque tokens with invalid_input', async () => {
    const { app } = await worker();
    const tokens = await api.getTokens((await api.clientCredentials(app.id)).id);
    assert.equal(api.decode(tokens.accessToken).header.alg, 'RS256');
    assert.throws(
      () => api.decode('an-opaque-reference-token-1234'),
      (e: Error & { code?: string }) => e.code === 'invalid_input',
    );
  });

  it('removing an environment removes its applications and tokens', async () => {
    const { env, app } = await worker();
    const info = await api.clientCredentials(app.id);
    await api.removeEnvironment(env.id);
    assert.deepEqual(await api.listApplications(), []);
    assert.deepEqual(api.listTokenSets(), []);
    await rejectsWith(api.getTokens(info.id), 'invalid_input');
  });
});

describe('settings changes', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  it('keep the discovered endpoints: after changing a pingone.* setting the next token costs one request', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, workerApplication(s));
    await api.clientCredentials(app.id);
    const config = vscode.workspace.getConfiguration('pingone');
    await config.update('requestTimeoutSeconds', 45, vscode.ConfigurationTarget.Global);
    try {
      s.resetStats();
      await api.clientCredentials(app.id);
      assert.deepEqual([s.stats().requests, s.stats().tokenRequests], [1, 1]);
    } finally {
      await config.update('requestTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
