/**
 * The Token Inspector page in a real browser: the bundled `dist/webview/inspector.js` inside the
 * same HTML shell and CSP the panel serves, with `acquireVsCodeApi` stubbed to record what the page
 * posts and to hold its state. Messages arrive through `window.postMessage`, as in VS Code. Time is
 * Playwright's fake clock: no test sleeps.
 *
 *   node esbuild.js --tests && npx mocha --enable-source-maps out/test/e2e/inspector-dom.test.js
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inspectorAssets, serveInspectorPage } from '../support/inspectorPage';
import type { FromWebview, InspectorModel, TokenView, ToWebview } from '../../src/webview/inspector/protocol';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CHROMIUM = process.env.PTE_CHROMIUM ?? '/usr/bin/chromium';
const ASSETS = inspectorAssets(ROOT);

/** The fake clock's "now" when a test starts. */
const T0 = Date.UTC(2026, 4, 20, 9, 30, 0);
const XSS = '<img src=x onerror="window.__pwned=1">';

interface TestWindow {
  __posted: FromWebview[];
  __csp: string[];
  __state: () => unknown;
  __setVisibility: (v: 'visible' | 'hidden') => void;
  __pwned?: unknown;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function jwtView(kind: TokenView['kind'], header: Record<string, unknown>, payload: Record<string, unknown>, signature: TokenView['signature']): TokenView {
  return { kind, format: 'jwt', header, payload, raw: [b64(header), b64(payload), 'c2lnbmF0dXJl'], signature };
}

const EXP = Math.floor(T0 / 1000) + 41 * 60 + 12;

function accessView(): TokenView {
  return jwtView(
    'access_token',
    { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' },
    {
      iss: 'https://auth.pingone.eu/env-1/as',
      sub: 'user-1',
      aud: ['https://api.pingone.eu', 'https://orders.example'],
      client_id: 'client-a',
      scope: 'openid profile p1:read:user',
      iat: EXP - 3600,
      nbf: EXP - 3600,
      exp: EXP,
      auth_time: EXP - 3700,
      env: 'env-1',
      org: 'org-1',
      sid: 'sess-1',
      acr: 'Single_Factor',
      amr: ['pwd'],
      jti: 'jti-1',
      'p1.permissions': { actions: ['read'] },
      favourite_colour: { primary: 'teal' },
    },
    { state: 'verified', alg: 'RS256', kid: 'rsa-1' },
  );
}

function model(over: Partial<InspectorModel> = {}): InspectorModel {
  return {
    tokenSetId: 'ts-1',
    title: 'Portal',
    subtitle: 'Sign-in · EU dev · client client-a',
    expiresAt: EXP * 1000,
    issuedAt: T0 - 60_000,
    status: 'valid',
    canRefresh: true,
    canIntrospect: true,
    tokens: [
      accessView(),
      jwtView(
        'id_token',
        { alg: 'RS256', kid: 'gone' },
        { iss: 'https://auth.pingone.eu/env-1/as', aud: 'client-a', nonce: 'n-1', exp: EXP },
        {
          state: 'unknown_key',
          alg: 'RS256',
          kid: 'gone',
          reason: 'The issuer\'s key set has no key with kid "gone" for RS256.',
        },
      ),
      {
        kind: 'refresh_token',
        format: 'opaque',
        raw: [],
        concealed: { length: 64 },
        signature: { state: 'not_verifiable', reason: 'Opaque token: only the server can tell; introspect it.' },
      },
    ],
    ...over,
  };
}

describe('Token Inspector page (headless Chromium)', function () {
  this.timeout(30_000);
  let served: { base: string; close(): Promise<void> } | undefined;
  let base: string;
  let browser: Browser;
  let scratch: string;
  let context: BrowserContext | undefined;
  let page: Page;
  let pageErrors: string[] = [];

  before(async function () {
    this.timeout(60_000);
    assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    served = await serveInspectorPage(ROOT);
    base = served.base;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pte-inspector-dom-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      env: { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_CACHE_HOME: path.join(scratch, 'cache') },
    });
  });

  after(async function () {
    await browser?.close();
    await served?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (page && !page.isClosed()) {
      const csp = await page.evaluate(() => (window as unknown as TestWindow).__csp);
      assert.deepEqual(csp, [], 'no Content Security Policy violations');
    }
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    await context?.close();
    context = undefined;
  });

  /** Opens the page with an optional saved webview state; the clock is paused at T0 once loaded. */
  async function open(savedState: unknown = null): Promise<Page> {
    pageErrors = [];
    context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.addInitScript((initial: unknown) => {
      const w = window as unknown as TestWindow;
      let state = initial === null ? undefined : initial;
      let visibility: 'visible' | 'hidden' = 'visible';
      let acquired = false;
      w.__posted = [];
      w.__csp = [];
      w.__state = () => state;
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
      w.__setVisibility = (v) => {
        visibility = v;
        document.dispatchEvent(new Event('visibilitychange'));
      };
      // VS Code injects its theme as CSS variables on <html>; these are Dark Modern's values.
      const theme: Record<string, string> = {
        '--vscode-foreground': '#cccccc',
        '--vscode-editor-background': '#1f1f1f',
        '--vscode-button-background': '#0078d4',
        '--vscode-button-foreground': '#ffffff',
        '--vscode-textLink-foreground': '#4daafc',
        '--vscode-errorForeground': '#f85149',
        '--vscode-editorWarning-foreground': '#cca700',
        '--vscode-testing-iconPassed': '#73c991',
        '--vscode-focusBorder': '#0078d4',
        '--vscode-font-family': 'system-ui, sans-serif',
        '--vscode-editor-font-family': 'monospace',
      };
      document.addEventListener('DOMContentLoaded', () => {
        for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v);
      });
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi may be called only once');
        acquired = true;
        return {
          postMessage: (m: FromWebview) => w.__posted.push(JSON.parse(JSON.stringify(m))),
          getState: () => state,
          setState: (s: unknown) => {
            state = JSON.parse(JSON.stringify(s));
          },
        };
      };
    }, savedState);
    await page.clock.install({ time: T0 - 10_000 });
    await page.goto(`${base}/`);
    await page.clock.pauseAt(T0);
    return page;
  }

  /** Posts like the extension does and returns once the page has handled it. */
  async function send(msg: ToWebview): Promise<void> {
    await page.evaluate(
      (m) =>
        new Promise<void>((resolve) => {
          // Registered after the page's own listener, so it runs after it.
          window.addEventListener('message', () => queueMicrotask(resolve), { once: true });
          window.postMessage(m, '*');
        }),
      msg,
    );
  }

  const show = (m: InspectorModel = model(), extra: Partial<Extract<ToWebview, { type: 'show' }>> = {}) => send({ type: 'show', model: m, now: T0, ...extra });
  const posted = () => page.evaluate(() => (window as unknown as TestWindow).__posted);
  const text = async (selector: string) => ((await page.textContent(selector)) ?? '').trim();
  const attr = async (selector: string, name: string) => page.getAttribute(selector, name);

  it('says ready once loaded and shows a waiting message until a model arrives', async function () {
    await open();
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.equal(await text('#empty'), 'Waiting for a token…');
  });

  it('renders the header, the claims with explanations, and unknown claims as JSON', async function () {
    await open();
    await show();
    assert.equal(await text('#title'), 'Portal');
    assert.equal(await text('#subtitle'), 'Sign-in · EU dev · client client-a');
    assert.equal(await text('#status'), 'valid');
    const rows = page.locator('#claims-access_token tbody tr');
    const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-claim')));
    assert.deepEqual(names, Object.keys(accessView().payload ?? {}));
    for (const claim of ['iss', 'sub', 'aud', 'client_id', 'scope', 'iat', 'nbf', 'exp', 'auth_time', 'env', 'org', 'sid', 'acr', 'amr', 'jti', 'p1.permissions']) {
      const explain = await text(`#claims-access_token tr[data-claim="${claim}"] td.explain`);
      assert.ok(explain.length > 10 && explain !== 'Not a registered claim.', `${claim} is explained`);
    }
    assert.match(await text('#claims-access_token tr[data-claim="env"] td.explain'), /PingOne environment/);
    assert.equal(await text('#claims-access_token tr[data-claim="favourite_colour"] td.explain'), 'Not a registered claim.');
    assert.deepEqual(JSON.parse(await text('#claims-access_token tr[data-claim="favourite_colour"] pre.json')), { primary: 'teal' });
    assert.equal(await text('#claims-access_token tr[data-claim="sub"] td.value'), 'user-1');
    assert.match(await text('#header-access_token tr[data-claim="kid"] td.explain'), /Key ID/);
    // The raw token in three coloured segments.
    assert.equal(await page.locator('#raw-access_token .seg').count(), 3);
    assert.equal(await text('#raw-access_token .seg-signature'), 'c2lnbmF0dXJl');
    assert.equal(await text('#raw-access_token'), accessView().raw.join('.'));
  });

  it('shows NumericDate claims as local time and ISO 8601', async function () {
    await open();
    await show();
    for (const claim of ['exp', 'iat', 'nbf', 'auth_time']) {
      const seconds = accessView().payload?.[claim] as number;
      const expected = await page.evaluate((s) => ({ local: new Date(s * 1000).toLocaleString(), iso: new Date(s * 1000).toISOString() }), seconds);
      assert.equal(await text(`#claims-access_token tr[data-claim="${claim}"] [data-part="local"]`), expected.local, claim);
      assert.equal(await text(`#claims-access_token tr[data-claim="${claim}"] [data-part="iso"]`), expected.iso, claim);
    }
    // Berlin local time differs from the ISO (UTC) text.
    assert.notEqual(
      await text('#claims-access_token tr[data-claim="exp"] [data-part="local"]'),
      await text('#claims-access_token tr[data-claim="exp"] [data-part="iso"]'),
    );
  });

  it('lists scopes and a multi-valued audience', async function () {
    await open();
    await show();
    const items = (sel: string) => page.locator(`${sel} li`).allTextContents();
    assert.deepEqual(await items('#claims-access_token tr[data-claim="scope"]'), ['openid', 'profile', 'p1:read:user']);
    assert.deepEqual(await items('#claims-access_token tr[data-claim="aud"]'), ['https://api.pingone.eu', 'https://orders.example']);
    assert.deepEqual(await items('#claims-access_token tr[data-claim="amr"]'), ['pwd']);
  });

  it("shows each token's signature state with its reason", async function () {
    await open();
    await show();
    assert.equal(await attr('#signature-access_token', 'data-state'), 'verified');
    assert.match(await text('#signature-access_token'), /Signature verified \(RS256, kid rsa-1\)/);
    assert.equal(await attr('#signature-id_token', 'data-state'), 'unknown_key');
    assert.match(await text('#signature-id_token'), /no key with kid "gone"/);
    assert.equal(await attr('#signature-refresh_token', 'data-state'), 'not_verifiable');
  });

  it('counts down from the absolute expiry with one timer, without real waiting', async function () {
    await open();
    await show();
    assert.equal(await text('#countdown'), 'expires in 41 min 12 s');
    assert.equal(await attr('#countdown', 'data-state'), 'ok');
    await page.clock.runFor(1000);
    assert.equal(await text('#countdown'), 'expires in 41 min 11 s');
    await page.clock.runFor(60_000);
    assert.equal(await text('#countdown'), 'expires in 40 min 11 s');
  });

  it("corrects for the extension host's clock being ahead of the page's", async function () {
    await open();
    await send({ type: 'show', model: model(), now: T0 + 12_000 });
    assert.equal(await text('#countdown'), 'expires in 41 min 0 s');
  });

  it('warns in the last five minutes and says how long ago it expired', async function () {
    await open();
    await show(model({ expiresAt: T0 + 5 * 60_000 + 2_000 }));
    assert.equal(await attr('#countdown', 'data-state'), 'ok');
    await page.clock.runFor(2_000);
    assert.equal(await text('#countdown'), 'expires in 5 min 0 s');
    assert.equal(await attr('#countdown', 'data-state'), 'warning');
    assert.equal(await attr('#status', 'data-state'), 'warning');
    assert.equal(await page.$eval('#countdown', (el) => getComputedStyle(el).color), 'rgb(204, 167, 0)', '--vscode-editorWarning-foreground');
    await page.clock.runFor(5 * 60_000);
    assert.equal(await attr('#countdown', 'data-state'), 'expired');
    assert.equal(await text('#status'), 'expired');
    await page.clock.runFor(3 * 60_000);
    assert.equal(await text('#countdown'), 'expired 3 min ago');
    assert.equal(await attr('#countdown', 'data-state'), 'expired');
    const color = (sel: string) => page.$eval(sel, (el) => getComputedStyle(el).color);
    assert.equal(await color('#countdown'), 'rgb(248, 81, 73)', 'the expired countdown uses --vscode-errorForeground');
  });

  it('stops the timer while hidden and catches up when visible again', async function () {
    await open();
    await show();
    await page.evaluate(() => (window as unknown as TestWindow).__setVisibility('hidden'));
    await page.clock.runFor(5_000);
    assert.equal(await text('#countdown'), 'expires in 41 min 12 s', 'no ticks while hidden');
    await page.evaluate(() => (window as unknown as TestWindow).__setVisibility('visible'));
    assert.equal(await text('#countdown'), 'expires in 41 min 7 s');
    await page.clock.runFor(1_000);
    assert.equal(await text('#countdown'), 'expires in 41 min 6 s');
  });

  it('keeps a marked status (revoked) while counting down', async function () {
    await open();
    await show(model({ status: 'revoked', canRefresh: false }));
    assert.equal(await text('#status'), 'revoked');
    assert.equal(await page.locator('#btn-refresh').count(), 0, 'no Refresh when it cannot work');
  });

  it('a deleted set says so, stops counting down and offers nothing to copy', async function () {
    await open();
    await show(model({ status: 'deleted', canRefresh: false, canIntrospect: false }));
    assert.equal(await text('#status'), 'deleted');
    assert.equal(await text('#countdown'), 'deleted: no longer stored in VS Code');
    for (const id of ['#btn-copy-token', '#btn-copy-header', '#btn-copy-claims']) assert.equal(await attr(id, 'disabled'), '', `${id} is disabled`);
    assert.equal(await page.locator('#btn-refresh, #btn-introspect').count(), 0);
  });

  it('explains opaque tokens and offers introspection; shows the result as a table', async function () {
    await open();
    const opaque: TokenView = { kind: 'access_token', format: 'opaque', raw: ['Zm9vYmFyYmF6'], signature: { state: 'not_verifiable', reason: 'Opaque token.' } };
    await show(model({ tokens: [opaque, model().tokens[2]] }));
    assert.equal(await text('#opaque-access_token p'), 'Opaque token: introspect to see its state.');
    assert.equal(await page.locator('#claims-access_token').count(), 0);
    assert.equal(await text('#raw-access_token'), 'Zm9vYmFyYmF6');
    assert.equal(await attr('#btn-copy-header', 'disabled'), '');
    await page.click('#btn-introspect-access_token');
    assert.deepEqual((await posted()).at(-1), { type: 'introspect' });
    await send({ type: 'busy', action: 'introspect', busy: true });
    assert.equal(await attr('#btn-introspect', 'disabled'), '');
    assert.equal(await attr('#btn-introspect', 'aria-busy'), 'true');
    await send({ type: 'introspection', result: { active: true, scope: 'openid profile', exp: EXP, client_id: 'client-a', custom: [1, 2] }, token: 'access_token' });
    assert.equal(await attr('#introspection', 'data-active'), 'true');
    assert.deepEqual(await page.locator('#introspection-table tr[data-claim="scope"] li').allTextContents(), ['openid', 'profile']);
    assert.ok((await text('#introspection-table tr[data-claim="exp"] [data-part="iso"]')).endsWith('Z'));
    assert.equal(await attr('#btn-introspect', 'disabled'), null, 'no longer busy');
    // The refresh token tab introspects the refresh token, and its text is never on the page.
    await page.click('#tab-refresh_token');
    await page.click('#btn-introspect-refresh_token');
    assert.deepEqual((await posted()).at(-1), { type: 'introspect', token: 'refresh_token' });
    assert.match(await text('#concealed-refresh_token'), /64 characters/);
  });

  it('posts refresh and copy requests from real buttons, and shows errors', async function () {
    await open();
    await show();
    await page.click('#btn-refresh');
    await page.click('#btn-copy-token');
    await page.click('#btn-copy-claims');
    assert.deepEqual((await posted()).slice(1), [
      { type: 'refresh' },
      { type: 'copy', what: 'token', kind: 'access_token' },
      { type: 'copy', what: 'payload', kind: 'access_token' },
    ]);
    for (const id of ['btn-refresh', 'btn-introspect', 'btn-copy-token', 'btn-copy-header', 'btn-copy-claims']) {
      assert.equal(await page.$eval(`#${id}`, (el) => `${el.tagName}:${el.getAttribute('type')}`), 'BUTTON:button', id);
    }
    await send({ type: 'busy', action: 'refresh', busy: true });
    assert.equal(await text('#btn-refresh'), 'Refreshing…');
    assert.equal(await attr('#btn-refresh', 'disabled'), '');
    await send({ type: 'error', message: 'Refresh failed: invalid_grant' });
    assert.equal(await text('#error'), 'Refresh failed: invalid_grant');
    assert.equal(await attr('#error', 'role'), 'alert');
    assert.equal(await text('#btn-refresh'), 'Refresh');
  });

  it('replaces the model in place on a new show, keeping the selected tab and focus', async function () {
    await open();
    const pending = model();
    pending.tokens[0] = { ...pending.tokens[0], signature: { state: 'pending' } };
    await show(pending);
    assert.equal(await attr('#signature-access_token', 'data-state'), 'pending');
    await page.focus('#tab-id_token');
    await page.keyboard.press('Enter');
    await show(model());
    assert.equal(await attr('#signature-access_token', 'data-state'), 'verified');
    assert.equal(await attr('#tab-id_token', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-id_token');
  });

  it('selects the tab the extension asks for', async function () {
    await open();
    await show(model(), { select: 'refresh_token' });
    assert.equal(await attr('#tab-refresh_token', 'aria-selected'), 'true');
    assert.ok(await page.isVisible('#panel-refresh_token'));
    assert.ok(!(await page.isVisible('#panel-access_token')));
  });

  it('navigates tabs with the arrow keys, Home and End, with a visible focus ring', async function () {
    await open();
    await show();
    assert.equal(await attr('#tabs', 'role'), 'tablist');
    assert.equal(await attr('#tab-access_token', 'role'), 'tab');
    assert.equal(await attr('#panel-access_token', 'role'), 'tabpanel');
    assert.equal(await attr('#panel-access_token', 'aria-labelledby'), 'tab-access_token');
    assert.equal(await attr('#tab-id_token', 'tabindex'), '-1', 'roving tabindex');
    await page.focus('#tab-access_token');
    const active = () => page.evaluate(() => document.activeElement?.id);
    await page.keyboard.press('ArrowRight');
    assert.equal(await active(), 'tab-id_token');
    assert.equal(await attr('#tab-id_token', 'aria-selected'), 'true');
    assert.equal(await attr('#tab-id_token', 'tabindex'), '0');
    assert.ok(await page.isVisible('#panel-id_token'));
    assert.ok(!(await page.isVisible('#panel-access_token')));
    const outline = await page.$eval('#tab-id_token', (el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'keyboard focus is visible');
    await page.keyboard.press('End');
    assert.equal(await active(), 'tab-refresh_token');
    await page.keyboard.press('ArrowRight');
    assert.equal(await active(), 'tab-access_token', 'wraps around');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await active(), 'tab-refresh_token');
    await page.keyboard.press('Home');
    assert.equal(await active(), 'tab-access_token');
    await page.keyboard.press('Tab');
    assert.equal(await active(), 'panel-access_token', 'Tab leaves the tab list for the panel');
    // Buttons work from the keyboard too.
    await page.focus('#btn-refresh');
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted()).at(-1), { type: 'refresh' });
  });

  it('renders hostile token content as text, never as HTML', async function () {
    await open();
    const evil = jwtView(
      'jwt',
      { alg: XSS, kid: XSS },
      { sub: XSS, name: XSS, scope: `openid ${XSS}`, [XSS]: XSS, nested: { html: XSS }, exp: EXP },
      { state: 'invalid', alg: XSS, reason: XSS },
    );
    await show({ title: XSS, subtitle: XSS, expiresAt: EXP * 1000, canRefresh: false, canIntrospect: false, tokens: [evil] });
    await send({ type: 'error', message: XSS });
    await send({ type: 'introspection', result: { active: false, [XSS]: XSS } });
    await page.clock.runFor(1_000);
    assert.equal(await page.locator('img').count(), 0, 'no element was created from token content');
    assert.equal(await page.evaluate(() => (window as unknown as TestWindow).__pwned), undefined);
    assert.equal(await text('#title'), XSS);
    assert.equal(await text('#claims-jwt tr[data-claim="sub"] td.value'), XSS);
    assert.equal(await text('#claims-jwt tr[data-claim="name"] td.value'), XSS);
    assert.ok((await text('#signature-jwt')).includes(XSS));
    assert.ok((await text('#error')).includes(XSS));
    assert.equal(await page.locator(`#claims-jwt tr[data-claim='${XSS.replace(/'/g, "\\'")}']`).count(), 1);
    const source = fs.readFileSync(ASSETS['/dist/webview/inspector.js'].file, 'utf8');
    assert.ok(!/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/.test(source), 'the bundle never assigns HTML');
  });

  it('isolates each value and shows bidirectional and invisible characters (a U+202E sub cannot rewrite its row)', async function () {
    await open();
    // Rendered as is, the override would display "nimda" reversed ("admin") after "user-1" and reorder the row.
    const spoof = 'user-1\u202Enimda';
    const hidden = 'ok\u200Bzero\u0007bell';
    const evil = jwtView(
      'jwt',
      { alg: 'RS256', kid: 'k\u2067' },
      { sub: spoof, name: hidden, ['role\u202E']: 'x', extra: { note: 'a\u202Eb' }, scope: 'openid \u200Fadmin', exp: EXP },
      { state: 'not_verifiable', reason: 'no key set' },
    );
    await show({ title: 'Bidi', subtitle: 's', expiresAt: EXP * 1000, canRefresh: false, canIntrospect: false, tokens: [evil] });
    const cell = (claim: string) => `#claims-jwt tr[data-claim="${claim}"] td.value`;
    // What a person sees: the override as a marker, the text around it in logical order.
    assert.equal(await text(cell('sub')), 'user-1[U+202E]nimda');
    assert.equal(await text(cell('name')), 'ok[U+200B]zero[U+0007]bell');
    assert.equal(await text('#claims-jwt tr[data-claim="role\u202E"] th'), 'role[U+202E]');
    assert.match(await text(cell('extra')), /"a\[U\+202E\]b"/);
    assert.match(await text(cell('scope')), /\[U\+200F\]admin/);
    assert.equal(await text('#header-jwt tr[data-claim="kid"] td.value'), 'k[U+2067]');
    // No raw bidi or invisible character is left in the rendered table, and each value is isolated.
    const rendered = await page.locator('#claims-jwt').evaluate((t) => t.textContent ?? '');
    // eslint-disable-next-line no-control-regex -- the test looks for a raw control character (BEL) on purpose
    assert.ok(!/[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u0007]/.test(rendered), 'no raw control character is rendered');
    assert.equal(await page.locator(`${cell('sub')} bdi`).count(), 1);
    assert.equal(await attr(`${cell('sub')} bdi .ctl`, 'title'), 'U+202E RIGHT-TO-LEFT OVERRIDE');
    // The marker sits where the character was: the text after it is not reordered before it.
    const box = await page.locator(`${cell('sub')} bdi`).evaluate((bdi) => {
      const range = document.createRange();
      const [before, marker, after] = Array.from(bdi.childNodes);
      range.selectNodeContents(before);
      const a = range.getBoundingClientRect().left;
      const m = (marker as Element).getBoundingClientRect().left;
      range.selectNodeContents(after);
      return { a, m, b: range.getBoundingClientRect().left };
    });
    assert.ok(box.a < box.m && box.m < box.b, `left to right: ${JSON.stringify(box)}`);
  });

  it('marks a DPoP-bound set and explains its cnf.jkt (own key, another key, opaque token); a bearer set has no badge', async function () {
    await open();
    await show();
    assert.equal(await page.locator('#dpop-badge, #dpop').count(), 0, 'a bearer set: nothing about DPoP');
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    await show(model({ dpop: { jkt, ownKey: true } }));
    assert.equal(await text('#dpop-badge'), 'DPoP-bound');
    assert.ok(await page.locator('#dpop-badge').isVisible());
    assert.equal(await text('#dpop-jkt'), jkt);
    assert.equal(await attr('#dpop', 'data-key'), 'own');
    const note = await text('#dpop');
    assert.match(note, /cnf\.jkt .* is the SHA-256 thumbprint \(RFC 7638\) of the public key it is bound to \(RFC 9449\)/);
    assert.match(note, /thumbprint of the key VS Code keeps for this token set/);
    assert.match(note, /needs a fresh DPoP proof/);
    await show(model({ dpop: { jkt, ownKey: false } }));
    assert.equal(await attr('#dpop', 'data-key'), 'other');
    assert.match(await text('#dpop'), /not the thumbprint of the key stored with this token set/);
    await show(model({ dpop: {} }));
    assert.equal(await text('#dpop-badge'), 'DPoP-bound');
    assert.match(await text('#dpop'), /opaque, so its cnf\.jkt cannot be read here/);
    await show(model({ dpop: { jkt: `${jkt}\u202e<b>x</b>` } }));
    assert.equal(await page.locator('#dpop b').count(), 0, 'a hostile jkt is text');
    assert.match(await text('#dpop-jkt'), /\[U\+202E\]/);
  });

  it('a bare JWT has no Refresh or Introspect, and its status follows exp', async function () {
    await open();
    const bare = { ...accessView(), kind: 'jwt' as const };
    await show({ title: 'JWT', expiresAt: EXP * 1000, canRefresh: false, canIntrospect: false, tokens: [bare] });
    assert.equal(await page.locator('#btn-refresh').count(), 0);
    assert.equal(await page.locator('#btn-introspect').count(), 0);
    assert.equal(await text('#status'), 'valid');
    await page.click('#btn-copy-header');
    assert.deepEqual((await posted()).at(-1), { type: 'copy', what: 'header', kind: 'jwt' });
  });

  it('persists the model and tab, and renders from state at load before saying ready', async function () {
    await open();
    await show();
    await page.click('#tab-id_token');
    await send({ type: 'introspection', result: { active: true } });
    const saved = await page.evaluate(() => (window as unknown as TestWindow).__state());
    const s = saved as { model: InspectorModel; selected: string; introspection: unknown };
    assert.equal(s.model.title, 'Portal');
    assert.equal(s.selected, 'id_token');
    assert.ok(s.introspection);
    await context?.close();

    // A new page load (the panel was hidden and shown again) with that state.
    await open(saved);
    assert.equal(await text('#title'), 'Portal');
    assert.equal(await attr('#tab-id_token', 'aria-selected'), 'true');
    assert.equal(await attr('#introspection', 'data-active'), 'true');
    assert.match(await text('#countdown'), /^expires in 41 min \d+ s$/);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
  });

  it('ignores messages that are not from the protocol', async function () {
    await open();
    await show();
    await send({ type: 'show', model: { title: 'x' } } as unknown as ToWebview);
    await send({ type: 'nonsense' } as unknown as ToWebview);
    assert.equal(await text('#title'), 'Portal');
  });
});
