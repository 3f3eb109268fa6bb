/**
 * The Token Inspector's pure parts: the model (token set / bare JWT → what the page shows), the
 * signature states against a real JWKS served on 127.0.0.1, the claim wording and countdown
 * arithmetic, the message guards and the page's CSP. Tokens are real, signed here with `jose`.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { TokenSet } from '../../src/core/tokenSet';
import { JwksCache } from '../../src/core/verify';
import { coarseDuration, countdown, explainClaim, explainHeader, formatTime, listItems, nextTickIn, preciseDuration } from '../../src/webview/inspector/claims';
import { contentSecurityPolicy, inspectorHtml } from '../../src/webview/inspector/html';
import {
  canRefreshSet,
  copyText,
  issuerOf,
  modelFromJwt,
  modelFromTokenSet,
  modelKey,
  normaliseToken,
  sourcesOfSet,
  tokenView,
  verifyModel,
} from '../../src/webview/inspector/model';
import { isFromWebview, isToWebview } from '../../src/webview/inspector/protocol';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const ISSUER = 'https://auth.pingone.eu/11111111-2222-3333-4444-555555555555/as';

type KeyLike = CryptoKey;

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function makeSet(over: Partial<TokenSet> = {}): TokenSet {
  return {
    id: 'ts-1',
    applicationId: 'app-1',
    environmentId: 'env-1',
    grant: 'authorization_code',
    accessToken: 'opaque-access-token-0123456789',
    tokenType: 'Bearer',
    issuedAt: NOW - 60_000,
    expiresAt: NOW + 3_540_000,
    scope: 'openid profile',
    ...over,
  };
}

describe('inspector model', function () {
  let rsaKey: KeyLike;
  let ecKey: KeyLike;
  let strangerKey: KeyLike;
  let server: http.Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  let accessJwt: string;
  let idJwt: string;

  async function sign(claims: Record<string, unknown>, key: KeyLike | Uint8Array, header: { alg: string; kid?: string; typ?: string }): Promise<string> {
    return new SignJWT(claims).setProtectedHeader(header).sign(key);
  }

  before(async function () {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('RS256');
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    strangerKey = stranger.privateKey;
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = http.createServer((req, res) => {
      if (req.url === '/as/jwks') {
        jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as/jwks`;

    accessJwt = await sign(
      {
        iss: ISSUER,
        aud: ['https://api.pingone.eu'],
        client_id: 'client-a',
        scope: 'openid profile p1:read:user',
        iat: NOW / 1000 - 60,
        exp: NOW / 1000 + 3540,
        env: '11111111-2222-3333-4444-555555555555',
        org: 'org-1',
        sub: 'user-1',
        'p1.permissions': { actions: ['read'] },
      },
      rsaKey,
      { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' },
    );
    idJwt = await sign({ iss: ISSUER, aud: 'client-a', sub: 'user-1', nonce: 'n-1', iat: NOW / 1000 - 60, exp: NOW / 1000 + 3540 }, ecKey, {
      alg: 'ES256',
      kid: 'ec-1',
    });
  });

  after(async function () {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const newCache = () => new JwksCache(() => ({ timeoutMs: 5000 }));

  describe('modelFromTokenSet', function () {
    it('shows access, ID and refresh tokens in that order, decoded, with signatures pending', function () {
      const set = makeSet({ accessToken: accessJwt, idToken: idJwt, refreshToken: 'opaque-refresh-abcdefghijklmnop' });
      const model = modelFromTokenSet(set, {
        applicationName: 'Portal',
        clientId: 'client-a',
        environmentName: 'EU dev',
        canIntrospect: true,
        now: NOW,
      });
      assert.equal(model.tokenSetId, 'ts-1');
      assert.equal(model.title, 'Portal');
      assert.equal(model.subtitle, 'Sign-in · EU dev · client client-a');
      assert.equal(model.expiresAt, set.expiresAt);
      assert.equal(model.issuedAt, set.issuedAt);
      assert.equal(model.status, 'valid');
      assert.equal(model.canRefresh, true);
      assert.equal(model.canIntrospect, true);
      assert.deepEqual(
        model.tokens.map((t) => [t.kind, t.format]),
        [
          ['access_token', 'jwt'],
          ['id_token', 'jwt'],
          ['refresh_token', 'opaque'],
        ],
      );
      const [access, id, refresh] = model.tokens;
      assert.equal(access.header?.kid, 'rsa-1');
      assert.equal(access.payload?.client_id, 'client-a');
      assert.deepEqual(access.raw, accessJwt.split('.'));
      assert.deepEqual(access.signature, { state: 'pending' });
      assert.equal(id.payload?.nonce, 'n-1');
      assert.equal(refresh.signature.state, 'not_verifiable');
    });

    it('never puts the refresh token text in the model', function () {
      const refreshToken = 'opaque-refresh-abcdefghijklmnop';
      const model = modelFromTokenSet(makeSet({ refreshToken }), { canIntrospect: true, now: NOW });
      const refresh = model.tokens.find((t) => t.kind === 'refresh_token');
      assert.deepEqual(refresh?.raw, []);
      assert.deepEqual(refresh?.concealed, { length: refreshToken.length });
      assert.ok(!JSON.stringify(model).includes(refreshToken));
    });

    it("says a DPoP-bound set is bound, with its cnf.jkt compared to the set's own key, and never the key", async function () {
      const { generateDpopKey, dpopThumbprint } = await import('../../src/core/dpop');
      const key = await generateDpopKey();
      const jkt = await dpopThumbprint(key);
      const bound = await new SignJWT({ iss: ISSUER, cnf: { jkt } }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(rsaKey);
      const set = makeSet({ accessToken: bound, tokenType: 'DPoP', dpopKey: key as Record<string, unknown> });
      const own = modelFromTokenSet(set, { canIntrospect: true, now: NOW, dpopThumbprint: jkt });
      assert.deepEqual(own.dpop, { jkt, ownKey: true });
      assert.ok(!JSON.stringify(own).includes(String(key.d)), 'the private key is not in the model');
      assert.deepEqual(modelFromTokenSet(set, { canIntrospect: true, now: NOW, dpopThumbprint: 'another' }).dpop, { jkt, ownKey: false });
      assert.deepEqual(modelFromTokenSet(makeSet({ tokenType: 'DPoP' }), { canIntrospect: true, now: NOW }).dpop, {}, 'opaque: bound, jkt unknown');
      assert.equal(modelFromTokenSet(makeSet({ accessToken: bound }), { canIntrospect: true, now: NOW }).dpop, undefined, 'a Bearer set is not DPoP-bound');
    });

    it('shows an opaque access token as opaque, with no claims', function () {
      const model = modelFromTokenSet(makeSet(), { canIntrospect: true, now: NOW });
      const [access] = model.tokens;
      assert.equal(access.format, 'opaque');
      assert.equal(access.header, undefined);
      assert.equal(access.payload, undefined);
      assert.deepEqual(access.raw, ['opaque-access-token-0123456789']);
      assert.equal(access.signature.state, 'not_verifiable');
      assert.match((access.signature as { reason: string }).reason, /introspect/);
    });

    it('reports expiry and lifecycle marks as the status', function () {
      const ctx = { canIntrospect: false, now: NOW };
      assert.equal(modelFromTokenSet(makeSet({ expiresAt: NOW - 1 }), ctx).status, 'expired');
      assert.equal(modelFromTokenSet(makeSet({ mark: 'revoked' }), ctx).status, 'revoked');
      assert.equal(modelFromTokenSet(makeSet({ mark: 'sign-in-required' }), ctx).status, 'sign-in required');
      assert.equal(modelFromTokenSet(makeSet({ grant: 'client_credentials' }), ctx).title, 'Client credentials');
    });

    const refreshCases: Array<[string, Partial<TokenSet>, boolean]> = [
      ['client credentials without a refresh token (re-issued)', { grant: 'client_credentials' }, true],
      ['client credentials even when revoked', { grant: 'client_credentials', mark: 'revoked' }, true],
      ['sign-in with a refresh token', { refreshToken: 'r' }, true],
      ['sign-in without a refresh token', {}, false],
      ['sign-in whose refresh token was rejected', { refreshToken: 'r', mark: 'sign-in-required' }, false],
      ['sign-in whose tokens were revoked', { refreshToken: 'r', mark: 'revoked' }, false],
    ];
    for (const [name, over, expected] of refreshCases) {
      it(`canRefresh: ${name} → ${expected}`, function () {
        assert.equal(canRefreshSet(makeSet(over)), expected);
      });
    }

    it('sourcesOfSet lists only the tokens present', function () {
      assert.deepEqual(
        sourcesOfSet(makeSet()).map((s) => s.kind),
        ['access_token'],
      );
    });
  });

  describe('modelFromJwt', function () {
    it('decodes a pasted JWT (with a Bearer prefix and whitespace) as one tab', function () {
      const model = modelFromJwt(`  Bearer ${accessJwt}\n`);
      assert.equal(model.title, 'JWT');
      assert.equal(model.subtitle, `issuer ${ISSUER} · subject user-1`);
      assert.equal(model.expiresAt, NOW + 3_540_000);
      assert.equal(model.tokenSetId, undefined);
      assert.equal(model.canRefresh, false);
      assert.equal(model.canIntrospect, false);
      assert.equal(model.tokens.length, 1);
      assert.equal(model.tokens[0].kind, 'jwt');
      assert.deepEqual(model.tokens[0].raw, accessJwt.split('.'));
    });

    it('shows an opaque string as an opaque token', function () {
      const model = modelFromJwt('Zm9vYmFyYmF6cXV4');
      assert.equal(model.tokens[0].format, 'opaque');
      assert.equal(model.expiresAt, undefined);
      assert.equal(model.subtitle, 'Opaque token');
    });

    it('says an encrypted JWT (JWE) cannot be read', function () {
      const view = tokenView({ kind: 'jwt', token: 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d' });
      assert.equal(view.format, 'opaque');
      assert.match((view.signature as { reason: string }).reason, /JWE/);
    });

    it('issuerOf reads iss without trailing slashes', function () {
      assert.equal(issuerOf(accessJwt), ISSUER);
      assert.equal(issuerOf('opaque'), undefined);
      assert.equal(normaliseToken(' bearer abc '), 'abc');
    });
  });

  describe('signatures (verifyModel against a JWKS on 127.0.0.1)', function () {
    /** `url` null: no key set URL at all. */
    async function stateOf(token: string, url: string | null = jwksUrl, cache = newCache()) {
      const model = modelFromJwt(token);
      const verified = await verifyModel(model, [{ kind: 'jwt', token }], url ?? undefined, cache, 'no key set');
      return verified.tokens[0].signature;
    }

    it('verified: RS256 with a known kid', async function () {
      assert.deepEqual(await stateOf(accessJwt), { state: 'verified', alg: 'RS256', kid: 'rsa-1' });
    });

    it('verified: ES256 ID token in a token set, access and ID tokens checked together', async function () {
      const set = makeSet({ accessToken: accessJwt, idToken: idJwt, refreshToken: 'opaque-refresh' });
      const model = modelFromTokenSet(set, { canIntrospect: true, now: NOW });
      const verified = await verifyModel(model, sourcesOfSet(set), jwksUrl, newCache());
      assert.deepEqual(
        verified.tokens.map((t) => t.signature.state),
        ['verified', 'verified', 'not_verifiable'],
      );
      assert.deepEqual(model.tokens[0].signature, { state: 'pending' }, 'the input model is not mutated');
    });

    it('invalid: a payload altered after signing', async function () {
      const [h, p, s] = accessJwt.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
      claims.scope = 'openid profile p1:delete:everything';
      const state = await stateOf(`${h}.${b64url(JSON.stringify(claims))}.${s}`);
      assert.equal(state.state, 'invalid');
      assert.match((state as { reason: string }).reason, /altered/);
    });

    it('unknown_key: a kid the key set lacks, after fetching the key set once more', async function () {
      const token = await sign({ iss: ISSUER, sub: 'x' }, strangerKey, { alg: 'RS256', kid: 'rotated-away' });
      const before = jwksRequests;
      const state = await stateOf(token);
      assert.equal(state.state, 'unknown_key');
      assert.match((state as { reason: string }).reason, /rotated-away/);
      assert.equal(jwksRequests - before, 2, 'cached set, then one forced re-fetch');
    });

    it('not_verifiable: an opaque token', async function () {
      assert.equal((await stateOf('opaque-token-value')).state, 'not_verifiable');
    });

    it('not_verifiable: HS256 (shared secret)', async function () {
      const token = await sign({ iss: ISSUER }, new TextEncoder().encode('a-shared-secret-of-32-bytes-long'), { alg: 'HS256' });
      const state = await stateOf(token);
      assert.equal(state.state, 'not_verifiable');
      assert.match((state as { reason: string }).reason, /HS256.*shared secret/);
    });

    it('not_verifiable: unsigned (alg none)', async function () {
      const token = `${b64url('{"alg":"none"}')}.${b64url('{"sub":"x"}')}.`;
      assert.equal((await stateOf(token)).state, 'not_verifiable');
    });

    it("not_verifiable with the caller's reason when there is no key set URL", async function () {
      assert.deepEqual(await stateOf(accessJwt, null), { state: 'not_verifiable', reason: 'no key set' });
    });

    it('not_verifiable when the key set cannot be fetched (no throw)', async function () {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const state = await stateOf(accessJwt, `http://127.0.0.1:${port}/as/jwks`);
      assert.equal(state.state, 'not_verifiable');
      assert.match((state as { reason: string }).reason, /127\.0\.0\.1/);
    });

    it('caches the key set across models', async function () {
      const cache = newCache();
      const before = jwksRequests;
      await stateOf(accessJwt, jwksUrl, cache);
      await stateOf(idJwt, jwksUrl, cache);
      assert.equal(jwksRequests - before, 1);
    });
  });

  describe('copyText and modelKey', function () {
    it('copies the token, or its header / claims as pretty JSON', function () {
      const sources = sourcesOfSet(makeSet({ accessToken: accessJwt, refreshToken: 'opaque-refresh' }));
      assert.equal(copyText(sources, 'access_token', 'token'), accessJwt);
      assert.deepEqual(JSON.parse(copyText(sources, 'access_token', 'header') ?? ''), { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' });
      assert.equal(JSON.parse(copyText(sources, 'access_token', 'payload') ?? '').client_id, 'client-a');
      assert.match(copyText(sources, 'access_token', 'payload') ?? '', /\n {2}"iss"/);
      assert.equal(copyText(sources, 'refresh_token', 'token'), 'opaque-refresh');
      assert.equal(copyText(sources, 'refresh_token', 'header'), undefined);
      assert.equal(copyText(sources, 'id_token', 'token'), undefined);
    });

    it('modelKey changes with the tokens and marks, not otherwise', function () {
      const a = makeSet();
      assert.equal(modelKey(a, true, NOW), modelKey({ ...a }, true, NOW));
      assert.notEqual(modelKey(a, true, NOW), modelKey({ ...a, accessToken: 'other' }, true, NOW));
      assert.notEqual(modelKey(a, true, NOW), modelKey({ ...a, mark: 'revoked' }, true, NOW));
    });
  });

  describe('claims and countdown wording', function () {
    it('explains registered, PingOne and header claims; not unknown ones', function () {
      for (const c of ['exp', 'iat', 'nbf', 'auth_time', 'scope', 'aud', 'iss', 'sub', 'client_id', 'env', 'org', 'sid', 'acr', 'amr', 'jti', 'nonce']) {
        assert.ok(explainClaim(c), c);
      }
      assert.match(explainClaim('p1.permissions') ?? '', /PingOne/);
      assert.match(explainClaim('p1.somethingNew') ?? '', /PingOne/);
      assert.equal(explainClaim('favourite_colour'), undefined);
      assert.equal(explainClaim('constructor'), undefined);
      assert.ok(explainHeader('kid'));
      assert.equal(explainHeader('toString'), undefined);
    });

    it('formats NumericDates as local time and ISO', function () {
      const t = formatTime(NOW / 1000);
      assert.equal(t?.iso, '2026-01-15T12:00:00.000Z');
      assert.equal(t?.local, new Date(NOW).toLocaleString());
      assert.equal(formatTime('soon'), undefined);
      assert.equal(formatTime(Number.NaN), undefined);
    });

    it('lists space-separated scopes and arrays', function () {
      assert.deepEqual(listItems('openid  profile email'), ['openid', 'profile', 'email']);
      assert.deepEqual(listItems(['a', 2]), ['a', '2']);
      assert.equal(listItems([{ a: 1 }]), undefined);
    });

    const cd: Array<[number | undefined, string, string]> = [
      [NOW + (41 * 60 + 12) * 1000 + 500, 'expires in 41 min 12 s', 'ok'],
      [NOW + 5 * 60_000 + 1, 'expires in 5 min 0 s', 'ok'],
      [NOW + 5 * 60_000, 'expires in 5 min 0 s', 'warning'],
      [NOW + 59_000, 'expires in 59 s', 'warning'],
      [NOW + 3 * 3_600_000 + 5 * 60_000, 'expires in 3 h 5 min', 'ok'],
      [NOW + 50 * 3_600_000, 'expires in 2 d 2 h', 'ok'],
      [NOW, 'expired 0 s ago', 'expired'],
      [NOW - 3 * 60_000 - 20_000, 'expired 3 min ago', 'expired'],
      [undefined, 'no expiry', 'none'],
    ];
    for (const [expiresAt, text, state] of cd) {
      it(`countdown: ${text} (${state})`, function () {
        assert.deepEqual(countdown(expiresAt, NOW), { text, state });
      });
    }

    it('durations and the next tick', function () {
      assert.equal(preciseDuration(61_000), '1 min 1 s');
      assert.equal(coarseDuration(-2 * 3_600_000), '2 h');
      assert.equal(nextTickIn(NOW + 10_250, NOW), 250);
      assert.equal(nextTickIn(NOW + 10_000, NOW), 1000);
      assert.equal(nextTickIn(NOW - 2_300, NOW), 700);
    });
  });

  describe('protocol guards and page shell', function () {
    it('isFromWebview accepts the four messages and rejects anything else', function () {
      assert.ok(isFromWebview({ type: 'ready' }));
      assert.ok(isFromWebview({ type: 'refresh' }));
      assert.ok(isFromWebview({ type: 'introspect' }));
      assert.ok(isFromWebview({ type: 'introspect', token: 'refresh_token' }));
      assert.ok(isFromWebview({ type: 'copy', what: 'payload', kind: 'id_token' }));
      assert.ok(!isFromWebview({ type: 'introspect', token: 'id_token' }));
      assert.ok(!isFromWebview({ type: 'copy', what: 'secret', kind: 'id_token' }));
      assert.ok(!isFromWebview({ type: 'copy', what: 'token', kind: 'client_secret' }));
      assert.ok(!isFromWebview({ type: 'eval' }));
      assert.ok(!isFromWebview(null));
      assert.ok(!isFromWebview('ready'));
    });

    it("isToWebview checks the show message's shape", function () {
      const model = modelFromJwt(accessJwt);
      assert.ok(isToWebview({ type: 'show', model, now: NOW }));
      assert.ok(isToWebview({ type: 'show', model, now: NOW, select: 'jwt' }));
      assert.ok(!isToWebview({ type: 'show', model, now: 'later' }));
      assert.ok(!isToWebview({ type: 'show', model: { ...model, tokens: [{ kind: 'x', raw: [] }] }, now: NOW }));
      assert.ok(isToWebview({ type: 'error', message: 'x' }));
      assert.ok(isToWebview({ type: 'busy', action: 'refresh', busy: true }));
      assert.ok(!isToWebview({ type: 'introspection', result: [] }));
    });

    it('the page has a strict CSP with a nonce, and escapes what it interpolates', function () {
      const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc+/=');
      assert.equal(
        csp,
        "default-src 'none'; img-src https://x.vscode-cdn.net data:; style-src https://x.vscode-cdn.net; script-src 'nonce-abc+/='; font-src https://x.vscode-cdn.net",
      );
      const html = inspectorHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'abc+/=', scriptUri: 'https://x/a.js?"><b>', styleUri: 'https://x/a.css' });
      assert.ok(html.includes('<script nonce="abc+/=" src="https://x/a.js?&quot;&gt;&lt;b&gt;"></script>'));
      assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
      assert.equal((html.match(/<script/g) ?? []).length, 1);
    });
  });
});
