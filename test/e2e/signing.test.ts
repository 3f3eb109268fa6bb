/**
 * Applications that sign, as a person sets them up: the packaged VSIX in code-server, driven
 * through headless Chromium. A private_key_jwt application is added through the palette with a key
 * the extension generates; "Copy Public JWKS" puts only public parts on the clipboard; once that
 * JWKS is registered at the sandbox (as pasting it into the tenant does) a client-credentials token
 * appears in the tree. A DPoP application's token set shows its binding in the Token Inspector.
 * Own browser profile, so its own secrets.
 */
import * as assert from 'node:assert/strict';
import { SEED_NAMES } from './stack';
import { type Workbench, useWorkbench } from './workbench';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('applications that sign, in VS Code (VSIX installed in code-server)', function () {
  this.timeout(90_000);
  const suite = useWorkbench('signing');
  let clipboardAllowed = false;

  const workbench = async (): Promise<Workbench> => {
    const w = suite.wb;
    if (!clipboardAllowed) {
      await w.session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(suite.ctx.codeServerUrl).origin });
      clipboardAllowed = true;
    }
    return w;
  };

  /** The quick pick whose placeholder starts with `placeholder`: accepted as it is (a multi-select's defaults). */
  async function acceptPick(w: Workbench, placeholder: string): Promise<void> {
    const input = w.page.locator(`.quick-input-widget input[placeholder^=${JSON.stringify(placeholder)}]`);
    await input.waitFor({ state: 'visible' });
    await input.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** The tooltip of a tree row, as hovering it shows (it contains `expect`); moves away until it is gone. */
  async function tooltip(w: Workbench, row: ReturnType<Workbench['treeRow']>, expect: string): Promise<string> {
    const hover = w.page.locator('.monaco-hover:visible');
    const label = row.locator('.label-name').first();
    // The workbench shows a row's hover once the pointer rests on it; a pointer that arrived while
    // the tree was redrawing the row is not noticed, so move off and onto it again (bounded).
    for (let attempt = 1; ; attempt++) {
      const box = await label.boundingBox();
      assert.ok(box, 'the row is on screen');
      await w.page.mouse.move(box.x + 2, box.y + box.height / 2);
      await w.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      const shown = await hover
        .first()
        .waitFor({ state: 'visible', timeout: 4000 })
        .then(
          () => true,
          () => false,
        );
      if (shown) break;
      if (attempt === 4) assert.fail('no hover appeared over the row');
      await w.page.mouse.move(800, 500);
    }
    await hover
      .filter({ hasText: expect })
      .first()
      .waitFor({ state: 'visible', timeout: 5000 })
      .catch(() => undefined);
    const text = (await hover.first().innerText()).replace(/\s+/g, ' ');
    await w.page.mouse.move(800, 500); // the empty editor area
    await hover.first().waitFor({ state: 'hidden' });
    assert.ok(text.includes(expect), `the tooltip has "${expect}": ${text}`);
    return text;
  }

  it('adds a private_key_jwt application with a generated key, copies a public-only JWKS, gets a token once it is registered; Edit changes the audience, and the algorithm with a new key', async () => {
    const w = await workbench();
    const { ctx } = suite;
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    const client = ctx.sandbox.clients.privateKeyJwt;

    await w.runCommand('PingOne: Add Application');
    await w.pick(SEED_NAMES.pingone, { thenPrompt: true });
    await w.typeInput('Client ID', client.clientId);
    await w.pick('private_key_jwt', { thenPrompt: true });
    await w.pick('Generate a new RS256 key', { thenPrompt: true });
    await w.pick('Token endpoint', { thenPrompt: true });
    await acceptPick(w, 'Grants this application uses');
    await w.typeInput('Default scopes', 'p1:read:user');
    await w.typeInput('Redirect URI registered', 'http://127.0.0.1/callback');
    await acceptPick(w, 'Options');
    await w.typeInput('A name for this application', 'Key app');

    const row = w.treeRow('Key app ');
    await row.waitFor({ state: 'visible' });
    assert.ok((await w.description(row)).startsWith(client.clientId));

    await w.contextMenu(row, 'Copy Public JWKS');
    await w.page.locator('.statusbar-item', { hasText: 'Public JWKS copied (1 key)' }).first().waitFor({ state: 'visible' });
    const copied = await w.page.evaluate(() => navigator.clipboard.readText());
    const jwks = JSON.parse(copied) as { keys: Array<Record<string, unknown>> };
    assert.equal(jwks.keys.length, 1);
    const [key] = jwks.keys;
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.match(String(key.kid), /^[A-Za-z0-9_-]{43}$/, 'the kid is an RFC 7638 SHA-256 thumbprint');
    for (const member of PRIVATE_MEMBERS) assert.equal(key[member], undefined, `no private member "${member}"`);

    // The tooltip names the key and its algorithm.
    const tip = await tooltip(w, row, 'Signing key');
    assert.ok(tip.includes(String(key.kid)), tip);
    assert.match(tip, /private_key_jwt \(RS256\)/);

    // Registered in the "tenant" (the sandbox), the key signs a client assertion the server accepts.
    const put = await fetch(`${ctx.sandbox.url}/test/client-jwks/${encodeURIComponent(client.clientId)}`, { method: 'PUT', body: copied });
    assert.equal(put.status, 204);
    await w.contextMenu(row, 'Get Token (Client Credentials)');
    await w.expand(row);
    const tokens = w.tokenSetRows();
    await tokens.first().waitFor({ state: 'visible' });
    assert.equal(await tokens.count(), 1);
    assert.equal(await tokens.first().getAttribute('aria-level'), '3', 'under its application');

    // Edit Application offers the assertion audience; the server accepts the issuer as audience too.
    await w.runCommand('PingOne: Edit Application');
    await w.pick('Key app', { thenPrompt: true });
    await w.pick('Assertion audience', { thenPrompt: true });
    await w.pick('Issuer');
    assert.match(await tooltip(w, row, 'Assertion audience'), /Assertion audience: the issuer/);
    await w.contextMenu(row, 'Get Token (Client Credentials)');
    await tokens.nth(1).waitFor({ state: 'visible' });

    // Another algorithm is a new key: Edit Application › Signing algorithm rotates, keeping the old public key listed.
    await w.runCommand('PingOne: Edit Application');
    await w.pick('Key app', { thenPrompt: true });
    await w.pick('Signing algorithm', { thenPrompt: true });
    await w.pick('Generate a new ES256 key');
    const toast = w.page.locator('.notification-toast', { hasText: 'now signs with a new key' });
    await toast.waitFor({ state: 'visible' });
    const newKid = /\(kid ([A-Za-z0-9_-]{43})\)/.exec((await toast.textContent()) ?? '')?.[1];
    assert.ok(newKid, 'the notification names the new kid');
    await toast.locator('.monaco-button', { hasText: 'Copy Public JWKS' }).click();
    await w.page.locator('.statusbar-item', { hasText: 'Public JWKS copied (2 keys)' }).first().waitFor({ state: 'visible' });
    const rotated = JSON.parse(await w.page.evaluate(() => navigator.clipboard.readText())) as { keys: Array<Record<string, unknown>> };
    assert.deepEqual(
      rotated.keys.map((k) => [k.kid, k.alg]),
      [
        [key.kid, 'RS256'],
        [newKid, 'ES256'],
      ],
    );
    for (const k of rotated.keys) for (const member of PRIVATE_MEMBERS) assert.equal(k[member], undefined, `no private member "${member}"`);
    const rotatedTip = await tooltip(w, row, newKid!);
    assert.match(rotatedTip, /private_key_jwt \(ES256\)/);
  });

  it('shows a DPoP-bound token set as DPoP-bound in the Token Inspector, with its cnf.jkt explained', async () => {
    const w = await workbench();
    const { ctx } = suite;
    const client = ctx.sandbox.clients.dpop;
    await w.runCommand('PingOne: Add Application');
    await w.pick(SEED_NAMES.pingone, { thenPrompt: true });
    await w.typeInput('Client ID', client.clientId);
    await w.pick('client_secret_basic', { thenPrompt: true });
    await w.typeInput('Client secret', client.clientSecret!);
    await acceptPick(w, 'Grants this application uses');
    await w.typeInput('Default scopes', 'p1:read:user');
    await w.typeInput('Redirect URI registered', 'http://127.0.0.1/callback');
    // Options: tick "DPoP-bound tokens" (a click on the row toggles it), accept.
    const quick = w.page.locator('.quick-input-widget');
    await quick.locator('input[placeholder^="Options"]').waitFor({ state: 'visible' });
    await quick.locator('.monaco-list-row', { hasText: 'DPoP-bound tokens' }).click();
    await quick.getByText('1 Selected').waitFor({ state: 'visible' });
    await quick.locator('input').press('Enter');
    await w.typeInput('A name for this application', 'DPoP app');

    const row = w.treeRow('DPoP app ');
    await row.waitFor({ state: 'visible' });
    assert.match(await tooltip(w, row, 'DPoP-bound tokens'), /DPoP-bound tokens/);
    await w.contextMenu(row, 'Get Token (Client Credentials)');
    await w.expand(row);
    const set = w.tokenSetRows().filter({ hasText: 'DPoP' });
    await set.first().waitFor({ state: 'visible' });
    assert.match(await w.description(set.first()), /· DPoP/);

    await set.first().click();
    const page = w.inspector();
    await page.locator('#dpop-badge').waitFor({ state: 'visible' });
    assert.equal((await page.locator('#dpop-badge').textContent())?.trim(), 'DPoP-bound');
    const cnf = JSON.parse((await w.claim('cnf').locator('pre').textContent()) ?? '{}') as { jkt?: string };
    assert.ok(cnf.jkt, 'the access token has cnf.jkt');
    assert.equal((await page.locator('#dpop-jkt').textContent())?.trim(), cnf.jkt);
    assert.equal(await page.locator('#dpop').getAttribute('data-key'), 'own', "the thumbprint of the set's own key");
    assert.match((await page.locator('#dpop').textContent()) ?? '', /SHA-256 thumbprint \(RFC 7638\)/);
    assert.match(((await page.locator('#claims-access_token tr[data-claim="cnf"] td.explain').textContent()) ?? '').trim(), /DPoP key \(RFC 9449\)/);
    await w.clearNotifications();
    console.log(`      DPoP inspector screenshot: ${await w.screenshot('screenshot-inspector-dpop.png')}`);
  });
});
