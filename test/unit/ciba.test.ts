/**
 * CIBA poll mode through the token service against the sandbox's PingOne variant, with an injected
 * clock: the request naming the user by login_hint or id_token_hint, the binding message reaching
 * the user's device, approval while polling, slow_down, denial, expiry, cancellation, refresh, and
 * the checks made before any request.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from '../../src/core/jwt';
import type { TokenService } from '../../src/core/service';
import type { Sandbox } from '../sandbox';
import type { FakeClock } from '../support/fakeClock';
import { useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

describe('CIBA (poll mode) against the sandbox', function () {
  let sandbox: Sandbox;
  let clock: FakeClock;
  let service: TokenService;
  let envId: string;

  useSandboxAndService((p) => ({ sandbox, service, clock } = p), {}, { clock: true });
  beforeEach(async () => {
    envId = (await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase })).id;
  });

  async function cibaApp() {
    const c = sandbox.clients.ciba;
    return service.addApplication(envId, { name: 'Call centre', clientId: c.clientId, clientSecret: c.clientSecret, scopes: 'openid profile', grants: ['ciba'] });
  }

  it('asks the user by login_hint, polls while pending, and stores a refreshable CIBA set', async () => {
    const app = await cibaApp();
    clock.onSleep = (i) => (i === 1 ? sandbox.pending.ciba('approve') : undefined);
    const requests: { expiresAt: number; interval: number }[] = [];
    const info = await service.backchannelAuthentication(app.id, { loginHint: sandbox.user.email, bindingMessage: 'Order 4711', onRequest: (r) => requests.push(r) });
    assert.equal(info.grant, 'ciba');
    assert.equal(info.hasRefreshToken, true);
    assert.equal(requests.length, 1);
    const device = sandbox.pending.cibaRequests().at(-1)!;
    assert.equal(device.bindingMessage, 'Order 4711');
    assert.equal(device.accountId, sandbox.user.sub);
    assert.equal(device.scope, 'openid profile');
    assert.equal(sandbox.stats().byGrant[CIBA_GRANT], 2);
    assert.equal(decodeJwt((await service.getTokenSet(info.id)).idToken!).payload.sub, sandbox.user.sub);
    const refreshed = await service.refresh(info.id);
    assert.equal(refreshed.status, 'valid');
  });

  it('names the user with the ID token of a stored set', async () => {
    const app = await cibaApp();
    clock.onSleep = (i) => (i === 0 ? sandbox.pending.ciba('approve') : undefined);
    const first = await service.backchannelAuthentication(app.id, { loginHint: sandbox.user.username });
    clock.sleeps.length = 0;
    clock.onSleep = (i) => (i === 0 ? sandbox.pending.ciba('approve') : undefined);
    const second = await service.backchannelAuthentication(app.id, { idTokenHintTokenSetId: first.id });
    assert.equal(second.grant, 'ciba');
    assert.equal(sandbox.pending.cibaRequests().at(-1)!.accountId, sandbox.user.sub);
  });

  it('lengthens the interval on slow_down and stops with access_denied on a denial', async () => {
    const app = await cibaApp();
    sandbox.pending.slowDown(1);
    clock.onSleep = (i) => (i === 2 ? sandbox.pending.ciba('deny') : undefined);
    const err = await failure(service.backchannelAuthentication(app.id, { loginHint: sandbox.user.username }));
    assert.equal(err.code, 'access_denied');
    assert.match(err.message, /Backchannel authentication was denied/);
    assert.deepEqual(clock.sleeps, [1000, 6000, 6000]);
    assert.deepEqual(service.listTokenSets(), []);
  });

  it('stops with expired_token when the request expires, and with cancelled (no request after it) on abort', async () => {
    const app = await cibaApp();
    clock.onSleep = () => void (clock.t += 5 * 60_000);
    assert.equal((await failure(service.backchannelAuthentication(app.id, { loginHint: sandbox.user.username }))).code, 'expired_token');
    sandbox.resetStats();
    clock.sleeps.length = 0;
    const controller = new AbortController();
    clock.onSleep = (i) => (i === 1 ? controller.abort() : undefined);
    const err = await failure(service.backchannelAuthentication(app.id, { loginHint: sandbox.user.username, signal: controller.signal }));
    assert.equal(err.code, 'cancelled');
    assert.equal(sandbox.stats().byGrant[CIBA_GRANT], 1);
  });

  it('refuses no hint or two hints before any request, and reports an unknown user', async () => {
    const app = await cibaApp();
    const none = await failure(service.backchannelAuthentication(app.id, {}));
    assert.equal(none.code, 'invalid_input');
    assert.match(none.message, /Name the user/);
    const two = await failure(service.backchannelAuthentication(app.id, { loginHint: 'a', loginHintToken: 'b' }));
    assert.match(two.message, /only one of/);
    const unknown = await failure(service.backchannelAuthentication(app.id, { loginHint: 'nobody@example.com' }));
    assert.equal(unknown.code, 'unknown_user_id');
    assert.equal(sandbox.stats().tokenRequests, 0);
  });
});
