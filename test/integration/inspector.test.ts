/**
 * The Token Inspector panel inside a real extension host: a real webview panel whose page (the
 * bundled `dist/webview/inspector.js` under the panel's CSP) really loads in the workbench and says
 * `ready`, a real token service (over in-memory stores: storage is not what is tested here) and the
 * sandbox as the authorization server, so tokens, key sets, refresh, introspection and revocation
 * are all real. What the panel posts to its page is observed by a pass-through on
 * `panel.webview.postMessage` (the real one still delivers every message).
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import * as vscode from 'vscode';
import type { Application } from '../../src/core/application';
import type { Environment } from '../../src/core/environment';
import { TokenService, type TokenSetInfo } from '../../src/core/service';
import { InspectorPanel, type InspectorDeps } from '../../src/webview/inspector/panel';
import type { InspectorModel, ToWebview } from '../../src/webview/inspector/protocol';
import type { Sandbox } from '../sandbox';
import { MemorySecrets, MemoryState } from '../support/memoryStores';
import { EXTENSION_ID, browserFor, sandbox, sandboxEnvironment, webApplication, workerApplication } from './helpers';

type Show = Extract<ToWebview, { type: 'show' }>;

/** Polls `condition` until it holds or `ms` have passed (then fails naming `what`). */
async function waitFor(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every message the panel posts to its page from now on (copied as the page receives it). */
function record(inspector: InspectorPanel): ToWebview[] {
  const posted: ToWebview[] = [];
  const webview = inspector.panel.webview;
  const deliver = webview.postMessage.bind(webview);
  webview.postMessage = (m: ToWebview) => {
    posted.push(JSON.parse(JSON.stringify(m)) as ToWebview);
    return deliver(m);
  };
  return posted;
}

const shows = (posted: ToWebview[]) => posted.filter((m): m is Show => m.type === 'show');
const errors = (posted: ToWebview[]) => posted.flatMap((m) => (m.type === 'error' ? [m.message] : []));

/** The inspector tabs open in the workbench (the extension's own inspector included). */
function inspectorTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(InspectorPanel.viewType));
}

/** The access token's text as the model shows it (its raw segments). */
const accessText = (model: InspectorModel | undefined) => model?.tokens.find((t) => t.kind === 'access_token')?.raw.join('.');

describe('inspector panel (real extension host, sandbox tokens)', function () {
  let s: Sandbox;
  let extensionUri: vscode.Uri;
  let service: TokenService;
  let env: Environment;
  let logs: string[];
  /** Set by a test to make every connection fail (the issuer is unreachable). */
  let unreachable: http.Agent | undefined;

  before(async function () {
    s = await sandbox();
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not installed`);
    extensionUri = ext.extensionUri;
    // An inspector left open by an earlier suite (the extension's own) would share the tab group.
    await vscode.window.tabGroups.close(inspectorTabs());
  });

  beforeEach(async function () {
    unreachable = undefined;
    service = new TokenService({
      state: new MemoryState(),
      secrets: new MemorySecrets(),
      http: () => ({ timeoutMs: 5000, agent: unreachable && (() => unreachable) }),
    });
    env = await service.addEnvironment(sandboxEnvironment(s));
    logs = [];
  });

  afterEach(async function () {
    InspectorPanel.disposeCurrent();
    await waitFor(() => inspectorTabs().length === 0, 'the inspector tab to close');
  });

  const deps = (): InspectorDeps => ({
    extensionUri,
    service,
    log: { info: (m) => void logs.push(`info ${m}`), error: (m) => void logs.push(`error ${m}`) },
  });

  /** Client credentials from the worker app: an access token only. */
  async function workerSet(): Promise<{ app: Application; info: TokenSetInfo }> {
    const app = await service.addApplication(env.id, workerApplication(s));
    return { app, info: await service.clientCredentials(app.id) };
  }

  /** Sign-in with code + PKCE through the web app: access, ID and (rotating) refresh tokens. */
  async function webSet(): Promise<{ app: Application; info: TokenSetInfo }> {
    const app = await service.addApplication(env.id, webApplication(s, 'Portal'));
    const info = await service.signIn(app.id, { openExternal: browserFor(s) });
    assert.equal(info.hasRefreshToken, true);
    assert.equal(info.hasIdToken, true);
    return { app, info };
  }

  /** Opens the inspector on a target and waits until its real page is loaded and everything settled. */
  async function open(target: Parameters<typeof InspectorPanel.show>[1]): Promise<InspectorPanel> {
    const inspector = await InspectorPanel.show(deps(), target);
    await waitFor(() => inspector.isReady, 'the inspector page to say ready');
    await inspector.settled();
    return inspector;
  }

  it('opens one scripted panel with a strict CSP; its page becomes ready and the model holds the set', async function () {
    const { info } = await webSet();
    const tokens = await service.getTokenSet(info.id);
    const inspector = await InspectorPanel.show(deps(), { tokenSetId: info.id });
    assert.equal(InspectorPanel.current, inspector);
    const { panel } = inspector;
    assert.equal(panel.viewType, 'pingone.tokenInspector');
    assert.equal(panel.title, 'Token Inspector');
    assert.equal(panel.webview.options.enableScripts, true);
    assert.deepEqual(
      panel.webview.options.localResourceRoots?.map((u) => u.toString()),
      [vscode.Uri.joinPath(extensionUri, 'dist', 'webview').toString(), vscode.Uri.joinPath(extensionUri, 'media').toString()],
    );

    const html = panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/
      .exec(html)?.[1]
      ?.replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"');
    assert.ok(csp, 'the page declares a CSP');
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1] ?? '';
    assert.equal(Buffer.from(nonce, 'base64').length, 16, 'a 16-byte nonce');
    assert.ok(csp.startsWith("default-src 'none';"), csp);
    assert.ok(csp.includes(`style-src ${panel.webview.cspSource};`), csp);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'inspector.js')).toString();
    assert.ok(html.includes(`<script nonce="${nonce}" src="${script.replace(/&/g, '&amp;')}"></script>`), html);

    await waitFor(() => inspector.isReady, 'the real page to load and say ready');
    await inspector.settled();
    await waitFor(() => inspectorTabs().length === 1, 'one inspector tab');
    assert.equal(inspectorTabs()[0].label, 'Token Inspector');

    const model = inspector.model;
    assert.ok(model);
    assert.equal(model.tokenSetId, info.id);
    assert.equal(model.title, 'Portal');
    assert.equal(model.status, 'valid');
    assert.equal(model.canRefresh, true);
    assert.equal(model.canIntrospect, true);
    assert.deepEqual(
      model.tokens.map((t) => t.kind),
      ['access_token', 'id_token', 'refresh_token'],
    );
    const [access, id, refresh] = model.tokens;
    assert.equal(access.raw.join('.'), tokens.accessToken);
    assert.equal(access.payload?.client_id, s.clients.web.clientId);
    assert.equal(access.payload?.iss, env.issuer);
    assert.equal(id.raw.join('.'), tokens.idToken);
    assert.equal(id.payload?.sub, s.user.sub);
    assert.deepEqual(
      model.tokens.map((t) => t.signature.state),
      ['verified', 'verified', 'not_verifiable'],
      'access and ID tokens verified against the sandbox key set; the refresh token has no signature',
    );
    assert.deepEqual(refresh.raw, []);
    assert.deepEqual(refresh.concealed, { length: tokens.refreshToken!.length });
    assert.ok(!JSON.stringify(model).includes(tokens.refreshToken!), 'the refresh token never reaches the page');
  });

  it('rejects an unknown token set or an empty token without opening a panel', async function () {
    await assert.rejects(InspectorPanel.show(deps(), { tokenSetId: 'nope' }), /No stored tokens/);
    await assert.rejects(InspectorPanel.show(deps(), { jwt: '  ' }), /no token/);
    assert.equal(InspectorPanel.current, undefined);
    assert.deepEqual(inspectorTabs(), []);
  });

  it('reuses the open panel for the next target and selects the requested tab once', async function () {
    const { info } = await webSet();
    const first = await open({ tokenSetId: info.id });
    const posted = record(first);
    const second = await InspectorPanel.show(deps(), { tokenSetId: info.id, select: 'id_token' });
    await second.settled();
    assert.equal(second, first);
    assert.equal(second.panel, first.panel);
    assert.equal(shows(posted).filter((m) => m.select === 'id_token').length, 1, 'select is sent once');

    const { accessToken } = await service.getTokenSet(info.id);
    const third = await InspectorPanel.show(deps(), { jwt: `Bearer ${accessToken}` });
    await third.settled();
    assert.equal(third, first);
    assert.deepEqual(third.target, { jwt: `Bearer ${accessToken}` });
    const last = shows(posted).at(-1)?.model.tokens[0];
    assert.equal(last?.kind, 'jwt');
    assert.equal(last?.raw.join('.'), accessToken);
    assert.equal(last?.signature.state, 'verified', "verified with the matching environment's key set");
    assert.equal(inspectorTabs().length, 1);
  });

  it('a bare JWT: from an unconfigured issuer it is not verifiable and says why; from the sandbox it is verified', async function () {
    const { privateKey } = await generateKeyPair('RS256');
    const stranger = await new SignJWT({ iss: 'https://evil.example', sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .sign(privateKey);
    const inspector = await open({ jwt: stranger });
    const sig = inspector.model?.tokens[0].signature;
    assert.equal(sig?.state, 'not_verifiable');
    assert.match((sig as { reason: string }).reason, /evil\.example is not one of your environments/);

    // A bare token has no application: Refresh and Introspect say so and call nothing.
    const requests = s.stats().tokenRequests;
    const posted = record(inspector);
    await inspector.receive({ type: 'refresh' });
    await inspector.receive({ type: 'introspect' });
    assert.equal(s.stats().tokenRequests, requests, 'no request reached the sandbox');
    assert.deepEqual(errors(posted), [
      'Only a stored token set can be refreshed.',
      'Only a stored token set can be introspected: its application holds the credentials.',
    ]);

    const { info } = await workerSet();
    const { accessToken } = await service.getTokenSet(info.id);
    await InspectorPanel.show(deps(), { jwt: accessToken });
    await inspector.settled();
    assert.deepEqual(
      inspector.model?.tokens.map((t) => [t.kind, t.signature.state]),
      [['jwt', 'verified']],
    );
    assert.equal(inspector.model?.tokens[0].payload?.iss, env.issuer);
  });

  it('refresh of a client-credentials set: busy, then the new access token in place, then not busy', async function () {
    const { info } = await workerSet();
    const inspector = await open({ tokenSetId: info.id });
    const before = accessText(inspector.model);
    assert.equal(before, (await service.getTokenSet(info.id)).accessToken);
    const posted = record(inspector);
    await inspector.receive({ type: 'refresh' });
    await inspector.settled();
    const stored = (await service.getTokenSet(info.id)).accessToken;
    assert.notEqual(stored, before, 'the sandbox issued a new access token');
    assert.equal(accessText(inspector.model), stored, 'the model holds it');
    assert.equal(inspector.model?.tokens[0].signature.state, 'verified');
    const types = posted.map((m) => (m.type === 'busy' ? `busy:${m.busy}` : m.type));
    assert.equal(types[0], 'busy:true');
    assert.equal(types.at(-1), 'busy:false');
    assert.equal(accessText(shows(posted).at(-1)?.model), stored, 'the page was sent the new token');
    assert.deepEqual(errors(posted), []);
  });

  it('refresh of a signed-in set rotates the refresh token and shows the new tokens, still concealing it', async function () {
    const { info } = await webSet();
    const inspector = await open({ tokenSetId: info.id });
    const before = await service.getTokenSet(info.id);
    const posted = record(inspector);
    await inspector.receive({ type: 'refresh' });
    await inspector.settled();
    const after = await service.getTokenSet(info.id);
    assert.notEqual(after.refreshToken, before.refreshToken, 'the sandbox rotated the refresh token');
    assert.notEqual(after.accessToken, before.accessToken);
    assert.equal(accessText(inspector.model), after.accessToken);
    assert.equal(inspector.model?.tokens.find((t) => t.kind === 'refresh_token')?.concealed?.length, after.refreshToken!.length);
    const seen = JSON.stringify([inspector.model, posted]);
    assert.ok(!seen.includes(after.refreshToken!) && !seen.includes(before.refreshToken!), 'no refresh token reaches the page');
    assert.deepEqual(errors(posted), []);
  });

  it('refresh failure (a wrong stored secret): an error for the page with no token in it, the tokens kept', async function () {
    const { app, info } = await webSet();
    const inspector = await open({ tokenSetId: info.id });
    const before = await service.getTokenSet(info.id);
    await service.updateApplication(app.id, {
      name: app.name,
      clientId: app.clientId,
      clientSecret: 'not-the-secret',
      authMethod: 'client_secret_basic',
      scopes: app.scopes,
    });
    await inspector.settled();
    const posted = record(inspector);
    await inspector.receive({ type: 'refresh' });
    await inspector.settled();
    const [error, ...more] = errors(posted);
    assert.deepEqual(more, []);
    assert.match(error, /^Refresh failed: /);
    assert.match(error, /client/i, 'it names the client authentication problem');
    for (const secret of [before.accessToken, before.idToken!, before.refreshToken!, 'not-the-secret', s.clients.web.clientSecret!]) {
      assert.ok(!error.includes(secret), 'no token or secret in the error');
      assert.ok(!logs.join('\n').includes(secret), 'no token or secret in the log');
    }
    assert.deepEqual(posted.at(-1), { type: 'busy', action: 'refresh', busy: false });
    assert.equal(accessText(inspector.model), before.accessToken, 'the shown tokens are unchanged');
    assert.equal((await service.getTokenSet(info.id)).accessToken, before.accessToken);
  });

  it('introspect asks the sandbox and copy puts the requested text on the real clipboard', async function () {
    const { info } = await webSet();
    const tokens = await service.getTokenSet(info.id);
    const inspector = await open({ tokenSetId: info.id });
    const posted = record(inspector);

    await inspector.receive({ type: 'introspect' });
    await inspector.receive({ type: 'introspect', token: 'refresh_token' });
    const results = posted.flatMap((m) => (m.type === 'introspection' ? [m] : []));
    assert.deepEqual(
      results.map((r) => [r.token, r.result.active, r.result.client_id]),
      [
        ['access_token', true, s.clients.web.clientId],
        ['refresh_token', true, s.clients.web.clientId],
      ],
    );
    assert.deepEqual(
      posted.filter((m) => m.type === 'busy').map((m) => m.type === 'busy' && m.busy),
      [true, false, true, false],
    );

    await inspector.receive({ type: 'copy', what: 'token', kind: 'access_token' });
    assert.equal(await vscode.env.clipboard.readText(), tokens.accessToken);
    await inspector.receive({ type: 'copy', what: 'token', kind: 'refresh_token' });
    assert.equal(await vscode.env.clipboard.readText(), tokens.refreshToken, 'the concealed refresh token is looked up by the extension');
    await inspector.receive({ type: 'copy', what: 'header', kind: 'access_token' });
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), inspector.model?.tokens[0].header);
    await inspector.receive({ type: 'copy', what: 'payload', kind: 'id_token' });
    assert.equal(JSON.parse(await vscode.env.clipboard.readText()).sub, s.user.sub);
    assert.deepEqual(
      logs.filter((l) => l.includes('copied')),
      [
        'info Token Inspector: copied the access token.',
        'info Token Inspector: copied the refresh token.',
        'info Token Inspector: copied the access token header.',
        'info Token Inspector: copied the ID token claims.',
      ],
    );

    // Malformed messages are ignored (and logged); the clipboard keeps what it had.
    await vscode.env.clipboard.writeText('unchanged');
    await inspector.receive({ type: 'copy', what: 'token', kind: 'client_secret' });
    await inspector.receive({ type: 'show', model: {} });
    assert.equal(await vscode.env.clipboard.readText(), 'unchanged');
    assert.equal(logs.filter((l) => l.includes('malformed message')).length, 2);
  });

  it('re-posts only when the shown set changes: revoked, then deleted (kept on screen, actions off)', async function () {
    const { info } = await webSet();
    const inspector = await open({ tokenSetId: info.id });
    const posted = record(inspector);

    await service.addEnvironment(sandboxEnvironment(s, 'Another'));
    await inspector.settled();
    assert.deepEqual(shows(posted), [], 'an unrelated change re-posts nothing');

    await service.revoke(info.id);
    await inspector.settled();
    assert.equal(inspector.model?.status, 'revoked');
    assert.equal(shows(posted).at(-1)?.model.status, 'revoked');

    const shown = accessText(inspector.model);
    await service.deleteTokenSet(info.id);
    await inspector.settled();
    const model = inspector.model;
    assert.equal(model?.status, 'deleted');
    assert.equal(model?.canRefresh, false);
    assert.equal(model?.canIntrospect, false);
    assert.equal(accessText(model), shown, 'what the set held stays on screen');
    assert.equal(shows(posted).at(-1)?.model.status, 'deleted');
    assert.match(errors(posted).at(-1) ?? '', /deleted/);
  });

  it('posts nothing while hidden; the page reloads when shown again and gets the latest model', async function () {
    const { info } = await webSet();
    const inspector = await open({ tokenSetId: info.id });
    const posted = record(inspector);
    // Another editor in the same group hides the panel; its page is torn down (no retained context).
    const other = await vscode.window.showTextDocument(vscode.Uri.joinPath(extensionUri, 'package.json'), {
      viewColumn: inspector.panel.viewColumn,
      preview: false,
    });
    try {
      await waitFor(() => !inspector.panel.visible && !inspector.isReady, 'the panel to be hidden');
      await service.revoke(info.id);
      await inspector.settled();
      assert.equal(inspector.model?.status, 'revoked', 'the model follows the store while hidden');
      assert.deepEqual(posted, [], 'nothing is posted to a page that is not there');

      inspector.panel.reveal(undefined, false);
      await waitFor(() => inspector.isReady, 'the reloaded page to say ready');
      await inspector.settled();
      assert.deepEqual(
        shows(posted).map((m) => m.model.status),
        ['revoked'],
      );
    } finally {
      const tab = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === other.document.uri.toString());
      if (tab) await vscode.window.tabGroups.close(tab);
    }
  });

  it("falls back when the issuer's endpoints cannot be reached: not verifiable, with the reason", async function () {
    const { info } = await workerSet();
    // A loopback port nobody listens on: connections are refused at once.
    const dead = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    // Every connection goes to that port. (Changing the environment's issuer instead would drop
    // the token set: tokens belong to the issuer that issued them.)
    const gone = new http.Agent();
    (gone as unknown as { createConnection: () => net.Socket }).createConnection = () => net.connect(dead, '127.0.0.1');
    unreachable = gone;
    service.reload();
    const inspector = await open({ tokenSetId: info.id });
    const sig = inspector.model?.tokens[0].signature as { state: string; reason: string };
    assert.equal(sig.state, 'not_verifiable');
    assert.match(sig.reason, /key set is unavailable: /);
    assert.equal(inspector.model?.canIntrospect, true, 'Introspect stays offered; the call reports');
    assert.ok(logs.some((l) => l.startsWith('error Token Inspector: endpoints of Sandbox')));
  });

  it('closing the panel disposes it: no instance, no more rebuilds, nothing posted; the next show opens a new one', async function () {
    const { info } = await workerSet();
    const inspector = await open({ tokenSetId: info.id });
    const posted = record(inspector);
    const model = inspector.model;
    await waitFor(() => inspectorTabs().length === 1, 'the inspector tab');
    await vscode.window.tabGroups.close(inspectorTabs()); // as the user closes it
    await waitFor(() => InspectorPanel.current === undefined, 'the panel to be disposed');

    await service.refresh(info.id);
    await inspector.settled();
    assert.equal(inspector.model, model, 'no rebuild after dispose');
    await inspector.receive({ type: 'ready' });
    await inspector.receive({ type: 'introspect' });
    assert.deepEqual(posted, []);

    const next = await open({ tokenSetId: info.id });
    assert.notEqual(next, inspector);
    assert.notEqual(next.panel, inspector.panel);
    assert.equal(accessText(next.model), (await service.getTokenSet(info.id)).accessToken);
    next.dispose();
    assert.equal(InspectorPanel.current, undefined);
  });
});
