/**
 * OpenID Connect relying-party conformance: each check of the OpenID Foundation's Basic and Config
 * RP profiles that applies to a code-flow client, by the name the foundation's tests use, run
 * through the token service against a real provider on loopback that signs what each test asks for.
 * Each check has its pass case and its reject case; a rejected answer stores nothing.
 */
import assert from 'node:assert/strict';
import { validateAuthorizationResponse } from '../../src/core/authorize';
import { KEYS, TokenService } from '../../src/core/service';
import { type ConformanceProvider, type SigningKeyPair, makeKey, signJwt, startConformanceProvider, unsignedJwt } from '../support/conformanceProvider';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { failure } from '../support/failure';

const CLIENT_ID = 'rp-client';
const SECRET = 'rp-client-secret-0123456789';
const NONCE = 'nonce-0123456789abcdef';

describe('OpenID Connect relying-party conformance', function () {
  let op: ConformanceProvider;
  let rs256: SigningKeyPair;
  let es256: SigningKeyPair;
  let state: MemoryState;
  let secrets: MemorySecrets;
  let service: TokenService;
  let appId: string;
  const now = () => Math.floor(Date.now() / 1000);

  before(async () => {
    rs256 = await makeKey('RS256', 'rsa-1');
    es256 = await makeKey('ES256', 'ec-1');
  });

  async function setUp(issuerPath = '/op') {
    op = await startConformanceProvider(issuerPath);
    op.jwks = { keys: [rs256.publicJwk, es256.publicJwk] };
    state = new MemoryState();
    secrets = new MemorySecrets();
    service = new TokenService({ state, secrets, http: () => ({ timeoutMs: 5000 }) });
    const env = await service.addEnvironment({ name: 'OP', kind: 'oidc', issuer: op.issuer });
    appId = (
      await service.addApplication(env.id, {
        name: 'RP',
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        authMethod: 'client_secret_basic',
        scopes: 'openid',
        grants: ['authorization_code'],
      })
    ).id;
  }

  beforeEach(() => setUp());
  afterEach(() => op.close());

  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: op.issuer,
    sub: 'user-1',
    aud: CLIENT_ID,
    iat: now(),
    exp: now() + 300,
    nonce: NONCE,
    ...extra,
  });

  /** The token endpoint answers with this ID token (and a refresh token). */
  function answerWith(idToken: string, extra: Record<string, unknown> = {}) {
    op.tokenAnswers = [
      { body: { access_token: `at-${Math.random()}`, token_type: 'Bearer', expires_in: 300, refresh_token: `rt-${Math.random()}`, id_token: idToken, ...extra } },
    ];
  }

  const signIn = () => service.exchangeCode(appId, { code: 'code-1', redirectUri: 'http://127.0.0.1/callback', nonce: NONCE });

  async function accepted(idToken: string) {
    answerWith(idToken);
    const info = await signIn();
    assert.equal(info.hasIdToken, true);
    return info;
  }

  async function rejected(idToken: string, message: RegExp, code = 'invalid_id_token') {
    answerWith(idToken);
    const before = secrets.snapshot();
    const sets = service.listTokenSets().length;
    const err = await failure(signIn());
    assert.equal(err.code, code);
    assert.match(err.message, message);
    assert.deepEqual(secrets.snapshot(), before, 'a rejected ID token stores nothing');
    assert.equal(service.listTokenSets().length, sets);
    return err;
  }

  describe('ID token', () => {
    it('rp-id_token-aud: accepts our client as the audience, alone or as the only array member', async () => {
      await accepted(await signJwt(claims(), rs256));
      await accepted(await signJwt(claims({ aud: [CLIENT_ID] }), rs256));
      await accepted(await signJwt(claims({ aud: [CLIENT_ID], azp: CLIENT_ID }), rs256));
    });

    it('rp-id_token-aud: rejects another audience, an extra untrusted audience, and a foreign azp', async () => {
      await rejected(await signJwt(claims({ aud: 'someone-else' }), rs256), /audience "someone-else" does not include this application's client ID "rp-client"/);
      await rejected(
        await signJwt(claims({ aud: [CLIENT_ID, 'other-client'], azp: 'other-client' }), rs256),
        /also meant for "other-client", an audience this application does not trust/,
      );
      await rejected(await signJwt(claims({ aud: [CLIENT_ID, 'other-client'] }), rs256), /also meant for "other-client"/);
      await rejected(await signJwt(claims({ azp: 'other-client' }), rs256), /authorized party \(azp\) is "other-client"/);
    });

    it('rp-id_token-iat: rejects an ID token without iat, or issued in the future beyond the clock tolerance (naming the skew)', async () => {
      await rejected(await signJwt(claims({ iat: undefined }), rs256), /no "iat" claim/);
      await rejected(await signJwt(claims({ iat: now() + 600 }), rs256), /issued 10 minutes in the future \(allowing 60 s\).*clock/);
      await accepted(await signJwt(claims({ iat: now() + 30 }), rs256)); // within the tolerance
    });

    it('rp-id_token-sub: rejects an ID token without sub', async () => {
      await rejected(await signJwt(claims({ sub: undefined }), rs256), /no "sub" claim/);
    });

    it('rp-id_token-issuer-mismatch: rejects an ID token from another issuer, comparing exactly', async () => {
      await rejected(await signJwt(claims({ iss: 'https://attacker.example' }), rs256), /issuer "https:\/\/attacker.example" is not this environment's issuer/);
      await rejected(await signJwt(claims({ iss: `${op.issuer}/` }), rs256), /is not this environment's issuer/);
    });

    it('rejects an expired ID token, naming how long ago and the tolerance', async () => {
      await rejected(await signJwt(claims({ iat: now() - 3600, exp: now() - 600 }), rs256), /expired 10 minutes ago \(allowing 60 s of clock difference\)/);
      await accepted(await signJwt(claims({ iat: now() - 600, exp: now() - 30 }), rs256)); // within the tolerance
    });

    it('rp-id_token-bad-sig-rs256: rejects an RS256 token whose signature does not verify', async () => {
      const good = await signJwt(claims(), rs256);
      const [h, , s] = good.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify(claims({ sub: 'admin' }))).toString('base64url')}.${s}`;
      await rejected(forged, /RS256 signature does not verify with the issuer's key/);
    });

    it('rp-id_token-bad-sig-es256: accepts a good ES256 signature and rejects a bad one', async () => {
      await accepted(await signJwt(claims(), es256));
      const impostor = await makeKey('ES256', 'ec-1'); // same kid, another key
      await rejected(await signJwt(claims(), impostor), /ES256 signature does not verify/);
    });

    it('rp-id_token-bad-sig-hs256: verifies HS256 with the client secret, and rejects another secret', async () => {
      const hs = (secret: string) => ({ kid: 'x', alg: 'RS256' as const, privateKey: new TextEncoder().encode(secret), publicJwk: {} });
      await accepted(await signJwt(claims(), hs(SECRET), { alg: 'HS256', kid: null }));
      await rejected(await signJwt(claims(), hs('not-the-secret-at-all'), { alg: 'HS256', kid: null }), /HS256 signature does not verify with the client secret/);
    });

    it('rp-id_token-sig-none: refuses an unsigned ID token', async () => {
      await rejected(unsignedJwt(claims()), /unsigned \(alg "none"\)/);
      assert.equal(op.count('/jwks'), 0, 'an unsigned token is refused before any key is fetched');
    });

    it('rp-id_token-kid-absent-single-jwks: accepts a token without kid when one key fits', async () => {
      op.jwks = { keys: [rs256.publicJwk] };
      await accepted(await signJwt(claims(), rs256, { kid: null }));
    });

    it('rp-id_token-kid-absent-multiple-jwks: rejects clearly when several keys could have signed it', async () => {
      const second = await makeKey('RS256', 'rsa-2');
      op.jwks = { keys: [rs256.publicJwk, second.publicJwk] };
      await rejected(await signJwt(claims(), rs256, { kid: null }), /names no key \(kid\) and the issuer's key set has several RS256 keys/);
    });

    it('rp-key-rotation-op-sign-key: fetches the key set again, once, for an unknown kid', async () => {
      op.jwks = { keys: [rs256.publicJwk] };
      await accepted(await signJwt(claims(), rs256));
      assert.equal(op.count('/jwks'), 1);
      const rotated = await makeKey('RS256', 'rsa-rotated');
      op.jwks = { keys: [rotated.publicJwk] };
      await accepted(await signJwt(claims(), rotated));
      assert.equal(op.count('/jwks'), 2, 'one refetch after the rotation');
      const unknown = await makeKey('RS256', 'never-published');
      await rejected(
        await signJwt(claims(), unknown),
        /no key in the issuer's key set matches it \(kid "never-published", RS256\), even after fetching the key set again/,
      );
      assert.equal(op.count('/jwks'), 3, 'exactly one refetch for the unknown kid, no loop');
    });

    it('rp-nonce-invalid: rejects a wrong or missing nonce', async () => {
      await rejected(await signJwt(claims({ nonce: 'another-sign-in' }), rs256), /nonce does not match this sign-in/);
      await rejected(await signJwt(claims({ nonce: undefined }), rs256), /carries no nonce, but this sign-in sent one/);
    });
  });

  describe('discovery', () => {
    it('rp-discovery-issuer-not-matching-config: refuses a document for another issuer, naming both, without falling back', async () => {
      op.discovery = { issuer: 'https://impostor.example/op' };
      answerWith(await signJwt(claims(), rs256));
      const err = await failure(signIn());
      assert.equal(err.code, 'invalid_issuer');
      assert.match(err.message, /names the issuer "https:\/\/impostor.example\/op", but this environment's issuer is "http:\/\/127\.0\.0\.1:\d+\/op"/);
      assert.equal(op.count('/token'), 0, 'no code or secret was sent');
    });

    it('rp-discovery-jwks_uri-keys: takes the keys from the published jwks_uri', async () => {
      const elsewhere = await startConformanceProvider('/keys');
      try {
        elsewhere.jwks = { keys: [es256.publicJwk] };
        op.jwks = { keys: [] };
        op.discovery = { jwks_uri: `${elsewhere.issuer}/jwks` };
        await accepted(await signJwt(claims(), es256));
        assert.equal(elsewhere.count('/jwks'), 1);
      } finally {
        await elsewhere.close();
      }
    });

    it("refuses the request before sending when the server does not list the application's auth method", async () => {
      op.discovery = { token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'] };
      answerWith(await signJwt(claims(), rs256));
      const err = await failure(signIn());
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.field, 'authMethod');
      assert.match(err.message, /uses client_secret_basic, but the server .* accepts only client_secret_post, private_key_jwt/);
      assert.equal(op.count('/token'), 0);
      // The tree marks the application with the same words, without a request.
      assert.match(service.authMethodWarning(service.getApplication(appId)) ?? '', /accepts only client_secret_post, private_key_jwt/);
    });
  });

  describe('issuers with a trailing slash', () => {
    beforeEach(async () => {
      await op.close();
      await setUp('/tenant/');
    });

    it('signs in and refreshes against an issuer that ends in "/" (as Auth0 tenants publish it)', async () => {
      assert.equal(service.listEnvironments()[0].issuer, op.issuer, 'kept exactly as entered');
      const info = await accepted(await signJwt(claims(), rs256));
      assert.ok(
        op.requests.some((r) => r.path === '/tenant/.well-known/openid-configuration'),
        'discovery under the issuer without a doubled slash',
      );
      answerWith(await signJwt(claims({ nonce: undefined }), rs256));
      const refreshed = await service.refresh(info.id);
      assert.equal(refreshed.status, 'valid');
    });

    it('adopts the discovered issuer when the stored one lacks only its trailing slash (environments stored by 0.1), and says so', async () => {
      const envs = state.get<Array<Record<string, unknown>>>(KEYS.environments)!;
      await state.update(
        KEYS.environments,
        envs.map((e) => ({ ...e, issuer: op.issuer.replace(/\/$/, '') })),
      );
      service.reload();
      await accepted(await signJwt(claims(), rs256));
      assert.equal(service.listEnvironments()[0].issuer, op.issuer, 'migrated on read');
      assert.ok(service.problems.some((p) => p.includes(`now uses it`) && p.includes(op.issuer)));
    });

    it('RFC 9207: compares the authorization response iss exactly, and requires it when the server says it sends it', () => {
      const params = (iss?: string) => new URLSearchParams({ code: 'c', state: 's', ...(iss === undefined ? {} : { iss }) });
      assert.equal(validateAuthorizationResponse(params(op.issuer), { state: 's', issuer: op.issuer, requireIss: true }), 'c');
      assert.throws(() => validateAuthorizationResponse(params(op.issuer.replace(/\/$/, '')), { state: 's', issuer: op.issuer }), /came from issuer .*\(possible mix-up/);
      assert.throws(() => validateAuthorizationResponse(params(), { state: 's', issuer: op.issuer, requireIss: true }), /no "iss" parameter.*RFC 9207/);
      assert.equal(validateAuthorizationResponse(params(), { state: 's', issuer: op.issuer, requireIss: false }), 'c');
    });
  });

  describe('refresh (OIDC Core 12.2)', () => {
    async function signedIn(extra: Record<string, unknown> = {}) {
      const info = await accepted(await signJwt(claims(extra), rs256));
      return { info, before: secrets.snapshot() };
    }

    async function refreshRejected(id: string, before: Record<string, string>, message: RegExp) {
      const err = await failure(service.refresh(id));
      assert.equal(err.code, 'invalid_id_token');
      assert.match(err.message, message);
      assert.deepEqual(secrets.snapshot(), before, 'the original tokens stay as they were');
      assert.equal(service.getTokenSetInfo(id).status, 'valid');
    }

    it('accepts a refreshed ID token for the same user, issuer, audience and auth_time', async () => {
      const { info } = await signedIn({ auth_time: now() - 60 });
      const original = await service.getTokenSet(info.id);
      const authTime = JSON.parse(Buffer.from(original.idToken!.split('.')[1], 'base64url').toString()).auth_time;
      answerWith(await signJwt(claims({ nonce: undefined, auth_time: authTime }), rs256));
      await service.refresh(info.id);
      assert.notEqual((await service.getTokenSet(info.id)).idToken, original.idToken);
    });

    it('rejects a refreshed ID token for another user and keeps the original', async () => {
      const { info, before } = await signedIn();
      answerWith(await signJwt(claims({ sub: 'user-2', nonce: undefined }), rs256));
      await refreshRejected(info.id, before, /for a different user/);
    });

    it('rejects a refreshed ID token whose auth_time is missing or changed', async () => {
      const { info, before } = await signedIn({ auth_time: now() - 60 });
      answerWith(await signJwt(claims({ nonce: undefined }), rs256));
      await refreshRejected(info.id, before, /no auth_time, though the original had one/);
      answerWith(await signJwt(claims({ nonce: undefined, auth_time: now() }), rs256));
      await refreshRejected(info.id, before, /auth_time differs/);
    });
  });

  describe('userinfo', () => {
    it("rp-userinfo-bad-sub-claim: returns the claims of the signed-in user and rejects another user's", async () => {
      const info = await accepted(await signJwt(claims(), rs256));
      op.userinfo = { sub: 'user-1', name: 'One' };
      assert.equal((await service.userinfo(info.id)).name, 'One');
      op.userinfo = { sub: 'user-2', name: 'Two' };
      const err = await failure(service.userinfo(info.id));
      assert.equal(err.code, 'invalid_response');
      assert.match(err.message, /different user than the ID token/);
    });
  });

  describe('servers that answer errors with an empty body', () => {
    it('a 401 from the token endpoint points at the client credentials and auth method', async () => {
      op.tokenAnswers = [{ status: 401, body: '' }];
      const err = await failure(signIn());
      assert.equal(err.code, 'invalid_client');
      assert.match(
        err.message,
        /HTTP 401 with an empty body.*did not accept the application's credentials: check the client ID, the client secret and the token endpoint auth method/,
      );
      assert.doesNotMatch(err.message, /may be down/);
    });

    it('a 400 to a refresh marks the set sign-in-required, saying it was inferred', async () => {
      const info = await accepted(await signJwt(claims(), rs256));
      const tokensBefore = await service.getTokenSet(info.id);
      op.tokenAnswers = [{ status: 400, body: '' }];
      const err = await failure(service.refresh(info.id));
      assert.equal(err.code, 'invalid_grant');
      assert.match(err.message, /refresh token is expired, revoked or already used \(inferred: the server did not say\): sign in again/);
      assert.equal(service.getTokenSetInfo(info.id).status, 'sign-in-required');
      assert.equal((await service.getTokenSet(info.id)).refreshToken, tokensBefore.refreshToken, 'tokens kept');
    });

    it('a 400 to a refresh that narrowed the scope is not taken for a dead grant', async () => {
      const info = await accepted(await signJwt(claims(), rs256));
      op.tokenAnswers = [{ status: 400, body: '' }];
      const err = await failure(service.refresh(info.id, { scope: 'openid' }));
      assert.equal(err.code, 'http_error');
      assert.equal(service.getTokenSetInfo(info.id).status, 'valid');
    });

    it('an HTML 403 and a 502 get advice for what they are', async () => {
      op.tokenAnswers = [{ status: 403, body: '<html><title>Forbidden</title></html>', contentType: 'text/html' }];
      assert.match((await failure(signIn())).message, /HTTP 403 with an HTML page \("Forbidden"\).*credentials/);
      op.tokenAnswers = [{ status: 502, body: '' }];
      assert.match((await failure(signIn())).message, /HTTP 502 with an empty body: the server failed\. Try again later/);
    });

    it('JSON errors sent as text/plain are still read', async () => {
      op.tokenAnswers = [{ status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'code expired' }), contentType: 'text/plain' }];
      const err = await failure(signIn());
      assert.equal(err.code, 'invalid_grant');
      assert.match(err.message, /code expired/);
    });

    it("an error member outside RFC 6749's character set is not taken for an error code, and echoed secrets are redacted", async () => {
      op.tokenAnswers = [{ status: 400, body: { error: `bad "secret" ${SECRET}\n<script>`, error_description: `denied ${SECRET}` } }];
      const err = await failure(signIn());
      assert.equal(err.code, 'http_error');
      assert.ok(!err.message.includes(SECRET), err.message);
      op.tokenAnswers = [{ status: 401, body: { error: 'invalid_client', error_description: `secret ${SECRET} is wrong` } }];
      const echoed = await failure(signIn());
      assert.equal(echoed.code, 'invalid_client');
      assert.ok(!echoed.message.includes(SECRET) && echoed.message.includes('[redacted]'), echoed.message);
    });
  });
});
