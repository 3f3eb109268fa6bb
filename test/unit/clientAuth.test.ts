/**
 * JWT client authentication (client_secret_jwt, private_key_jwt) and pushed and signed authorization
 * requests, through the token service against the sandbox (a real oidc-provider on loopback, which
 * verifies every assertion, PAR request and request object it receives).
 */
import assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { decodeJwt } from '../../src/core/jwt';
import { KEYS, TokenService } from '../../src/core/service';
import { type Sandbox, type SandboxClient, startSandbox } from '../sandbox';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { useSandboxAndService } from '../support/serviceSuite';
import { failure } from '../support/failure';

/** Plays the browser and records the URL it was sent to. */
function browser(sandbox: Sandbox, opened: string[] = []) {
  return async (url: string) => {
    opened.push(url);
    const location = await sandbox.authorize(url);
    void fetch(location)
      .then((r) => r.text())
      .catch(() => undefined);
  };
}

describe('JWT client authentication, PAR and JAR against the sandbox', function () {
  let sandbox: Sandbox;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;

  useSandboxAndService((p) => ({ sandbox, state, secrets, service } = p));

  async function app(client: SandboxClient, extra: Record<string, unknown> = {}) {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    return service.addApplication(env.id, {
      name: client.clientId,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      authMethod: client.authMethod,
      scopes: 'openid profile',
      ...extra,
    });
  }

  /** Registers the application's public JWKS at the sandbox, as a user pastes it into the tenant. */
  async function register(appId: string, clientId: string) {
    await sandbox.setClientJwks(clientId, await service.publicJwks(appId));
  }

  /** Every secret or key an application has, for "never outside SecretStorage" checks. */
  async function keyMaterial(appId: string): Promise<string[]> {
    const ring = JSON.parse((await secrets.get(KEYS.clientKey(appId))) ?? '{"keys":[]}') as { keys: Array<{ privateJwk: Record<string, string> }> };
    return ring.keys.flatMap((k) => [k.privateJwk.d, k.privateJwk.p, k.privateJwk.q].filter(Boolean));
  }

  describe('client_secret_jwt', () => {
    it('gets a client-credentials token, signs in, refreshes, introspects and revokes with an HS256 assertion', async () => {
      const a = await app(sandbox.clients.secretJwt, { scopes: 'openid profile' });
      assert.equal(a.signingAlg, 'HS256');
      const cc = await service.clientCredentials(a.id, { scope: 'p1:read:user' });
      assert.equal(cc.status, 'valid');
      const info = await service.signIn(a.id, { openExternal: browser(sandbox) });
      assert.ok(info.hasRefreshToken);
      const before = await service.getTokenSet(info.id);
      await service.refresh(info.id);
      assert.notEqual((await service.getTokenSet(info.id)).refreshToken, before.refreshToken);
      assert.equal((await service.introspect(info.id)).active, true);
      await service.revoke(info.id);
      assert.equal((await service.introspect(info.id, { token: 'refresh_token' })).active, false);
    });

    it('a wrong secret is invalid_client with advice for assertions, and stores nothing', async () => {
      const a = await app(sandbox.clients.secretJwt, { clientSecret: 'a-wrong-secret-that-is-long-enough-for-hs256' });
      const before = secrets.snapshot();
      const err = await failure(service.clientCredentials(a.id));
      assert.equal(err.code, 'invalid_client');
      assert.match(err.message, /did not accept the client assertion: check the client secret/);
      assert.ok(!err.message.includes('a-wrong-secret'));
      assert.deepEqual(secrets.snapshot(), before);
    });
  });

  describe('private_key_jwt', () => {
    it('generates a key with a thumbprint kid, publishes only its public part, and authenticates every call with it', async () => {
      const a = await app(sandbox.clients.privateKeyJwt);
      assert.equal(a.signingAlg, 'RS256');
      assert.ok(a.keyId && /^[A-Za-z0-9_-]{43}$/.test(a.keyId), 'RFC 7638 SHA-256 thumbprint');
      const jwks = await service.publicJwks(a.id);
      assert.equal(jwks.keys.length, 1);
      assert.deepEqual(Object.keys(jwks.keys[0]).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
      assert.equal(jwks.keys[0].kid, a.keyId);
      await register(a.id, sandbox.clients.privateKeyJwt.clientId);

      const cc = await service.clientCredentials(a.id, { scope: 'p1:read:user' });
      assert.equal(decodeJwt((await service.getTokenSet(cc.id)).accessToken).payload.client_id, sandbox.clients.privateKeyJwt.clientId);
      const info = await service.signIn(a.id, { openExternal: browser(sandbox) });
      await service.refresh(info.id);
      assert.equal((await service.introspect(info.id)).active, true);
      await service.revoke(info.id);

      // The key material is in SecretStorage only: not in the metadata store, not in the public JWKS.
      const material = await keyMaterial(a.id);
      assert.ok(material.length >= 3);
      const elsewhere = JSON.stringify([...state.data.values()]) + JSON.stringify(jwks) + JSON.stringify(service.listApplications());
      for (const m of material) assert.ok(!elsewhere.includes(m), 'private key material outside SecretStorage');
    });

    it('imports a PEM PKCS#8 key and a private JWK; refuses a public key and garbage before any request', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const a = await app(sandbox.clients.privateKeyJwt, { privateKey: pem });
      assert.equal(a.signingAlg, 'ES256');
      await register(a.id, sandbox.clients.privateKeyJwt.clientId);
      assert.equal((await service.clientCredentials(a.id, { scope: 'p1:read:user' })).status, 'valid');

      const jwk = privateKey.export({ format: 'jwk' });
      const b = await app(sandbox.clients.privateKeyJwt, { privateKey: JSON.stringify(jwk) });
      assert.equal(b.keyId, a.keyId, 'the same key has the same thumbprint kid, however it was pasted');

      const stored = secrets.snapshot();
      const apps = service.listApplications().length;
      const { d: _d, ...publicOnly } = jwk;
      for (const [input, message] of [
        [JSON.stringify(publicOnly), /public key \(it has no "d" member\)/],
        ['-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----', /could not be read/],
        ['ssh-rsa AAAAB3Nza…', /not a private key/],
        ['{"kty":"RSA",', /does not parse/],
      ] as const) {
        const err = await failure(app(sandbox.clients.privateKeyJwt, { privateKey: input }));
        assert.equal(err.code, 'invalid_input');
        assert.equal(err.field, 'privateKey');
        assert.match(err.message, message);
      }
      assert.deepEqual(secrets.snapshot(), stored, 'a malformed key stores nothing');
      assert.equal(service.listApplications().length, apps);
    });

    it('an unregistered key is invalid_client naming the kid to register, and nothing stored changes', async () => {
      const a = await app(sandbox.clients.privateKeyJwt);
      await sandbox.setClientJwks(sandbox.clients.privateKeyJwt.clientId, { keys: [] });
      const before = secrets.snapshot();
      const err = await failure(service.clientCredentials(a.id, { scope: 'p1:read:user' }));
      assert.equal(err.code, 'invalid_client');
      assert.match(err.message, new RegExp(`client assertion: check that the application's public JWKS with kid "${a.keyId}" is registered`));
      assert.deepEqual(secrets.snapshot(), before);
    });

    it('rotates the key: both kids are published, the new one signs, the old one can then be removed', async () => {
      const a = await app(sandbox.clients.privateKeyJwt);
      const rotated = await service.rotateKey(a.id, { signingAlg: 'ES256' });
      const after = service.getApplication(a.id);
      assert.equal(after.keyId, rotated.kid);
      assert.equal(after.signingAlg, 'ES256');
      assert.deepEqual(
        (await service.publicJwks(a.id)).keys.map((k) => k.kid),
        [a.keyId, rotated.kid],
      );
      await register(a.id, sandbox.clients.privateKeyJwt.clientId);
      assert.equal((await service.clientCredentials(a.id, { scope: 'p1:read:user' })).status, 'valid');
      await assert.rejects(service.removeKey(a.id, String(rotated.kid)), /signs with: rotate to a new key first/);
      await service.removeKey(a.id, a.keyId!);
      assert.deepEqual(
        (await service.publicJwks(a.id)).keys.map((k) => k.kid),
        [rotated.kid],
      );
    });
  });

  describe('editing the signing settings', () => {
    it('a client_secret_jwt application takes HS384/HS512 and the issuer as audience, and the server accepts its assertions', async () => {
      const a = await app(sandbox.clients.secretJwt);
      for (const [signingAlg, assertionAudience] of [
        ['HS512', 'issuer'],
        ['HS384', 'token_endpoint'],
      ] as const) {
        const { id: _id, environmentId: _env, ...current } = service.getApplication(a.id);
        const updated = await service.updateApplication(a.id, { ...current, signingAlg, assertionAudience });
        assert.equal(updated.signingAlg, signingAlg);
        assert.equal(updated.assertionAudience ?? 'token_endpoint', assertionAudience);
        assert.equal((await service.clientCredentials(a.id, { scope: 'p1:read:user' })).status, 'valid');
      }
    });

    it('every algorithm the wizard offers for a generated key signs assertions the server accepts', async () => {
      const { PRIVATE_KEY_ALGS } = await import('../../src/core/application');
      const a = await app(sandbox.clients.privateKeyJwt);
      for (const alg of PRIVATE_KEY_ALGS) {
        const jwk = await service.rotateKey(a.id, { signingAlg: alg });
        assert.equal(jwk.alg, alg);
        await register(a.id, sandbox.clients.privateKeyJwt.clientId);
        assert.equal((await service.clientCredentials(a.id, { scope: 'p1:read:user' })).status, 'valid', alg);
      }
    });

    it('another algorithm for a private_key_jwt key is refused (a new key is a rotation) and nothing changes; the audience can change', async () => {
      const a = await app(sandbox.clients.privateKeyJwt, { dpop: true });
      await register(a.id, sandbox.clients.privateKeyJwt.clientId);
      const { id: _id, environmentId: _env, keyId: _kid, ...current } = service.getApplication(a.id);
      const stored = secrets.snapshot();
      const err = await failure(service.updateApplication(a.id, { ...current, signingAlg: 'ES256' }));
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.field, 'signingAlg');
      assert.match(err.message, /signs with its key, which is RS256: to sign with ES256, rotate to a new key/);
      assert.deepEqual(secrets.snapshot(), stored);
      assert.deepEqual(JSON.parse(JSON.stringify(service.getApplication(a.id))), JSON.parse(JSON.stringify(a)));
      const updated = await service.updateApplication(a.id, { ...current, assertionAudience: 'issuer' });
      assert.equal(updated.assertionAudience, 'issuer');
      assert.equal(updated.keyId, a.keyId, 'the same key');
      assert.equal(updated.dpop, true, 'the other settings are kept');
      assert.equal((await service.clientCredentials(a.id, { scope: 'p1:read:user' })).status, 'valid');
    });
  });

  describe('pushed authorization requests (RFC 9126)', () => {
    it('pushes the request when the application requires it: the browser gets only client_id and request_uri', async () => {
      const a = await app(sandbox.clients.par, { pushedAuthorization: 'always' });
      const opened: string[] = [];
      const info = await service.signIn(a.id, { openExternal: browser(sandbox, opened) });
      assert.equal(info.hasIdToken, true);
      const url = new URL(opened[0]);
      assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
      assert.match(url.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);
    });

    it('without PAR the server refuses such an application (its parRequirement), and the listener closes', async () => {
      const a = await app(sandbox.clients.par, { pushedAuthorization: 'never' });
      const err = await failure(service.signIn(a.id, { openExternal: browser(sandbox), timeoutMs: 5000 }));
      assert.equal(err.code, 'invalid_request');
      assert.match(err.message, /pushed/i);
    });

    it('`auto` follows the server: PAR and JAR when discovery requires them, the plain redirect otherwise', async () => {
      const a = await app(sandbox.clients.web);
      const opened: string[] = [];
      await service.signIn(a.id, { openExternal: browser(sandbox, opened) });
      assert.ok(new URL(opened[0]).searchParams.has('code_challenge'), 'plain redirect: the sandbox requires neither');
      const { planAuthorization } = await import('../../src/core/authorize');
      const cases: Array<[Parameters<typeof planAuthorization>[0], Parameters<typeof planAuthorization>[1], { par: boolean; jar: boolean }]> = [
        [{}, {}, { par: false, jar: false }],
        [{}, { requirePar: true, requireSignedRequestObject: true }, { par: true, jar: true }],
        [{ pushedAuthorization: 'never' }, { requirePar: true }, { par: false, jar: false }],
        [{ pushedAuthorization: 'always', requestObject: 'always' }, {}, { par: true, jar: true }],
        [{ requestObject: 'never' }, { requireSignedRequestObject: true }, { par: false, jar: false }],
      ];
      for (const [appPolicy, server, expected] of cases) assert.deepEqual(planAuthorization(appPolicy, server), expected, JSON.stringify([appPolicy, server]));
    });
  });

  describe('headless sign-in (flows API) for applications that need PAR or JAR', () => {
    /** A service whose requests are recorded (method and path), to see what went where. */
    function recording(): { service: TokenService; requests: string[] } {
      const requests: string[] = [];
      const recorded = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000, log: (e) => requests.push(`${e.method} ${new URL(e.url).pathname}`) }) });
      return { service: recorded, requests };
    }
    const credentials = () => ({ username: sandbox.user.username, password: sandbox.user.password });

    it('pushes the authorization request (with pi.flow) and starts the flow from client_id and request_uri only', async () => {
      const { service: recorded, requests } = recording();
      service = recorded;
      const a = await app(sandbox.clients.par, { pushedAuthorization: 'always' });
      const info = await service.signInWithPassword(a.id, credentials());
      assert.ok(info.hasIdToken && info.hasRefreshToken);
      assert.equal(decodeJwt((await service.getTokenSet(info.id)).idToken!).payload.sub, sandbox.user.sub);
      const as = `/${sandbox.envId}/as`;
      const par = requests.indexOf(`POST ${as}/par`);
      assert.ok(par >= 0, `a pushed request: ${requests.join(', ')}`);
      assert.ok(requests.indexOf(`GET ${as}/authorize`) > par, 'the flow starts after the push');

      // What the flow was started with, from the core function itself.
      const { flowsSignIn } = await import('../../src/core/flows');
      const { resolveEndpoints } = await import('../../src/core/endpoints');
      const env = service.getEnvironment(a.environmentId);
      const endpoints = await resolveEndpoints(env, { timeoutMs: 5000 });
      const { request } = await flowsSignIn(endpoints, {
        clientId: a.clientId,
        redirectUri: 'http://127.0.0.1/callback',
        scope: 'openid',
        ...credentials(),
        http: { timeoutMs: 5000 },
        authorization: {
          call: { client: { clientId: a.clientId, authMethod: 'client_secret_basic', clientSecret: sandbox.clients.par.clientSecret }, http: { timeoutMs: 5000 } },
          plan: { par: true, jar: false },
        },
      });
      const started = new URL(request.url);
      assert.equal(started.origin + started.pathname, endpoints.authorization);
      assert.deepEqual([...started.searchParams.keys()].sort(), ['client_id', 'request_uri']);
      assert.match(started.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:/);
    });

    it('without PAR the server refuses such an application: its OAuth error, not a flow, and nothing is stored', async () => {
      const never = await app(sandbox.clients.par, { pushedAuthorization: 'never' });
      const before = secrets.snapshot();
      const err = await failure(service.signInWithPassword(never.id, credentials()));
      assert.equal(err.code, 'invalid_request');
      assert.match(err.message, /pushed/i);
      assert.ok(!err.message.includes(sandbox.user.password));
      assert.deepEqual(secrets.snapshot(), before);
      assert.deepEqual(service.listTokenSets(), []);
    });

    it('signs the request (JAR) with the private key when the application requires it', async () => {
      const a = await app(sandbox.clients.jar, { requestObject: 'always' });
      await register(a.id, sandbox.clients.jar.clientId);
      const info = await service.signInWithPassword(a.id, credentials());
      assert.ok(info.hasIdToken);
    });
  });

  describe('signed request objects (RFC 9101)', () => {
    it('signs the request with the private key when the application requires it (front channel)', async () => {
      const a = await app(sandbox.clients.jar, { requestObject: 'always' });
      await register(a.id, sandbox.clients.jar.clientId);
      const opened: string[] = [];
      const info = await service.signIn(a.id, { openExternal: browser(sandbox, opened) });
      assert.equal(info.hasIdToken, true);
      const url = new URL(opened[0]);
      const request = url.searchParams.get('request');
      assert.ok(request, 'a request object');
      const { header, payload } = decodeJwt(request!);
      assert.equal(header.kid, a.keyId);
      assert.equal(payload.iss, sandbox.clients.jar.clientId);
      assert.equal(payload.aud, sandbox.pingone.issuer);
      assert.ok(payload.code_challenge && payload.state && payload.nonce);
    });

    it('signs with the client secret (HS256) for a secret-based application, and pushes it', async () => {
      const a = await app(sandbox.clients.par, { requestObject: 'always', pushedAuthorization: 'always' });
      const opened: string[] = [];
      await service.signIn(a.id, { openExternal: browser(sandbox, opened) });
      assert.deepEqual([...new URL(opened[0]).searchParams.keys()].sort(), ['client_id', 'request_uri']);
    });
  });
});

describe('DPoP-bound tokens (RFC 9449) against the sandbox', function () {
  let sandbox: Sandbox;
  let service: TokenService;
  let secrets: MemorySecrets;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.close());
  beforeEach(() => {
    secrets = new MemorySecrets();
    service = new TokenService({ state: new MemoryState(), secrets, http: () => ({ timeoutMs: 5000 }) });
  });

  async function dpopApp() {
    const env = await service.addEnvironment({ name: 'Sandbox', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const c = sandbox.clients.dpop;
    return service.addApplication(env.id, {
      name: 'DPoP',
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      authMethod: c.authMethod,
      scopes: 'openid profile',
      dpop: true,
    });
  }

  it("signs in with a proof (retrying once for the server nonce), binds the tokens to the set's key, refreshes with a new proof, calls userinfo with a proof", async () => {
    const a = await dpopApp();
    const info = await service.signIn(a.id, { openExternal: browser(sandbox) });
    assert.equal(info.dpop, true);
    const set = await service.getTokenSet(info.id);
    assert.equal(set.tokenType, 'DPoP');
    const { dpopThumbprint } = await import('../../src/core/dpop');
    const jkt = await dpopThumbprint(set.dpopKey as never);
    assert.equal((decodeJwt(set.accessToken).payload.cnf as { jkt: string }).jkt, jkt, 'bound to the key stored with the set');
    await service.refresh(info.id);
    const refreshed = await service.getTokenSet(info.id);
    assert.notEqual(refreshed.refreshToken, set.refreshToken);
    assert.deepEqual(refreshed.dpopKey, set.dpopKey, 'the same key for the life of the set');
    assert.equal((decodeJwt(refreshed.accessToken).payload.cnf as { jkt: string }).jkt, jkt);
    assert.equal((await service.userinfo(info.id)).sub, sandbox.user.sub);
  });

  it('gets a DPoP-bound client-credentials token, and gives a proof for a resource request (with ath)', async () => {
    const a = await dpopApp();
    const info = await service.clientCredentials(a.id, { scope: 'p1:read:user' });
    assert.equal(info.dpop, true);
    const proof = await service.dpopProof(info.id, { method: 'get', url: 'https://api.pingone.com/v1/environments?limit=1#x' });
    const { header, payload } = decodeJwt(proof);
    assert.equal(header.typ, 'dpop+jwt');
    assert.equal(payload.htm, 'GET');
    assert.equal(payload.htu, 'https://api.pingone.com/v1/environments');
    assert.ok(typeof payload.ath === 'string' && typeof payload.jti === 'string');
    assert.equal((header.jwk as Record<string, unknown>).d, undefined, 'only the public key travels');
  });

  it('a plain bearer set has no proof to give', async () => {
    const env = await service.addEnvironment({ name: 'S', kind: 'pingone', environmentId: sandbox.envId, authBaseUrl: sandbox.pingone.authBase });
    const w = sandbox.clients.worker;
    const a = await service.addApplication(env.id, { name: 'W', clientId: w.clientId, clientSecret: w.clientSecret, authMethod: w.authMethod });
    const info = await service.clientCredentials(a.id);
    assert.equal(info.dpop, undefined);
    await assert.rejects(service.dpopProof(info.id, { method: 'GET', url: 'https://x.example/' }), /not DPoP-bound/);
  });
});
