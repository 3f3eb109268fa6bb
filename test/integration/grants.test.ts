/**
 * The grants where the user approves elsewhere, token exchange and the password grant, from the
 * commands and the public API inside the real extension host: real SecretStorage, the sandbox on
 * loopback, real timers (the sandbox advertises a 1-second polling interval).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PingOneTokenExplorerApi, UserCodeInfo } from '../../src/api';
import type { ApplicationInput } from '../../src/core/application';
import type { Sandbox } from '../sandbox';
import { rejectsWith, sandboxEnvironment, useApiAndSandbox } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(command, ...args);

/** The sandbox's public device app (a TV or CLI): device authorization and refresh. */
function deviceApplication(s: Sandbox): ApplicationInput {
  return { name: 'TV', clientId: s.clients.device.clientId, authMethod: 'none', scopes: 'openid profile', grants: ['device_code'] };
}

describe('grants: device authorization', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function tv() {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    return api.addApplication(env.id, deviceApplication(s));
  }

  it('API: hands out the user code, polls until approval, stores a refreshable device set in SecretStorage', async () => {
    const app = await tv();
    const shown: UserCodeInfo[] = [];
    const info = await api.deviceAuthorization(app.id, {
      onUserCode: (code) => {
        shown.push(code);
        void s.pending.device(code.userCode);
      },
    });
    assert.equal(shown.length, 1);
    assert.equal(shown[0].verificationUri, `${s.pingone.issuer}/device`);
    assert.ok(shown[0].expiresAt > Date.now());
    assert.equal(info.grant, 'device_code');
    assert.equal(info.hasRefreshToken, true);
    const tokens = await api.getTokens(info.id);
    assert.equal(api.decode(tokens.idToken!).payload.sub, s.user.sub);
    const refreshed = await api.refresh(info.id);
    assert.equal(refreshed.status, 'valid');
    assert.notEqual((await api.getTokens(info.id)).refreshToken, tokens.refreshToken);
  });

  it('command: shows the user-code notification, and the tokens arrive once the code is approved', async () => {
    const app = await tv();
    const issued = s.pending.nextUserCode();
    const pending = run<{ id: string; grant: string }>('pingone.deviceAuthorization', app.id);
    // The user reads the code from the notification and approves it on their phone.
    await s.pending.device(await issued);
    const info = await pending;
    assert.equal(info.grant, 'device_code');
    assert.deepEqual(
      api.listTokenSets().map((t) => t.id),
      [info.id],
    );
  });

  it('command: a denial ends the command (with one message) and stores nothing', async () => {
    const app = await tv();
    let shown = false;
    const result = await run('pingone.deviceAuthorization', app.id, {
      onUserCode: (code: UserCodeInfo) => {
        shown = true;
        void s.pending.device(code.userCode, 'deny');
      },
    });
    assert.equal(result, undefined);
    assert.ok(shown, 'the user code was handed out before the denial');
    assert.deepEqual(api.listTokenSets(), []);
  });
});

describe('grants: resource-owner password', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  it('command: signs in at PingFederate with the password grant and stores a refreshable set', async () => {
    const env = await api.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: s.pingfederate.issuer });
    const c = s.clients.pfLegacy;
    const app = await api.addApplication(env.id, { name: 'Legacy', clientId: c.clientId, clientSecret: c.clientSecret, scopes: 'openid profile', grants: ['password'] });
    const info = await run<{ id: string; grant: string; hasRefreshToken: boolean }>('pingone.passwordGrant', app.id, {
      username: s.user.username,
      password: s.user.password,
    });
    assert.equal(info.grant, 'password');
    assert.equal(info.hasRefreshToken, true);
    assert.equal((await api.refresh(info.id)).status, 'valid');
  });

  it('API: a PingOne environment gets the flows-API explanation, before any request', async () => {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const app = await api.addApplication(env.id, {
      name: 'Web',
      clientId: s.clients.web.clientId,
      clientSecret: s.clients.web.clientSecret,
      grants: ['authorization_code', 'password'],
    });
    s.resetStats();
    await rejectsWith(api.passwordGrant(app.id, { username: s.user.username, password: s.user.password }), 'unsupported_grant_type', /flows API/);
    assert.equal(s.stats().tokenRequests, 0);
  });
});

describe('grants: token exchange', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function setUp() {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const tv = await api.addApplication(env.id, deviceApplication(s));
    const subject = await api.deviceAuthorization(tv.id, { onUserCode: (code) => void s.pending.device(code.userCode) });
    const c = s.clients.exchange;
    const bff = await api.addApplication(env.id, { name: 'Orders BFF', clientId: c.clientId, clientSecret: c.clientSecret, grants: ['token_exchange'] });
    return { env, subject, bff };
  }

  it('command: exchanges a stored set for a new one under the exchanging application, linked to its subject', async () => {
    const { subject, bff } = await setUp();
    const info = await run<{ id: string; applicationId: string; subjectTokenSetId?: string; issuedTokenType?: string }>('pingone.tokenExchange', bff.id, {
      subjectTokenSetId: subject.id,
      audience: 'https://orders.example.com',
      scope: 'orders:read',
    });
    assert.equal(info.applicationId, bff.id);
    assert.equal(info.subjectTokenSetId, subject.id);
    assert.equal(info.issuedTokenType, 'urn:ietf:params:oauth:token-type:access_token');
    const listed = api.listTokenSets(bff.id);
    assert.deepEqual(
      listed.map((t) => [t.grant, t.subjectTokenSetId]),
      [['token_exchange', subject.id]],
    );
    assert.equal(api.decode((await api.getTokens(info.id)).accessToken).payload.aud, 'https://orders.example.com');
  });

  it('API: with an actor token from another stored set', async () => {
    const { env, subject, bff } = await setUp();
    const worker = await api.addApplication(env.id, { name: 'Worker', clientId: s.clients.worker.clientId, clientSecret: s.clients.worker.clientSecret });
    const actor = await api.clientCredentials(worker.id);
    const info = await api.tokenExchange(bff.id, { subjectTokenSetId: subject.id, actorTokenSetId: actor.id, audience: 'https://orders.example.com' });
    assert.deepEqual(api.decode((await api.getTokens(info.id)).accessToken).payload.act, { sub: s.clients.worker.clientId });
  });
});

describe('grants: CIBA', () => {
  let api: PingOneTokenExplorerApi;
  let s: Sandbox;

  useApiAndSandbox((a, b) => ((api = a), (s = b)));

  async function callCentre() {
    const env = await api.addEnvironment(sandboxEnvironment(s));
    const c = s.clients.ciba;
    return api.addApplication(env.id, { name: 'Call centre', clientId: c.clientId, clientSecret: c.clientSecret, scopes: 'openid profile', grants: ['ciba'] });
  }

  it('command: asks the user by login hint with a binding message, and stores the set once approved', async () => {
    const app = await callCentre();
    const asked = s.pending.nextCibaRequest();
    const pending = run<{ id: string; grant: string }>('pingone.backchannelAuthentication', app.id, { loginHint: s.user.email, bindingMessage: 'Order 4711' });
    await asked;
    assert.equal(s.pending.cibaRequests().at(-1)!.bindingMessage, 'Order 4711');
    await s.pending.ciba('approve');
    const info = await pending;
    assert.equal(info.grant, 'ciba');
    assert.equal((await api.refresh(info.id)).status, 'valid');
  });

  it('API: a denial rejects with access_denied', async () => {
    const app = await callCentre();
    const asked = s.pending.nextCibaRequest();
    const pending = api.backchannelAuthentication(app.id, { loginHint: s.user.username });
    await asked;
    await s.pending.ciba('deny');
    await rejectsWith(pending, 'access_denied');
    assert.deepEqual(api.listTokenSets(), []);
  });
});
