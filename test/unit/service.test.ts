/**
 * The token service end to end against the PingOne-compatible sandbox (a real oidc-provider on
 * loopback): grants, sign-in through the loopback listener, refresh rotation and its races,
 * revocation, introspection, userinfo, and that failed calls change nothing stored.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { decodeJwt } from '../../src/core/jwt';
import { refreshTokenGrant } from '../../src/core/oauth';
import { TokenService } from '../../src/core/service';
import { verifySignature } from '../../src/core/verify';
import type { Sandbox, SandboxClient } from '../sandbox';
import { type MemorySecrets, type MemoryState } from '../support/memoryStores';
import { sandboxBrowser, useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

describe('token service against the sandbox', function () {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;

  useSandboxAndService((p) => ({ sandbox, state, secrets, service } = p));

  async function pingOneApp(client: SandboxClient, extra: { secret?: string; redirectUri?: string } = {}) {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    return service.addApplication(env.id, {
      name: client.clientId,
      clientId: client.clientId,
      clientSecret: extra.secret ?? client.clientSecret,
      authMethod: client.authMethod,
      scopes: client.grantTypes.includes('authorization_code') ? 'openid profile email' : undefined,
      redirectUri: extra.redirectUri,
    });
  }

  async function pingFederateApp(client: SandboxClient) {
    const env = await service.addEnvironment({ name: 'PF', kind: 'pingfederate', issuer: sandbox.pingfederate.issuer });
    return service.addApplication(env.id, {
      name: client.clientId,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
      scopes: client.grantTypes.includes('authorization_code') ? 'openid profile' : undefined,
    });
  }

  describe('client credentials', () => {
    it('gets a PingOne-shaped JWT whose signature verifies, and stores it in the secret store only', async () => {
      const app = await pingOneApp(sandbox.clients.worker);
      const info = await service.clientCredentials(app.id);
      assert.equal(info.grant, 'client_credentials');
      assert.equal(info.status, 'valid');
      assert.equal(info.hasRefreshToken, false);
      const set = await service.getTokenSet(info.id);
      const { header, payload } = decodeJwt(set.accessToken);
      assert.equal(header.alg, 'RS256');
      assert.equal(payload.client_id, sandbox.clients.worker.clientId);
      assert.equal(payload.iss, sandbox.pingone.issuer);
      assert.equal(payload.env, sandbox.envId);
      assert.ok(info.expiresAt! > Date.now() + 3500_000);
      const endpoints = await service.endpoints(app.environmentId);
      assert.equal(endpoints.source, 'discovery');
      assert.deepEqual(await verifySignature(set.accessToken, endpoints.jwks, service.jwks), { state: 'verified', alg: 'RS256', kid: header.kid });
      // Nothing secret in the metadata store.
      const metadata = JSON.stringify([...state.data.values()]);
      assert.ok(!metadata.includes(set.accessToken) && !metadata.includes(sandbox.clients.worker.clientSecret!));
    });

    it('flags a tampered token as invalid and an unknown key as such', async () => {
      const app = await pingOneApp(sandbox.clients.worker);
      const set = await service.getTokenSet((await service.clientCredentials(app.id)).id);
      const jwks = (await service.endpoints(app.environmentId)).jwks;
      const [h, p, s] = set.accessToken.split('.');
      const forged = Buffer.from(JSON.stringify({ ...decodeJwt(set.accessToken).payload, scope: 'admin' })).toString('base64url');
      assert.equal((await verifySignature(`${h}.${forged}.${s}`, jwks, service.jwks)).state, 'invalid');
      const otherKid = Buffer.from(JSON.stringify({ ...decodeJwt(set.accessToken).header, kid: 'nope' })).toString('base64url');
      assert.equal((await verifySignature(`${otherKid}.${p}.${s}`, jwks, service.jwks)).state, 'unknown_key');
      assert.equal((await verifySignature('opaque-token-value', jwks, service.jwks)).state, 'not_verifiable');
    });

    it('works with client_secret_post', async () => {
      const app = await pingOneApp(sandbox.clients.post);
      assert.equal((await service.clientCredentials(app.id)).status, 'valid');
    });

    it('reports a wrong secret as invalid_client and stores nothing', async () => {
      const app = await pingOneApp(sandbox.clients.worker, { secret: 'wrong-secret' });
      const before = secrets.snapshot();
      const err = await failure(service.clientCredentials(app.id));
      assert.equal(err.code, 'invalid_client');
      assert.equal(err.status, 401);
      assert.ok(!err.message.includes('wrong-secret'));
      assert.deepEqual(secrets.snapshot(), before);
      assert.deepEqual(service.listTokenSets(), []);
    });

    it('re-issues a client-credentials token set in place on refresh', async () => {
      const app = await pingOneApp(sandbox.clients.worker);
      const first = await service.clientCredentials(app.id);
      const before = (await service.getTokenSet(first.id)).accessToken;
      const again = await service.refresh(first.id);
      assert.equal(again.id, first.id);
      assert.notEqual((await service.getTokenSet(first.id)).accessToken, before);
      assert.equal(service.listTokenSets().length, 1);
    });
  });

  describe('authorization code + PKCE through the loopback listener', () => {
    it('signs in, validates the ID token and stores access, refresh and ID tokens', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      let port = 0;
      const info = await service.signIn(app.id, { openExternal: sandboxBrowser(sandbox), onListening: (uri) => (port = Number(new URL(uri).port)) });
      assert.equal(info.grant, 'authorization_code');
      assert.ok(info.hasRefreshToken && info.hasIdToken);
      const set = await service.getTokenSet(info.id);
      assert.equal(decodeJwt(set.idToken!).payload.sub, sandbox.user.sub);
      assert.ok(await portIsClosed(port), 'the loopback listener must be closed after use');
      const claims = await service.userinfo(info.id);
      assert.equal(claims.sub, sandbox.user.sub);
    });

    it('sends the forwarded redirect URI a remote window maps to, while listening locally', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const sent: string[] = [];
      // A port forward like VS Code's in a remote window: another loopback port piped to the listener.
      const forwarders: net.Server[] = [];
      const forward = async (local: string) => {
        const target = Number(new URL(local).port);
        const server = net.createServer((socket) => socket.pipe(net.connect(target, '127.0.0.1')).pipe(socket));
        forwarders.push(server);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/callback`;
      };
      try {
        let localPort = 0;
        const info = await service.signIn(app.id, {
          mapRedirectUri: forward,
          onListening: (uri) => (localPort = Number(new URL(uri).port)),
          openExternal: async (url) => {
            sent.push(new URL(url).searchParams.get('redirect_uri')!);
            return sandboxBrowser(sandbox)(url);
          },
        });
        assert.equal(info.grant, 'authorization_code');
        assert.notEqual(Number(new URL(sent[0]).port), localPort, 'the server was given the forwarded port');
      } finally {
        for (const f of forwarders) f.close();
      }
    });

    it('signs in a public client (auth method none, PKCE required)', async () => {
      const app = await pingOneApp(sandbox.clients.native);
      const info = await service.signIn(app.id, { openExternal: sandboxBrowser(sandbox) });
      assert.equal(info.status, 'valid');
    });

    it('answers a wrong-state or foreign-Host request with 400, keeps waiting, and signs in with the real redirect', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      let port = 0;
      const refused: Array<{ status: number; body: string }> = [];
      /** A request to the listener as another local process or a DNS-rebound web page would send it. */
      const get = (location: URL, headers: Record<string, string> = {}) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http
            .get(location, { headers }, (res) => {
              let body = '';
              res.on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            })
            .on('error', reject);
        });
      const info = await service.signIn(app.id, {
        onListening: (uri) => (port = Number(new URL(uri).port)),
        openExternal: async (url) => {
          const location = new URL(await sandbox.authorize(url));
          const forged = new URL(location);
          forged.searchParams.set('state', 'forged-state');
          forged.searchParams.set('iss', '<script>alert(1)</script>');
          refused.push(await get(forged));
          refused.push(await get(location, { Host: `evil.example:${location.port}` }));
          const noState = new URL(location);
          noState.searchParams.delete('state');
          refused.push(await get(noState));
          void get(location); // the real redirect
        },
      });
      assert.deepEqual(
        refused.map((r) => r.status),
        [400, 400, 400],
      );
      for (const r of refused) assert.ok(!r.body.includes('forged') && !r.body.includes('<script>') && !r.body.includes('evil'), 'the page repeats nothing it was sent');
      assert.equal(info.grant, 'authorization_code');
      assert.equal(sandbox.stats().tokenRequests, 1, 'one code exchange: the real one');
      assert.ok(await portIsClosed(port));
    });

    it('binds both loopback families for a localhost redirect URI, or refuses when [::1] is taken', async () => {
      const squatter = net.createServer();
      await new Promise<void>((r) => squatter.listen(0, '::1', r));
      const port = (squatter.address() as net.AddressInfo).port;
      try {
        const app = await pingOneApp(sandbox.clients.web, { redirectUri: `http://localhost:${port}/callback` });
        const err = await failure(service.signIn(app.id, { openExternal: async () => assert.fail('browser must not open') }));
        assert.equal(err.field, 'redirectUri');
        assert.match(err.message, new RegExp(`Port ${port} on \\[::1\\] is already in use`));
        assert.ok(await portIsClosed(port), 'the 127.0.0.1 half was closed again');
      } finally {
        squatter.close();
      }
    });

    it('turns error=access_denied into an error with that code', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const err = await failure(service.signIn(app.id, { openExternal: sandboxBrowser(sandbox, { deny: true }) }));
      assert.equal(err.code, 'access_denied');
    });

    it('gives a clear message when a fixed redirect port is taken', async () => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const app = await pingOneApp(sandbox.clients.web, { redirectUri: `http://127.0.0.1:${port}/callback` });
        const err = await failure(service.signIn(app.id, { openExternal: async () => assert.fail('browser must not open') }));
        assert.equal(err.field, 'redirectUri');
        assert.match(err.message, new RegExp(`Port ${port}.*already in use`));
      } finally {
        blocker.close();
      }
    });

    it('can be cancelled while waiting for the browser, closing the listener', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const controller = new AbortController();
      let port = 0;
      const pending = service.signIn(app.id, {
        signal: controller.signal,
        onListening: (uri) => (port = Number(new URL(uri).port)),
        openExternal: async () => controller.abort(),
      });
      assert.equal((await failure(pending)).code, 'cancelled');
      assert.ok(await portIsClosed(port));
    });
  });

  describe('headless sign-in through the PingOne flows API', () => {
    it('signs the test user in with username and password and stores validated tokens', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const info = await service.signInWithPassword(app.id, { username: sandbox.user.username, password: sandbox.user.password });
      assert.ok(info.hasIdToken && info.hasRefreshToken);
      const set = await service.getTokenSet(info.id);
      assert.equal(decodeJwt(set.idToken!).payload.sub, sandbox.user.sub);
      assert.ok(!JSON.stringify([...secrets.data.values(), ...state.data.values()]).includes(sandbox.user.password), 'the password is never stored');
    });

    it('says who signed in: preferred_username from the ID token, on the set the tree and the API list', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const info = await service.signInWithPassword(app.id, { username: sandbox.user.username, password: sandbox.user.password, scope: 'openid profile' });
      assert.equal(info.subject, sandbox.user.username);
      assert.equal(service.listTokenSets()[0].subject, sandbox.user.username);
      // Without the profile scope there is no preferred_username: the email, else the sub.
      const bare = await service.signInWithPassword(app.id, { username: sandbox.user.username, password: sandbox.user.password, scope: 'openid' });
      assert.equal(bare.subject, sandbox.user.sub);
      const worker = await pingOneApp(sandbox.clients.worker);
      assert.equal((await service.clientCredentials(worker.id)).subject, undefined, 'a client-credentials set has no user');
    });

    it("reports a wrong password as access_denied with the server's reason, storing nothing", async () => {
      const app = await pingOneApp(sandbox.clients.native);
      const err = await failure(service.signInWithPassword(app.id, { username: sandbox.user.username, password: 'wrong-password' }));
      assert.equal(err.code, 'access_denied');
      assert.ok(!err.message.includes('wrong-password'));
      assert.deepEqual(service.listTokenSets(), []);
    });

    it('is refused for non-PingOne environments before any request', async () => {
      const app = await pingFederateApp(sandbox.clients.pfWeb);
      const err = await failure(service.signInWithPassword(app.id, { username: 'u', password: 'p' }));
      assert.equal(err.code, 'invalid_input');
      assert.match(err.message, /flows API/);
    });
  });

  describe('refresh', () => {
    async function signedIn(client: SandboxClient, pf = false) {
      const app = pf ? await pingFederateApp(client) : await pingOneApp(client);
      const info = await service.signIn(app.id, { openExternal: sandboxBrowser(sandbox) });
      return { app, info, set: await service.getTokenSet(info.id) };
    }

    it('PingOne rotates: the new refresh token replaces the old, which the server then refuses', async () => {
      const { app, info, set } = await signedIn(sandbox.clients.web);
      const refreshed = await service.refresh(info.id);
      const after = await service.getTokenSet(info.id);
      assert.equal(refreshed.id, info.id);
      assert.notEqual(after.refreshToken, set.refreshToken);
      assert.notEqual(after.accessToken, set.accessToken);
      const endpoints = await service.endpoints(app.environmentId);
      const call = { client: { clientId: app.clientId, clientSecret: sandbox.clients.web.clientSecret, authMethod: app.authMethod }, http: { timeoutMs: 5000 } };
      assert.equal((await failure(refreshTokenGrant(endpoints.token, call, { refreshToken: set.refreshToken! }))).code, 'invalid_grant');
    });

    it('PingFederate does not roll: the old refresh token is kept and still works', async () => {
      const { info, set } = await signedIn(sandbox.clients.pfWeb, true);
      await service.refresh(info.id);
      const after = await service.getTokenSet(info.id);
      assert.equal(after.refreshToken, set.refreshToken);
      assert.notEqual(after.accessToken, set.accessToken);
      await service.refresh(info.id);
      assert.equal((await service.getTokenSet(info.id)).refreshToken, set.refreshToken);
    });

    it('ten concurrent refreshes of one rotating token make exactly one token request', async () => {
      const { info } = await signedIn(sandbox.clients.web);
      sandbox.resetStats();
      const results = await Promise.all(Array.from({ length: 10 }, () => service.refresh(info.id)));
      assert.equal(sandbox.stats().byGrant.refresh_token, 1);
      assert.equal(new Set(results.map((r) => r.issuedAt)).size, 1);
      assert.equal((await service.getTokenSet(info.id)).mark, undefined);
    });

    it('narrows scope on request and refuses to widen it before sending anything', async () => {
      const { info } = await signedIn(sandbox.clients.web);
      const narrowed = await service.refresh(info.id, { scope: 'openid profile' });
      assert.equal(narrowed.scope, 'openid profile');
      sandbox.resetStats();
      const err = await failure(service.refresh(info.id, { scope: 'openid profile admin' }));
      assert.equal(err.code, 'invalid_input');
      assert.match(err.message, /admin was not granted/);
      assert.equal(sandbox.stats().tokenRequests, 0);
    });

    it('marks the set "sign-in required" on invalid_grant and keeps its tokens', async () => {
      const { app, info, set } = await signedIn(sandbox.clients.web);
      // Rotate the token behind the service's back, as another client would.
      const endpoints = await service.endpoints(app.environmentId);
      const call = { client: { clientId: app.clientId, clientSecret: sandbox.clients.web.clientSecret, authMethod: app.authMethod }, http: { timeoutMs: 5000 } };
      await refreshTokenGrant(endpoints.token, call, { refreshToken: set.refreshToken! });
      const err = await failure(service.refresh(info.id));
      assert.equal(err.code, 'invalid_grant');
      assert.equal(service.getTokenSetInfo(info.id).status, 'sign-in-required');
      const kept = await service.getTokenSet(info.id);
      assert.equal(kept.accessToken, set.accessToken);
      assert.equal(kept.refreshToken, set.refreshToken);
    });

    it('leaves the stored set untouched when the server is unreachable', async () => {
      const { info } = await signedIn(sandbox.clients.web);
      const before = secrets.snapshot();
      const indexBefore = service.listTokenSets();
      // Every connection goes to a closed port: the server is gone. (Changing the issuer instead
      // would drop the tokens: they belong to the issuer that issued them.)
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const gone = new http.Agent();
      (gone as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(port, '127.0.0.1');
      const offline = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000, agent: () => gone }) });
      const err = await failure(offline.refresh(info.id));
      assert.equal(err.code, 'network');
      assert.deepEqual(secrets.snapshot(), before);
      assert.deepEqual(offline.listTokenSets(), indexBefore);
    });
  });

  describe('revoke and introspect', () => {
    it('revokes access and refresh tokens; introspection then says inactive', async () => {
      const app = await pingOneApp(sandbox.clients.web);
      const info = await service.signIn(app.id, { openExternal: sandboxBrowser(sandbox) });
      assert.equal((await service.introspect(info.id)).active, true);
      assert.equal((await service.introspect(info.id, { token: 'refresh_token' })).active, true);
      const revoked = await service.revoke(info.id);
      assert.equal(revoked.status, 'revoked');
      assert.equal((await service.introspect(info.id, { token: 'refresh_token' })).active, false);
    });

    it('introspects PingFederate opaque access tokens', async () => {
      const app = await pingFederateApp(sandbox.clients.pfWorker);
      const info = await service.clientCredentials(app.id);
      const set = await service.getTokenSet(info.id);
      assert.throws(() => decodeJwt(set.accessToken), /opaque/);
      const result = await service.introspect(info.id);
      assert.equal(result.active, true);
      assert.equal(result.client_id, sandbox.clients.pfWorker.clientId);
    });
  });

  describe('storage', () => {
    it('removing an environment deletes its applications, secrets and tokens', async () => {
      const app = await pingOneApp(sandbox.clients.worker);
      await service.clientCredentials(app.id);
      assert.ok(secrets.data.size >= 2);
      await service.removeEnvironment(app.environmentId);
      assert.equal(secrets.data.size, 0);
      assert.deepEqual(service.listApplications(), []);
      assert.deepEqual(service.listTokenSets(), []);
    });

    it('skips and reports a corrupt entry without hiding the others', async () => {
      const app = await pingOneApp(sandbox.clients.worker);
      const envs = state.get<unknown[]>('pte.v1.environments')!;
      await state.update('pte.v1.environments', [...envs, { garbage: true }, 42]);
      assert.equal(service.listEnvironments().length, 1);
      assert.equal(service.listApplications()[0].id, app.id);
      assert.equal(service.problems.length, 2);
      await secrets.store(`pte.v1.tokenSet/x`, '{not json');
      assert.equal((await failure(service.getTokenSet('x'))).code, 'invalid_input');
    });
  });
});
