/**
 * The Token Inspector's pure parts: the model (token set / bare JWT → what the page shows), the
 * signature states against a real JWKS served on 127.0.0.1, the claim wording and countdown
 * arithmetic, the message guards and the page's CSP. Tokens are real, signed here with `jose`.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import Module from 'node:module';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { TokenSet } from '../../src/core/tokenSet';
import { JwksCache } from '../../src/core/verify';
import {
  coarseDuration,
  countdown,
  explainClaim,
  explainHeader,
  formatTime,
  listItems,
  nextTickIn,
  preciseDuration,
} from '../../src/webview/inspector/claims';
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
import { isFromWebview, isToWebview, type ToWebview } from '../../src/webview/inspector/protocol';

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

  async function sign(
    claims: Record<string, unknown>,
    key: KeyLike | Uint8Array,
    header: { alg: string; kid?: string; typ?: string },
  ): Promise<string> {
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

    it('not_verifiable with the caller\'s reason when there is no key set URL', async function () {
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

    it('isToWebview checks the show message\'s shape', function () {
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

  /**
   * The extension side, run on plain Node against a stand-in `vscode` module (just the API the
   * panel touches) and a stand-in service holding real signed tokens. The real webview is covered
   * by test/e2e/inspector-dom.test.ts; the real VS Code by the integration tests.
   */
  describe('InspectorPanel (stand-in vscode module)', function () {
    type PanelModule = typeof import('../../src/webview/inspector/panel');
    type Listener<T> = (e: T) => void;

    class Emitter<T> {
      readonly listeners = new Set<Listener<T>>();
      readonly event = (l: Listener<T>) => {
        this.listeners.add(l);
        return { dispose: () => void this.listeners.delete(l) };
      };
      fire(e: T): void {
        for (const l of [...this.listeners]) l(e);
      }
    }

    interface FakeUri {
      path: string;
    }

    class FakePanel {
      readonly received = new Emitter<unknown>();
      readonly viewState = new Emitter<{ webviewPanel: FakePanel }>();
      readonly disposed = new Emitter<void>();
      posted: ToWebview[] = [];
      visible = true;
      isDisposed = false;
      reveals = 0;
      readonly webview = {
        html: '',
        cspSource: 'https://csp.example',
        asWebviewUri: (u: FakeUri) => ({ toString: () => `https://csp.example${u.path}` }),
        postMessage: async (m: ToWebview) => {
          this.posted.push(JSON.parse(JSON.stringify(m)));
          return true;
        },
        onDidReceiveMessage: this.received.event,
      };
      readonly onDidChangeViewState = this.viewState.event;
      readonly onDidDispose = this.disposed.event;
      constructor(
        readonly viewType: string,
        readonly title: string,
        readonly column: number,
        readonly options: Record<string, unknown>,
      ) {}
      reveal(): void {
        this.reveals++;
      }
      dispose(): void {
        if (this.isDisposed) return;
        this.isDisposed = true;
        this.disposed.fire();
      }
      setVisible(visible: boolean): void {
        this.visible = visible;
        this.viewState.fire({ webviewPanel: this });
      }
    }

    const panels: FakePanel[] = [];
    const clipboard: string[] = [];
    const statusMessages: string[] = [];
    const fakeVscode = {
      Uri: { joinPath: (base: FakeUri, ...p: string[]) => ({ path: [base.path, ...p].join('/') }) },
      ViewColumn: { Active: -1, Beside: -2 },
      window: {
        activeTextEditor: undefined,
        createWebviewPanel: (viewType: string, title: string, column: number, options: Record<string, unknown>) => {
          const panel = new FakePanel(viewType, title, column, options);
          panels.push(panel);
          return panel;
        },
        setStatusBarMessage: (text: string) => {
          statusMessages.push(text);
          return { dispose() {} };
        },
      },
      env: { clipboard: { writeText: async (t: string) => void clipboard.push(t) } },
    };

    class FakeService {
      readonly sets = new Map<string, TokenSet>();
      readonly changes = new Emitter<void>();
      readonly jwks = newCache();
      readonly introspections: unknown[][] = [];
      refreshes = 0;
      refreshImpl: (id: string) => Promise<void> = async () => undefined;
      endpointsImpl: () => Promise<{ issuer: string; jwks?: string; introspection?: string }> = async () => ({
        issuer: ISSUER,
        jwks: jwksUrl,
        introspection: `${ISSUER}/introspect`,
      });
      listTokenSets() {
        return [...this.sets.values()].map((s) => ({ id: s.id }));
      }
      async getTokenSet(id: string): Promise<TokenSet> {
        const s = this.sets.get(id);
        if (!s) throw new Error(`No stored tokens for token set "${id}".`);
        return JSON.parse(JSON.stringify(s));
      }
      getApplication(id: string) {
        return { id, name: 'Portal', clientId: 'client-a' };
      }
      getEnvironment(id: string) {
        if (id !== 'env-1') throw new Error(`No environment with id "${id}".`);
        return { id, name: 'EU dev', issuer: ISSUER };
      }
      listEnvironments() {
        return [{ id: 'env-1', name: 'EU dev', issuer: ISSUER }];
      }
      endpoints() {
        return this.endpointsImpl();
      }
      onDidChange(l: () => void) {
        return this.changes.event(l);
      }
      put(set: TokenSet): void {
        this.sets.set(set.id, set);
        this.changes.fire();
      }
      async refresh(id: string) {
        this.refreshes++;
        await this.refreshImpl(id);
      }
      async introspect(id: string, opts: unknown) {
        this.introspections.push([id, opts]);
        return { active: true, client_id: 'client-a' };
      }
    }

    let mod: PanelModule;
    const M = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const originalLoad = M._load;
    let service: FakeService;
    const logs: string[] = [];
    const refreshToken = 'opaque-refresh-token-that-must-not-reach-the-page';

    const deps = () => ({
      extensionUri: { path: '/ext' } as never,
      service: service as never,
      log: { info: (m: string) => void logs.push(`info ${m}`), error: (m: string) => void logs.push(`error ${m}`) },
    });
    const shows = (p: FakePanel) => p.posted.filter((m): m is Extract<ToWebview, { type: 'show' }> => m.type === 'show');

    before(async function () {
      M._load = function (this: unknown, request: string, parent: unknown, isMain: boolean) {
        return request === 'vscode' ? fakeVscode : originalLoad.call(this, request, parent, isMain);
      };
      mod = await import('../../src/webview/inspector/panel');
    });

    after(function () {
      M._load = originalLoad;
    });

    beforeEach(function () {
      service = new FakeService();
      service.sets.set('ts-1', makeSet({ accessToken: accessJwt, idToken: idJwt, refreshToken, expiresAt: Date.now() + 3_600_000 }));
      panels.length = 0;
      clipboard.length = 0;
      logs.length = 0;
    });

    afterEach(function () {
      mod.InspectorPanel.disposeCurrent();
    });

    it('creates one scripted panel with a strict CSP and waits for ready before posting', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      assert.equal(mod.InspectorPanel.current, inspector);
      const [panel] = panels;
      assert.equal(panel.viewType, 'pingone.tokenInspector');
      assert.equal(panel.title, 'Token Inspector');
      assert.deepEqual(panel.options, {
        enableScripts: true,
        localResourceRoots: [{ path: '/ext/dist/webview' }, { path: '/ext/media' }],
      });
      const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(panel.webview.html)?.[1] ?? '';
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      assert.ok(panel.webview.html.includes(`<script nonce="${nonce}" src="https://csp.example/ext/dist/webview/inspector.js">`));
      assert.ok(panel.webview.html.includes('href="https://csp.example/ext/media/inspector.css"'));
      assert.ok(panel.webview.html.includes("default-src 'none'; img-src https://csp.example data:; style-src https://csp.example;"));
      await inspector.settled();
      assert.deepEqual(panel.posted, [], 'nothing is posted before the page is ready');
      assert.equal(inspector.model?.tokens[0].signature.state, 'verified', 'signatures are resolved meanwhile');

      await inspector.receive({ type: 'ready' });
      const [show] = shows(panel);
      assert.equal(show.model.title, 'Portal');
      assert.equal(show.model.canIntrospect, true);
      assert.deepEqual(
        show.model.tokens.map((t) => t.signature.state),
        ['verified', 'verified', 'not_verifiable'],
      );
      assert.ok(!JSON.stringify(panel.posted).includes(refreshToken), 'the refresh token never reaches the page');
    });

    it('rejects an unknown token set without opening a panel', async function () {
      await assert.rejects(mod.InspectorPanel.show(deps(), { tokenSetId: 'nope' }), /No stored tokens/);
      await assert.rejects(mod.InspectorPanel.show(deps(), { jwt: '  ' }), /no token/);
      assert.equal(panels.length, 0);
      assert.equal(mod.InspectorPanel.current, undefined);
    });

    it('reuses the open panel for the next target and selects the requested tab', async function () {
      const first = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await first.receive({ type: 'ready' });
      const second = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1', select: 'id_token' });
      await second.settled();
      assert.equal(first, second);
      assert.equal(panels.length, 1);
      assert.equal(panels[0].reveals, 1);
      const all = shows(panels[0]);
      assert.equal(all.filter((m) => m.select === 'id_token').length, 1, 'select is sent once');
      const third = await mod.InspectorPanel.show(deps(), { jwt: `Bearer ${accessJwt}` });
      await third.settled();
      const last = shows(panels[0]).at(-1);
      assert.equal(last?.model.tokens[0].kind, 'jwt');
      assert.equal(last?.model.tokens[0].signature.state, 'verified', 'verified with the matching environment\'s key set');
    });

    it('a bare JWT from an issuer that is not an environment is not verifiable, and says why', async function () {
      const stranger = await sign({ iss: 'https://evil.example', exp: Math.floor(Date.now() / 1000) + 60 }, rsaKey, { alg: 'RS256', kid: 'rsa-1' });
      const inspector = await mod.InspectorPanel.show(deps(), { jwt: stranger });
      await inspector.settled();
      const sig = inspector.model?.tokens[0].signature;
      assert.equal(sig?.state, 'not_verifiable');
      assert.match((sig as { reason: string }).reason, /evil\.example is not one of your environments/);
      await inspector.receive({ type: 'refresh' });
      await inspector.receive({ type: 'ready' });
      await inspector.receive({ type: 'introspect' });
      assert.equal(service.refreshes, 0);
      assert.equal(service.introspections.length, 0);
      assert.match(JSON.stringify(panels[0].posted.filter((m) => m.type === 'error')), /Only a stored token set can be introspected/);
    });

    it('refresh: busy, then the new tokens in place, then not busy', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.receive({ type: 'ready' });
      await inspector.settled();
      const panel = panels[0];
      panel.posted = [];
      const newAccess = await sign({ iss: ISSUER, sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 3600 }, rsaKey, { alg: 'RS256', kid: 'rsa-1' });
      service.refreshImpl = async (id) => service.put({ ...(await service.getTokenSet(id)), accessToken: newAccess });
      await inspector.receive({ type: 'refresh' });
      await inspector.settled();
      assert.equal(service.refreshes, 1);
      const types = panel.posted.map((m) => (m.type === 'busy' ? `busy:${m.busy}` : m.type));
      assert.equal(types[0], 'busy:true');
      assert.equal(types.at(-1), 'busy:false');
      const finalShow = shows(panel).at(-1);
      assert.deepEqual(finalShow?.model.tokens[0].raw, newAccess.split('.'));
      assert.equal(finalShow?.model.tokens[0].signature.state, 'verified');
    });

    it('refresh failure: an error message with tokens redacted', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.receive({ type: 'ready' });
      service.refreshImpl = async () => {
        throw new Error(`invalid_grant for ${refreshToken} and ${accessJwt}`);
      };
      await inspector.receive({ type: 'refresh' });
      const error = panels[0].posted.find((m) => m.type === 'error');
      assert.ok(error && error.type === 'error');
      assert.match(error.message, /^Refresh failed: invalid_grant for \[redacted\] and \[redacted\]$/);
      assert.ok(!logs.join('\n').includes(refreshToken));
      assert.deepEqual(panels[0].posted.at(-1), { type: 'busy', action: 'refresh', busy: false });
    });

    it('introspect and copy are answered from the extension side', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.receive({ type: 'ready' });
      await inspector.receive({ type: 'introspect', token: 'refresh_token' });
      assert.deepEqual(service.introspections, [['ts-1', { token: 'refresh_token' }]]);
      assert.deepEqual(
        panels[0].posted.find((m) => m.type === 'introspection'),
        { type: 'introspection', result: { active: true, client_id: 'client-a' }, token: 'refresh_token' },
      );
      await inspector.receive({ type: 'copy', what: 'token', kind: 'refresh_token' });
      await inspector.receive({ type: 'copy', what: 'header', kind: 'access_token' });
      assert.equal(clipboard[0], refreshToken);
      assert.deepEqual(JSON.parse(clipboard[1]), { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' });
      assert.deepEqual(statusMessages.slice(-2), ['Copied the refresh token.', 'Copied the access token header.']);
      await inspector.receive({ type: 'copy', what: 'payload', kind: 'refresh_token' });
      assert.equal(clipboard.length, 2, 'an opaque token has no claims to copy');
      await inspector.receive({ type: 'copy', what: 'token', kind: 'client_secret' });
      await inspector.receive({ type: 'show', model: {} });
      assert.equal(clipboard.length, 2);
      assert.equal(logs.filter((l) => l.includes('malformed message')).length, 2);
    });

    it('re-posts only when the shown token set changes, and marks a deleted one', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.receive({ type: 'ready' });
      await inspector.settled();
      const panel = panels[0];
      const before = shows(panel).length;
      service.changes.fire(); // e.g. another environment was added
      await inspector.settled();
      assert.equal(shows(panel).length, before, 'unrelated change: nothing re-posted');
      service.put({ ...(await service.getTokenSet('ts-1')), mark: 'revoked' });
      await inspector.settled();
      assert.equal(shows(panel).at(-1)?.model.status, 'revoked');
      service.sets.delete('ts-1');
      service.changes.fire();
      await inspector.settled();
      const last = shows(panel).at(-1)?.model;
      assert.equal(last?.status, 'deleted');
      assert.equal(last?.canRefresh, false);
      assert.equal(last?.canIntrospect, false);
      assert.match(JSON.stringify(panel.posted.at(-1)), /deleted/);
    });

    it('posts nothing while hidden and re-posts the last model when the page is ready again', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.receive({ type: 'ready' });
      await inspector.settled();
      const panel = panels[0];
      panel.setVisible(false);
      panel.posted = [];
      service.put({ ...(await service.getTokenSet('ts-1')), mark: 'revoked' });
      await inspector.settled();
      assert.deepEqual(panel.posted, []);
      panel.setVisible(true);
      await inspector.receive({ type: 'ready' });
      assert.equal(shows(panel).length, 1);
      assert.equal(shows(panel)[0].model.status, 'revoked');
    });

    it('falls back when the issuer\'s endpoints cannot be resolved', async function () {
      service.endpointsImpl = async () => {
        throw new Error('Could not reach auth.pingone.eu: the connection was refused.');
      };
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      await inspector.settled();
      const sig = inspector.model?.tokens[0].signature as { state: string; reason: string };
      assert.equal(sig.state, 'not_verifiable');
      assert.match(sig.reason, /key set is unavailable: Could not reach/);
      assert.equal(inspector.model?.canIntrospect, true, 'Introspect stays offered; the call reports');
    });

    it('disposes everything when the panel closes', async function () {
      const inspector = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      const panel = panels[0];
      assert.equal(service.changes.listeners.size, 1);
      panel.dispose();
      assert.equal(mod.InspectorPanel.current, undefined);
      assert.equal(service.changes.listeners.size, 0);
      assert.equal(panel.received.listeners.size, 0);
      assert.equal(panel.viewState.listeners.size, 0);
      await inspector.receive({ type: 'ready' });
      assert.deepEqual(panel.posted, []);
      const next = await mod.InspectorPanel.show(deps(), { tokenSetId: 'ts-1' });
      assert.notEqual(next, inspector);
      assert.equal(panels.length, 2);
    });
  });
});
