// The sandbox authorization server (test/sandbox) over real loopback HTTP: PingOne and PingFederate
// shapes, token contents, refresh-token rotation, userinfo, introspection/revocation, flows API.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { startSandbox, type Sandbox, type SandboxClient } from '../sandbox';

type Json = Record<string, any>;

const CALLBACK = 'http://127.0.0.1:5555/callback'; // any port: the clients register http://127.0.0.1/callback
const CHECK_TYPE = 'application/vnd.pingidentity.usernamePassword.check+json';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** POST a form, authenticating the client the way it is registered. */
async function postForm(url: string, params: Record<string, string>, client?: SandboxClient): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const body = new URLSearchParams(params);
  if (client?.authMethod === 'client_secret_basic') {
    headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  } else if (client) {
    body.set('client_id', client.clientId);
    if (client.clientSecret) body.set('client_secret', client.clientSecret);
  }
  return fetch(url, { method: 'POST', headers, body });
}

function authorizationUrl(endpoint: string, client: SandboxClient, extra: Record<string, string> = {}): string {
  return `${endpoint}?${new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope: 'openid profile email',
    state: randomBytes(8).toString('hex'),
    ...extra,
  })}`;
}

/** Sign in through `authorize()` and redeem the code; returns the token response. */
async function signIn(sb: Sandbox, client: SandboxClient, variant: 'pingone' | 'pingfederate' = 'pingone'): Promise<Json> {
  const { verifier, challenge } = pkce();
  const [authorize, token] =
    variant === 'pingone'
      ? [`${sb.pingone.issuer}/authorize`, `${sb.pingone.issuer}/token`]
      : [`${sb.pingfederate.issuer}/as/authorization.oauth2`, `${sb.pingfederate.issuer}/as/token.oauth2`];
  const location = new URL(
    await sb.authorize(
      authorizationUrl(authorize, client, {
        code_challenge: challenge,
        code_challenge_method: 'S256',
        nonce: 'n-0S6',
      }),
    ),
  );
  const res = await postForm(
    token,
    {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code')!,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    },
    client,
  );
  assert.equal(res.status, 200);
  return res.json() as Promise<Json>;
}

describe('sandbox authorization server', function () {
  this.timeout(10_000);
  let sb: Sandbox;
  let p1: string;
  let pf: string;

  before(async () => {
    sb = await startSandbox();
    p1 = sb.pingone.issuer;
    pf = sb.pingfederate.issuer;
  });
  after(() => sb?.close());
  beforeEach(() => sb.resetStats());

  describe('PingOne shape', () => {
    it('listens on 127.0.0.1 and mounts the issuer under /{envId}/as', () => {
      assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(sb.url, `http://127.0.0.1:${sb.port}`);
      assert.equal(sb.pingone.authBase, sb.url);
      assert.equal(p1, `${sb.url}/${sb.envId}/as`);
      assert.equal(pf, `${sb.url}/pf`);
    });

    it('publishes discovery with PingOne endpoint paths', async () => {
      const res = await fetch(`${p1}/.well-known/openid-configuration`);
      assert.equal(res.status, 200);
      const d = (await res.json()) as Json;
      assert.equal(d.issuer, p1);
      assert.deepEqual(
        [
          d.authorization_endpoint,
          d.token_endpoint,
          d.userinfo_endpoint,
          d.jwks_uri,
          d.introspection_endpoint,
          d.revocation_endpoint,
          d.end_session_endpoint,
          d.device_authorization_endpoint,
          d.pushed_authorization_request_endpoint,
        ],
        ['/authorize', '/token', '/userinfo', '/jwks', '/introspect', '/revoke', '/signoff', '/device_authorization', '/par'].map((p) => p1 + p),
      );
      assert.ok(d.grant_types_supported.includes('client_credentials'));
      assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    });

    it('answers unknown paths with a PingOne platform 404', async () => {
      for (const path of ['/nope', `/${sb.envId}/as/nope`, '/pf/nope']) {
        const res = await fetch(sb.url + path);
        assert.equal(res.status, 404, path);
        const body = (await res.json()) as Json;
        assert.equal(body.code, 'NOT_FOUND');
        assert.equal(typeof body.id, 'string');
        assert.equal(typeof body.message, 'string');
      }
    });

    it('issues client-credentials JWTs with PingOne claims that verify against /jwks', async () => {
      const { worker } = sb.clients;
      const res = await postForm(`${p1}/token`, { grant_type: 'client_credentials', scope: worker.scopes }, worker);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Json;
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      const header = decodeProtectedHeader(body.access_token);
      assert.equal(header.alg, 'RS256');
      assert.equal(header.typ, 'at+jwt');
      assert.ok(header.kid);
      const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(`${p1}/jwks`)), {
        issuer: p1,
        audience: 'https://api.pingone.com',
      });
      assert.equal(payload.client_id, worker.clientId);
      assert.equal(payload.scope, worker.scopes);
      assert.equal(payload.env, sb.envId);
      assert.match(String(payload.org), /^[0-9a-f-]{36}$/);
      assert.equal(payload.sub, undefined, 'client-credentials tokens have no sub');
      assert.equal(payload.exp! - payload.iat!, 3600);
      assert.deepEqual(sb.stats(), { requests: 2, tokenRequests: 1, byGrant: { client_credentials: 1 } }, 'the token request and the key set');
    });

    it('rejects a wrong secret and a wrong auth method with 401 invalid_client', async () => {
      const { worker, post } = sb.clients;
      const attempts = [
        postForm(`${p1}/token`, { grant_type: 'client_credentials' }, { ...worker, clientSecret: 'wrong' }),
        postForm(`${p1}/token`, { grant_type: 'client_credentials' }, { ...worker, authMethod: 'client_secret_post' }),
        postForm(`${p1}/token`, { grant_type: 'client_credentials' }, { ...post, authMethod: 'client_secret_basic' }),
      ];
      for (const res of await Promise.all(attempts)) {
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as Json).error, 'invalid_client');
      }
      assert.equal(sb.stats().byGrant.client_credentials, 3);
    });

    it('signs in with code + PKCE on any loopback port and issues JWT, ID and refresh tokens', async () => {
      const { web } = sb.clients;
      const { verifier, challenge } = pkce();
      const url = authorizationUrl(`${p1}/authorize`, web, { state: 'xyz', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256' });
      const location = new URL(await sb.authorize(url));
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
      assert.equal(location.searchParams.get('state'), 'xyz');
      assert.equal(location.searchParams.get('iss'), p1);

      const res = await postForm(
        `${p1}/token`,
        {
          grant_type: 'authorization_code',
          code: location.searchParams.get('code')!,
          redirect_uri: CALLBACK,
          code_verifier: verifier,
        },
        web,
      );
      assert.equal(res.status, 200);
      const tokens = (await res.json()) as Json;
      assert.equal(tokens.scope, 'openid profile email');
      assert.ok(tokens.refresh_token, 'refresh token without offline_access (app has the refresh_token grant)');
      assert.equal(tokens.refresh_token.split('.').length, 1, 'refresh tokens are opaque');

      const jwks = createRemoteJWKSet(new URL(`${p1}/jwks`));
      const { payload: at } = await jwtVerify(tokens.access_token, jwks, { issuer: p1, audience: 'https://api.pingone.com' });
      assert.equal(at.sub, sb.user.sub);
      assert.equal(at.client_id, web.clientId);
      assert.equal(at.scope, 'openid profile email');
      assert.equal(at.env, sb.envId);
      assert.ok(at.org && at.sid && at.auth_time);
      const { payload: id } = await jwtVerify(tokens.id_token, jwks, { issuer: p1, audience: web.clientId });
      assert.equal(id.nonce, 'n-1');
      assert.equal(id.email, sb.user.email);
    });

    it('rotates refresh tokens and revokes the chain when a used one is replayed', async () => {
      const { web } = sb.clients;
      const first = await signIn(sb, web);
      const refresh = (token: string) => postForm(`${p1}/token`, { grant_type: 'refresh_token', refresh_token: token }, web);

      const res = await refresh(first.refresh_token);
      assert.equal(res.status, 200);
      const second = (await res.json()) as Json;
      assert.ok(second.refresh_token);
      assert.notEqual(second.refresh_token, first.refresh_token);

      const replay = await refresh(first.refresh_token);
      assert.equal(replay.status, 400);
      assert.equal(((await replay.json()) as Json).error, 'invalid_grant');
      const descendant = await refresh(second.refresh_token);
      assert.equal(descendant.status, 400, 'replay protection revoked the rotated token too');
      assert.deepEqual(sb.stats().byGrant, { authorization_code: 1, refresh_token: 3 });
    });

    it('requires PKCE for the public native client and redeems its code without a secret', async () => {
      const { native } = sb.clients;
      const withoutPkce = new URL(await sb.authorize(authorizationUrl(`${p1}/authorize`, native)));
      assert.equal(withoutPkce.searchParams.get('error'), 'invalid_request');
      const tokens = await signIn(sb, native);
      assert.ok(tokens.access_token && tokens.refresh_token && tokens.id_token);
    });

    it('authorize() rejects a wrong password and reports a denial as access_denied', async () => {
      const url = authorizationUrl(`${p1}/authorize`, sb.clients.web);
      await assert.rejects(sb.authorize(url, { password: 'wrong' }), /invalid username or password/);
      const denied = new URL(await sb.authorize(url, { deny: true }));
      assert.equal(denied.searchParams.get('error'), 'access_denied');
    });

    it('serves userinfo for its JWT access tokens and refuses others with invalid_token', async () => {
      const tokens = await signIn(sb, sb.clients.post);
      const get = (token?: string) => fetch(`${p1}/userinfo`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

      const ok = await get(tokens.access_token);
      assert.equal(ok.status, 200);
      const claims = (await ok.json()) as Json;
      assert.equal(claims.sub, sb.user.sub);
      assert.equal(claims.email, sb.user.email);
      assert.equal(claims.name, sb.user.name);

      for (const token of [undefined, 'not-a-token', `${tokens.access_token.slice(0, -4)}AAAA`]) {
        const res = await get(token);
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate')!, /^Bearer error="invalid_token"/);
      }
    });

    it('introspects and revokes JWT access tokens and refresh tokens', async () => {
      const { web } = sb.clients;
      const tokens = await signIn(sb, web);
      const introspect = async (token: string) => (await postForm(`${p1}/introspect`, { token }, web)).json() as Promise<Json>;

      const active = await introspect(tokens.access_token);
      assert.equal(active.active, true);
      assert.equal(active.sub, sb.user.sub);
      assert.equal(active.client_id, web.clientId);
      assert.equal(active.scope, 'openid profile email');
      assert.equal(active.env, sb.envId);
      assert.equal((await introspect(tokens.refresh_token)).active, true);

      assert.equal((await postForm(`${p1}/revoke`, { token: tokens.access_token }, web)).status, 200);
      assert.equal((await introspect(tokens.access_token)).active, false);
      const userinfo = await fetch(`${p1}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(userinfo.status, 401);

      assert.equal((await postForm(`${p1}/revoke`, { token: tokens.refresh_token, token_type_hint: 'refresh_token' }, web)).status, 200);
      const refresh = await postForm(`${p1}/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, web);
      assert.equal(refresh.status, 400);
      assert.equal(((await refresh.json()) as Json).error, 'invalid_grant');
    });

    it('honours envId and accessTokenTtlSeconds', async () => {
      const other = await startSandbox({ envId: 'e0e0e0e0-1111-4111-8111-000000000002', accessTokenTtlSeconds: 300 });
      try {
        assert.notEqual(other.port, sb.port);
        assert.equal(other.pingone.issuer, `${other.url}/e0e0e0e0-1111-4111-8111-000000000002/as`);
        const res = await postForm(`${other.pingone.issuer}/token`, { grant_type: 'client_credentials' }, other.clients.worker);
        const body = (await res.json()) as Json;
        assert.equal(body.expires_in, 300);
        const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString()) as Json;
        assert.equal(payload.env, other.envId);
      } finally {
        await other.close();
      }
    });
  });

  describe('PingFederate shape', () => {
    it('publishes discovery with PingFederate endpoint paths under /pf', async () => {
      const d = (await (await fetch(`${pf}/.well-known/openid-configuration`)).json()) as Json;
      assert.equal(d.issuer, pf);
      assert.deepEqual(
        [d.authorization_endpoint, d.token_endpoint, d.introspection_endpoint, d.revocation_endpoint, d.userinfo_endpoint, d.jwks_uri],
        ['/as/authorization.oauth2', '/as/token.oauth2', '/as/introspect.oauth2', '/as/revoke_token.oauth2', '/idp/userinfo.openid', '/JWKS'].map((p) => pf + p),
      );
      assert.equal((await fetch(`${pf}/JWKS`)).status, 200);
    });

    it('issues opaque access tokens to a client_secret_post worker', async () => {
      const { pfWorker } = sb.clients;
      const res = await postForm(`${pf}/as/token.oauth2`, { grant_type: 'client_credentials', scope: 'api:read' }, pfWorker);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Json;
      assert.equal(body.scope, 'api:read');
      assert.doesNotMatch(body.access_token, /\./, 'opaque, not a JWT');
      const introspection = (await (await postForm(`${pf}/as/introspect.oauth2`, { token: body.access_token }, pfWorker)).json()) as Json;
      assert.equal(introspection.active, true);
      assert.equal(introspection.client_id, pfWorker.clientId);

      const wrong = await postForm(`${pf}/as/token.oauth2`, { grant_type: 'client_credentials' }, { ...pfWorker, clientSecret: 'nope' });
      assert.equal(wrong.status, 401);
      assert.equal(((await wrong.json()) as Json).error, 'invalid_client');
    });

    it('does not roll refresh tokens, and serves userinfo for its opaque tokens', async () => {
      const { pfWeb } = sb.clients;
      const tokens = await signIn(sb, pfWeb, 'pingfederate');
      assert.ok(tokens.refresh_token);
      for (let i = 0; i < 2; i++) {
        const res = await postForm(`${pf}/as/token.oauth2`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'openid profile' }, pfWeb);
        assert.equal(res.status, 200);
        const body = (await res.json()) as Json;
        assert.equal(body.refresh_token, undefined, 'no new refresh token when it does not roll');
        assert.equal(body.scope, 'openid profile');
      }
      assert.deepEqual(sb.stats().byGrant, { authorization_code: 1, refresh_token: 2 });

      const userinfo = await fetch(`${pf}/idp/userinfo.openid`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(userinfo.status, 200);
      assert.equal(((await userinfo.json()) as Json).sub, sb.user.sub);
    });
  });

  describe('flows API (response_mode=pi.flow)', () => {
    const flowsUrl = (id: string) => `${sb.url}/${sb.envId}/flows/${id}`;
    const check = (href: string, cookie: string, credentials: Json) =>
      fetch(href, {
        method: 'POST',
        headers: { cookie, 'content-type': CHECK_TYPE },
        body: JSON.stringify(credentials),
      });

    /** Starts a flow for the web client; returns the flow JSON and the cookies to send back. */
    async function startFlow(state = 'flow-state') {
      const url = authorizationUrl(`${p1}/authorize`, sb.clients.web, { state, response_mode: 'pi.flow' });
      const res = await fetch(url);
      assert.equal(res.status, 200);
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      assert.match(cookie, /^ST=/);
      return { flow: (await res.json()) as Json, cookie };
    }

    it('signs in headlessly and resumes with a redirect carrying the code', async () => {
      const { flow, cookie } = await startFlow();
      assert.equal(flow.status, 'USERNAME_PASSWORD_REQUIRED');
      assert.equal(flow._links['usernamePassword.check'].href, flowsUrl(flow.id));

      const current = await fetch(flow._links.self.href, { headers: { cookie } });
      assert.equal(((await current.json()) as Json).status, 'USERNAME_PASSWORD_REQUIRED');

      const done = await check(flow._links['usernamePassword.check'].href, cookie, { username: sb.user.username, password: sb.user.password });
      assert.equal(done.status, 200);
      const completed = (await done.json()) as Json;
      assert.equal(completed.status, 'COMPLETED');
      assert.equal(completed.resumeUrl, `${p1}/resume?flowId=${flow.id}`);

      const resumed = await fetch(completed.resumeUrl, { headers: { cookie }, redirect: 'manual' });
      assert.equal(resumed.status, 302);
      const location = new URL(resumed.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
      assert.equal(location.searchParams.get('state'), 'flow-state');

      const token = await postForm(`${p1}/token`, { grant_type: 'authorization_code', code: location.searchParams.get('code')!, redirect_uri: CALLBACK }, sb.clients.web);
      assert.equal(token.status, 200);
      assert.equal((await fetch(completed.resumeUrl, { headers: { cookie }, redirect: 'manual' })).status, 404, 'a flow resumes once');
    });

    it('returns the authorize response as JSON to a client that accepts JSON', async () => {
      const { flow, cookie } = await startFlow('json-state');
      await check(flowsUrl(flow.id), cookie, { username: sb.user.username, password: sb.user.password });
      const res = await fetch(`${p1}/resume?flowId=${flow.id}`, { headers: { cookie, accept: 'application/json' } });
      assert.equal(res.status, 200);
      const { authorizeResponse } = (await res.json()) as Json;
      assert.equal(authorizeResponse.state, 'json-state');
      assert.ok(authorizeResponse.code);
    });

    it('rejects a wrong password with INVALID_DATA and keeps the flow open', async () => {
      const { flow, cookie } = await startFlow();
      const res = await check(flowsUrl(flow.id), cookie, { username: sb.user.username, password: 'wrong' });
      assert.equal(res.status, 400);
      const error = (await res.json()) as Json;
      assert.equal(error.code, 'INVALID_DATA');
      assert.equal(error.details[0].code, 'INVALID_VALUE');
      assert.equal(error.details[0].target, 'password');
      const current = (await (await fetch(flowsUrl(flow.id), { headers: { cookie } })).json()) as Json;
      assert.equal(current.status, 'USERNAME_PASSWORD_REQUIRED');
      const early = await fetch(`${p1}/resume?flowId=${flow.id}`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(early.status, 400);
    });

    it('needs the ST cookie, the check content type and a known flow', async () => {
      const { flow, cookie } = await startFlow();
      assert.equal((await fetch(flowsUrl(flow.id))).status, 400, 'no cookie');
      const wrongType = await fetch(flowsUrl(flow.id), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'a', password: 'b' }),
      });
      assert.equal(wrongType.status, 400);
      const unknown = await fetch(flowsUrl('00000000-0000-4000-8000-000000000000'), { headers: { cookie } });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as Json).code, 'NOT_FOUND');
    });
  });
});
