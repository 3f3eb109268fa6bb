/**
 * Device authorization (RFC 8628) through the token service against the sandbox (a real
 * oidc-provider on loopback), with an injected clock: the user code handed out, approval while
 * the client polls, slow_down, denial, expiry, cancellation, refresh of the resulting set, and the
 * checks made before any request.
 */
import assert from 'node:assert/strict';
import { parseDeviceAuthorizationResponse } from '../../src/core/grants/deviceCode';
import type { UserCodeInfo } from '../../src/core/grants/deviceCode';
import { decodeJwt } from '../../src/core/jwt';
import type { TokenService } from '../../src/core/service';
import type { Sandbox } from '../sandbox';
import type { FakeClock } from '../support/fakeClock';
import { useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device authorization against the sandbox', function () {
  let sandbox: Sandbox;
  let clock: FakeClock;
  let service: TokenService;

  useSandboxAndService((p) => ({ sandbox, service, clock } = p), {}, { clock: true });

  async function deviceApp(grants: ('device_code' | 'authorization_code')[] = ['device_code']) {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    return service.addApplication(env.id, { name: 'TV', clientId: sandbox.clients.device.clientId, authMethod: 'none', scopes: 'openid profile', grants });
  }

  /** Runs the grant; `during(i, info)` runs in the i-th wait between polls. */
  async function run(appId: string, during: (i: number, info: UserCodeInfo) => void | Promise<void>, signal?: AbortSignal) {
    let shown: UserCodeInfo | undefined;
    clock.onSleep = (i) => during(i, shown!);
    const result = await service.deviceAuthorization(appId, { onUserCode: (info) => (shown = info), signal });
    return { result, shown: shown! };
  }

  it('shows a user code, polls while approval is pending, and stores the tokens as a device set', async () => {
    const app = await deviceApp();
    const { result, shown } = await run(app.id, (i, info) => (i === 2 ? sandbox.pending.device(info.userCode) : undefined));
    assert.match(shown.userCode, /^[A-Z]{4}-?[A-Z]{4}$/);
    assert.equal(shown.verificationUri, `${sandbox.pingone.issuer}/device`);
    assert.equal(shown.verificationUriComplete, `${shown.verificationUri}?user_code=${encodeURIComponent(shown.userCode)}`);
    assert.equal(shown.interval, 1);
    assert.ok(!('deviceCode' in shown), 'the device code is a credential and is not handed out');
    // Two polls answered authorization_pending, the third (after approval) the tokens.
    assert.deepEqual(clock.sleeps, [1000, 1000, 1000]);
    assert.equal(sandbox.stats().byGrant[DEVICE_GRANT], 3);
    assert.equal(result.grant, 'device_code');
    assert.equal(result.hasRefreshToken, true);
    assert.equal(result.hasIdToken, true);
    const set = await service.getTokenSet(result.id);
    assert.equal(decodeJwt(set.idToken!).payload.sub, sandbox.user.sub);
  });

  it('lengthens the interval by 5 seconds on slow_down', async () => {
    const app = await deviceApp();
    sandbox.pending.slowDown(1);
    await run(app.id, (i, info) => (i === 2 ? sandbox.pending.device(info.userCode) : undefined));
    assert.deepEqual(clock.sleeps, [1000, 6000, 6000]);
  });

  it('refreshes the resulting set like any other (rotation included)', async () => {
    const app = await deviceApp();
    const { result } = await run(app.id, (i, info) => (i === 0 ? sandbox.pending.device(info.userCode) : undefined));
    const before = await service.getTokenSet(result.id);
    const refreshed = await service.refresh(result.id);
    const after = await service.getTokenSet(result.id);
    assert.equal(refreshed.grant, 'device_code');
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
  });

  it('stops with access_denied when the user denies, and stores nothing', async () => {
    const app = await deviceApp();
    const err = await failure(run(app.id, (i, info) => (i === 1 ? sandbox.pending.device(info.userCode, 'deny') : undefined)));
    assert.equal(err.code, 'access_denied');
    assert.match(err.message, /Device sign-in was denied/);
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('stops with expired_token once the code has expired, without polling past it', async () => {
    const app = await deviceApp();
    // Each wait moves the clock on by five minutes: the code (600 s) expires after the second.
    const err = await failure(run(app.id, () => void (clock.t += 5 * 60_000)));
    assert.equal(err.code, 'expired_token');
    assert.equal(sandbox.stats().byGrant[DEVICE_GRANT], 1);
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('stops with cancelled mid-poll and makes no request after the cancel', async () => {
    const app = await deviceApp();
    const controller = new AbortController();
    const err = await failure(run(app.id, (i) => (i === 2 ? controller.abort() : undefined), controller.signal));
    assert.equal(err.code, 'cancelled');
    assert.equal(sandbox.stats().byGrant[DEVICE_GRANT], 2);
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('refuses an application without the grant, and an issuer that does not list it, before any request', async () => {
    const noGrant = await deviceApp(['authorization_code']);
    const err = await failure(service.deviceAuthorization(noGrant.id, { onUserCode: () => assert.fail('no code expected') }));
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /not set up for device authorization/);

    // Every sandbox variant offers the device grant: narrow the resolved discovery to what a server without it publishes.
    const env = await service.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: sandbox.pingfederate.issuer });
    const pf = await service.addApplication(env.id, { name: 'PF', clientId: 'pf-web', clientSecret: 'pf-web-secret', grants: ['device_code'] });
    const endpoints = await service.endpoints(env.id);
    endpoints.grantTypes = ['authorization_code', 'refresh_token'];
    sandbox.resetStats();
    const refused = await failure(service.deviceAuthorization(pf.id, { onUserCode: () => assert.fail('no code expected') }));
    assert.equal(refused.code, 'unsupported_grant_type');
    assert.match(refused.message, /does not offer device authorization: its discovery lists only authorization_code, refresh_token/);
    assert.equal(sandbox.stats().tokenRequests, 0);
  });

  it("reports a client the server does not allow the grant in the server's words, and stores nothing", async () => {
    const env = await service.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: sandbox.pingfederate.issuer });
    const pf = await service.addApplication(env.id, { name: 'PF', clientId: 'pf-web', clientSecret: 'pf-web-secret', grants: ['device_code'] });
    const err = await failure(service.deviceAuthorization(pf.id, { onUserCode: () => assert.fail('no code expected') }));
    // oidc-provider says invalid_request here (RFC 8628 leaves the code to the server).
    assert.equal(err.code, 'invalid_request');
    assert.match(err.message, /^Device authorization failed: invalid_request \(urn:ietf:params:oauth:grant-type:device_code is not allowed for this client\)/);
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('validates the device authorization answer', () => {
    const res = (body: unknown) => ({ status: 200, contentType: 'application/json', text: JSON.stringify(body), header: () => null, setCookies: [] });
    const ok = { device_code: 'd', user_code: 'ABCD-EFGH', verification_uri: 'https://idp.example/device', expires_in: 600 };
    assert.deepEqual(parseDeviceAuthorizationResponse(res(ok), 1000), {
      deviceCode: 'd',
      userCode: 'ABCD-EFGH',
      verificationUri: 'https://idp.example/device',
      verificationUriComplete: undefined,
      expiresAt: 601_000,
      interval: 5,
    });
    assert.throws(() => parseDeviceAuthorizationResponse(res({ ...ok, user_code: undefined, expires_in: undefined }), 0), /has no user_code, expires_in/);
    assert.throws(() => parseDeviceAuthorizationResponse(res({ ...ok, verification_uri: 'javascript:alert(1)' }), 0), /not an http\(s\) URL/);
    assert.throws(() => parseDeviceAuthorizationResponse(res({ ...ok, interval: -1 }), 0), /not a positive number/);
  });
});
