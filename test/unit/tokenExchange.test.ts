/**
 * Token exchange (RFC 8693) through the token service against the sandbox's PingOne variant: a
 * user's stored set exchanged for an access token to a custom resource, with and without an actor,
 * from the access token or the ID token; the link to the subject and `issued_token_type` recorded;
 * a public client refused before any request.
 */
import assert from 'node:assert/strict';
import { validateGrants } from '../../src/core/application';
import { tokenExchangeGrant } from '../../src/core/grants/tokenExchange';
import { decodeJwt } from '../../src/core/jwt';
import type { TokenService } from '../../src/core/service';
import type { Sandbox } from '../sandbox';
import type { FakeClock } from '../support/fakeClock';
import { useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

const ORDERS_API = 'https://orders.example.com';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

describe('token exchange against the sandbox', function () {
  let sandbox: Sandbox;
  let service: TokenService;
  let envId: string;

  let clock: FakeClock;
  useSandboxAndService((p) => ({ sandbox, service, clock } = p), {}, { clock: true });
  beforeEach(async () => {
    clock.onSleep = () => sandbox.pending.device().catch(() => undefined);
    envId = (await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase })).id;
  });

  /** A user's token set (through the device grant, approved at once). */
  async function userSet() {
    const tv = await service.addApplication(envId, {
      name: 'TV',
      clientId: sandbox.clients.device.clientId,
      authMethod: 'none',
      scopes: 'openid profile',
      grants: ['device_code'],
    });
    return service.deviceAuthorization(tv.id, { onUserCode: () => undefined });
  }

  async function exchanger() {
    const c = sandbox.clients.exchange;
    return service.addApplication(envId, { name: 'Orders BFF', clientId: c.clientId, clientSecret: c.clientSecret, grants: ['token_exchange'] });
  }

  it("exchanges a user's access token for a token to a custom resource, linked to its subject", async () => {
    const subject = await userSet();
    const app = await exchanger();
    sandbox.resetStats();
    const info = await service.tokenExchange(app.id, { subjectTokenSetId: subject.id, audience: ORDERS_API, scope: 'orders:read' });
    assert.equal(info.grant, 'token_exchange');
    assert.equal(info.applicationId, app.id);
    assert.equal(info.subjectTokenSetId, subject.id);
    assert.equal(info.issuedTokenType, ACCESS_TOKEN);
    assert.equal(info.scope, 'orders:read');
    assert.equal(info.hasRefreshToken, false);
    const { payload } = decodeJwt((await service.getTokenSet(info.id)).accessToken);
    assert.equal(payload.aud, ORDERS_API);
    assert.equal(payload.sub, sandbox.user.sub);
    assert.equal(payload.client_id, sandbox.clients.exchange.clientId);
    assert.equal(payload.act, undefined);
    assert.equal(sandbox.stats().byGrant['urn:ietf:params:oauth:grant-type:token-exchange'], 1);
  });

  it('names the actor when an actor token from another set is sent', async () => {
    const subject = await userSet();
    const w = sandbox.clients.worker;
    const worker = await service.addApplication(envId, { name: 'Worker', clientId: w.clientId, clientSecret: w.clientSecret, grants: ['client_credentials'] });
    const actor = await service.clientCredentials(worker.id);
    const app = await exchanger();
    const info = await service.tokenExchange(app.id, { subjectTokenSetId: subject.id, actorTokenSetId: actor.id, audience: ORDERS_API, scope: 'orders:write' });
    const { payload } = decodeJwt((await service.getTokenSet(info.id)).accessToken);
    assert.deepEqual(payload.act, { sub: w.clientId });
    assert.equal(payload.sub, sandbox.user.sub);
  });

  it('exchanges the ID token when asked', async () => {
    const subject = await userSet();
    const app = await exchanger();
    const info = await service.tokenExchange(app.id, { subjectTokenSetId: subject.id, subjectToken: 'id_token', audience: ORDERS_API });
    assert.equal(decodeJwt((await service.getTokenSet(info.id)).accessToken).payload.sub, sandbox.user.sub);
  });

  it('reports a scope the exchanging client may not have as invalid_scope and stores nothing new', async () => {
    const subject = await userSet();
    const app = await exchanger();
    const err = await failure(service.tokenExchange(app.id, { subjectTokenSetId: subject.id, audience: ORDERS_API, scope: 'p1:update:user' }));
    assert.equal(err.code, 'invalid_scope');
    assert.deepEqual(
      service.listTokenSets().map((t) => t.id),
      [subject.id],
    );
  });

  it('says an exchanged set without a refresh token cannot be refreshed, and asks nothing of the server', async () => {
    const subject = await userSet();
    const app = await exchanger();
    const info = await service.tokenExchange(app.id, { subjectTokenSetId: subject.id, audience: ORDERS_API });
    sandbox.resetStats();
    const err = await failure(service.refresh(info.id));
    assert.match(err.message, /no refresh token/);
    assert.equal(sandbox.stats().tokenRequests, 0);
  });

  it('refuses a public client before any request', async () => {
    assert.throws(() => validateGrants(['token_exchange'], 'none'), /public application \(auth method none\) cannot use token exchange/);
    sandbox.resetStats();
    const call = { client: { clientId: 'sandbox-device', authMethod: 'none' as const }, http: { timeoutMs: 5000 } };
    const err = await failure(tokenExchangeGrant(`${sandbox.pingone.issuer}/token`, call, { subjectToken: 'x', subjectTokenType: ACCESS_TOKEN }));
    assert.equal(err.code, 'invalid_input');
    assert.match(err.message, /needs a confidential application/);
    assert.equal(sandbox.stats().tokenRequests, 0);
  });
});
