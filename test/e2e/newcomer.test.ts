/**
 * A newcomer's first minutes in the demo's workbench (the VSIX installed in code-server, the
 * sandbox on the address the demo uses): browser sign-in through the sandbox's own login page in
 * the tab VS Code opens, a wrong client secret giving exactly one toast that leads to the fix, and a
 * cancelled sign-in giving none. The steps build on each other, in one browser profile.
 *
 * Run through the launcher: npm run test:e2e (PTE_TEST_GREP='newcomer' for this suite alone).
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { TOKEN_HOLD_PATH } from '../sandbox/index';
import { SEED_NAMES } from './stack';
import { type Workbench, useWorkbench } from './workbench';

describe('newcomer: the first minutes in the demo workbench', function () {
  this.timeout(90_000);
  const suite = useWorkbench('newcomer');
  before(async function () {
    this.timeout(90_000);
    await suite.wb.showPingOne();
    await suite.wb.waitForSeed(SEED_NAMES.pfWeb);
  });

  const workbench = (): Workbench => suite.wb;

  /** Notification toasts on screen. */
  const toasts = (w: Workbench): Locator => w.page.locator('.notification-toast-container .notification-toast');
  const errorToasts = (w: Workbench): Locator => toasts(w).filter({ has: w.page.locator('.codicon-error') });

  /** The web app's token set of the demo user ("Sign-in · demo.user"). */
  const userSet = (w: Workbench): Locator => w.treeRow(`Sign-in · ${suite.ctx.sandbox.user.username} `).first();
  /** An editor tab of a result document ("Introspection · Web app · …"). */
  const resultTab = (w: Workbench, kind: string): Locator => w.page.locator(`.part.editor .tab[aria-label^="${kind} · ${SEED_NAMES.web} · "]`);

  /** Starts a sign-in from the context menu and answers VS Code's "open the external website?" dialog. */
  async function startSignIn(w: Workbench, answer: 'Open' | 'Cancel'): Promise<void> {
    await w.contextMenu(w.treeRow(`${SEED_NAMES.web} `), 'Sign In (Authorization Code)');
    // VS Code asks before it opens a site outside its trusted domains; a person clicks Open.
    await w.dialog().filter({ hasText: 'open the external website' }).waitFor({ state: 'visible' });
    await w.dialogButton(answer);
  }

  /** The tab the workbench opens for the sign-in (window.open from openExternal). */
  async function signInTab(w: Workbench): Promise<Page> {
    const opened = w.session.context.waitForEvent('page', { timeout: 30_000 });
    await startSignIn(w, 'Open');
    const tab = await opened;
    await tab.waitForLoadState('domcontentloaded');
    return tab;
  }

  /**
   * Runs "PingOne: Show Log" and waits for the log to show: a barrier after which a toast of an
   * earlier command (ours, or VS Code's "Error running command") would already be on screen.
   */
  async function barrier(w: Workbench): Promise<void> {
    await w.runCommand('PingOne: Show Log');
    await w.page.locator('.part.panel .monaco-editor').first().waitFor({ state: 'visible' });
  }

  it('signs in through the browser: the sandbox login page opens in a new tab, a person signs in, the token set appears', async () => {
    const w = workbench();
    const { sandbox } = suite.ctx;
    const tab = await signInTab(w);
    try {
      // The sandbox's own page, not code-server's port proxy (which drops the path and the query).
      assert.ok(tab.url().startsWith(`${sandbox.url}/`), `the sign-in tab opened ${tab.url()}`);
      assert.ok(!tab.url().includes('/proxy/'), 'not rewritten into a port-forward URL');
      // The progress notification offers the URL for a browser that did not open.
      await toasts(w)
        .filter({ hasText: /Signing in to Web app/ })
        .locator('a', { hasText: 'Copy Sign-in URL' })
        .waitFor({ state: 'visible' });

      await tab.getByRole('heading', { name: 'Sign On' }).waitFor();
      await tab.getByLabel('Username').fill(sandbox.user.username);
      await tab.getByLabel('Password').fill(sandbox.user.password);
      await tab.getByRole('button', { name: 'Sign On' }).click();
      // The redirect reaches the extension's loopback listener, which answers in the tab.
      await tab.getByText(/Signed in to Web app/).waitFor();
    } finally {
      await tab.close();
    }
    await w.expand(w.treeRow(`${SEED_NAMES.web} `));
    // Who signed in is the label; the status and the issue time are the description.
    const row = userSet(w);
    await row.waitFor({ state: 'visible' });
    assert.equal(await row.getAttribute('aria-level'), '3', 'the token set sits under Web app');
    assert.match(await w.description(row), /^expires in (59 min|1 h)\b.* · issued \d{1,2}:\d{2}/);
    // Success feedback: the new set is revealed and selected.
    await row.and(w.page.locator('[aria-selected="true"]')).waitFor({ state: 'visible' });
    assert.equal(await errorToasts(w).count(), 0, 'no error toast');
    await w.clearNotifications();
    console.log(`      sign-in screenshot: ${await w.screenshot('screenshot-sign-in.png')}`);
  });

  it('shows Introspect and Userinfo results once each, as JSON documents with no Problems entries', async () => {
    const w = workbench();
    // Each call ends with its document the active tab: wait for that before the next menu.
    const active = (kind: string) => resultTab(w, kind).and(w.page.locator('.active')).waitFor({ state: 'visible' });
    await w.contextMenu(userSet(w), 'Introspect Token');
    await active('Introspection');
    await w.contextMenu(userSet(w), 'Userinfo');
    await active('Userinfo');
    await w.contextMenu(userSet(w), 'Introspect Token');
    await active('Introspection');
    // The first introspection's tab closes once the second one shows.
    await resultTab(w, 'Introspection').nth(1).waitFor({ state: 'detached' });
    assert.equal(await resultTab(w, 'Userinfo').count(), 1);
    assert.equal(await resultTab(w, 'Introspection').count(), 1, 'the second introspection replaced the first');
    assert.equal(await w.page.locator('.part.editor .tab[aria-label^="Untitled"]').count(), 0, 'no Untitled editor');
    const editor = w.page.locator('.part.editor .editor-instance .view-lines').first();
    await editor.filter({ hasText: `"client_id": "${suite.ctx.sandbox.clients.web.clientId}"` }).waitFor({ state: 'visible' });
    await w.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await w.page.locator('.part.panel').getByText('No problems have been detected in the workspace.').waitFor({ state: 'visible' });
    await w.page.keyboard.press('Escape');
    console.log(`      results screenshot: ${await w.screenshot('screenshot-results.png')}`);
    await w.runCommand('View: Close All Editors');
    assert.equal(await w.dialog().count(), 0, 'closing asks nothing');
  });

  it('a revoked set offers only Sign In Again and Delete', async () => {
    const w = workbench();
    await w.contextMenu(userSet(w), 'Revoke Token');
    await w.dialogButton('Revoke');
    await userSet(w).filter({ hasText: 'revoked' }).waitFor({ state: 'visible' });
    await userSet(w).click({ button: 'right' });
    await w.page.locator('.monaco-menu').waitFor({ state: 'visible' });
    assert.deepEqual(await w.menuEntries(), ['Sign In Again', 'Delete Tokens']);
    await w.page.keyboard.press('Escape');
  });

  it('cancelling a sign-in ends quietly: no error toast, and the URL can still be copied until then', async () => {
    const w = workbench();
    // The person declines to open the site: the progress says so and offers the URL instead.
    await startSignIn(w, 'Cancel');
    const progress = toasts(w).filter({ hasText: /Signing in to Web app/ });
    await progress.filter({ hasText: 'the browser could not be opened' }).locator('a', { hasText: 'Copy Sign-in URL' }).waitFor({ state: 'visible' });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached' });
    await barrier(w);
    assert.equal(await errorToasts(w).count(), 0, `error toasts: ${await errorToasts(w).allTextContents()}`);
  });

  it('a wrong client secret gives exactly one toast, whose "Edit Client Secret" leads to the fix', async () => {
    const w = workbench();
    const { sandbox } = suite.ctx;
    const worker = w.treeRow(`${SEED_NAMES.worker} `);
    // Edit Application asks which field first; only the secret is asked for.
    await w.contextMenu(worker, 'Edit Application');
    await w.pick('Client secret', { placeholder: 'What do you want to change?', thenPrompt: true });
    await w.typeInput('Client secret', 'wrong-secret');

    await w.contextMenu(worker, 'Get Token (Client Credentials)');
    const failure = errorToasts(w);
    await failure.first().waitFor({ state: 'visible' });
    const buttons = await failure.first().locator('.monaco-button').allTextContents();
    assert.deepEqual(buttons.map((b) => b.trim()).slice(0, 2), ['Edit Client Secret', 'Edit Auth Method']);
    await barrier(w);
    assert.equal(await failure.count(), 1, `error toasts: ${await failure.allTextContents()}`);
    const text = (await failure.first().locator('.notification-list-item-message').textContent()) ?? '';
    assert.doesNotMatch(text, /Get token: Get token|Error running command|\.\.$/);

    await failure.first().locator('.monaco-button', { hasText: 'Edit Client Secret' }).click();
    await w.typeInput('Client secret', sandbox.clients.worker.clientSecret ?? '');
    await w.clearNotifications();
    await w.contextMenu(worker, 'Get Token (Client Credentials)');
    // Success says so in the status bar (the tree may hold other windows' sets by now).
    await w.page.locator('.statusbar-item', { hasText: 'Token issued' }).first().waitFor({ state: 'visible' });
    assert.equal(await errorToasts(w).count(), 0);
  });

  it('a token that comes at once flashes no progress toast; a slow one offers Cancel, which stops the request and stores nothing', async () => {
    const w = workbench();
    const { sandbox } = suite.ctx;
    const worker = w.treeRow(`${SEED_NAMES.worker} `);
    await w.expand(worker);
    const sets = w.tokenSetRows();
    await sets.first().waitFor({ state: 'visible' });
    const before = await sets.count();
    await w.clearNotifications();
    // Every toast from here on, however briefly it is on screen (a progress toast for a quick
    // request would be there for a few frames only).
    await w.page.evaluate(() => {
      const seen: Element[] = [];
      (window as unknown as { pteToasts: Element[] }).pteToasts = seen;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof Element) seen.push(...(n.matches('.notification-toast') ? [n] : []), ...n.querySelectorAll('.notification-toast'));
      }).observe(document.body, { childList: true, subtree: true });
    });
    await w.contextMenu(worker, 'Get Token (Client Credentials)');
    await sets.nth(before).waitFor({ state: 'visible' });
    const seen = await w.page.evaluate(() => (window as unknown as { pteToasts: Element[] }).pteToasts.map((t) => t.textContent ?? ''));
    assert.deepEqual(seen, [], 'no toast for a token that came at once');

    // The token endpoint stalls: after a moment the progress notification offers Cancel.
    const hold = `${sandbox.url}${TOKEN_HOLD_PATH}`;
    assert.equal((await fetch(hold, { method: 'POST' })).status, 204);
    try {
      await w.contextMenu(worker, 'Get Token (Client Credentials)');
      const progress = toasts(w).filter({ hasText: `Getting a token for ${SEED_NAMES.worker}` });
      await progress.getByRole('button', { name: 'Cancel' }).click();
      await progress.waitFor({ state: 'detached' });
      // The request was given up on, not answered late.
      assert.deepEqual(await (await fetch(`${hold}?held=1&abandoned=1`)).json(), { held: 1, abandoned: 1 });
      await barrier(w);
      assert.equal(await toasts(w).count(), 0, `a cancel is not an error: ${await toasts(w).allTextContents()}`);
      assert.equal(await sets.count(), before + 1, 'the cancelled request stored nothing');
    } finally {
      await fetch(hold, { method: 'DELETE' });
    }
  });

  // Last: adding an environment redraws the whole tree, and VS Code knows no row's handle again
  // until it has fetched the rows anew. A context-menu command chosen in those few milliseconds
  // reaches its handler without its row (a person cannot click that fast; the next test could).
  it('adding an environment: the ID typo is named, a duplicate asks first, and the discovery check shows on the environment', async () => {
    const w = workbench();
    const { sandbox } = suite.ctx;
    await w.runCommand('PingOne: Add Environment');
    await w.pick('PingOne', { placeholder: 'What kind of environment?', thenPrompt: true });
    await w.pick('Custom auth base URL…', { placeholder: 'Region', thenPrompt: true });
    await w.typeInput('Auth base URL', sandbox.pingone.authBase);
    // A typo in a 36-character ID: the message says which character, in the prompt's words.
    const input = w.page.locator('.quick-input-widget input');
    await w.page.locator('.quick-input-widget').filter({ hasText: 'Environment ID' }).waitFor({ state: 'visible' });
    const message = w.page.locator('.quick-input-widget').getByText('has "z" at position 36');
    // The box may still be taking over from the previous prompt (which resets its value): type again until it shows.
    for (let attempt = 0; attempt < 5 && !(await message.isVisible()); attempt++) {
      await input.fill(`${sandbox.envId.slice(0, 35)}z`);
      await message.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
    }
    await message.waitFor({ state: 'visible' });
    // The issuer URL pasted instead: the ID is taken from it.
    await w.typeInput('Environment ID', sandbox.pingone.issuer);
    await w.typeInput('A name for this environment', 'Copy of the sandbox');
    // Identical to the seeded environment: asked first.
    await w
      .dialog()
      .filter({ hasText: `"${SEED_NAMES.pingone}" already uses the issuer` })
      .waitFor({ state: 'visible' });
    await w.dialogButton('Add Anyway');
    await w.treeRow('Copy of the sandbox ').filter({ hasText: 'reachable' }).waitFor({ state: 'visible' });

    // Nothing answers on a closed loopback port: the add still works, the environment says so.
    await w.runCommand('PingOne: Add Environment');
    await w.pick('Other OpenID Connect provider', { placeholder: 'What kind of environment?', thenPrompt: true });
    await w.typeInput('Issuer URL', 'http://127.0.0.1:9/nothing-here');
    await w.typeInput('A name for this environment', 'Nothing here');
    const dead = w.treeRow('Nothing here ');
    await dead.filter({ hasText: 'not reachable' }).waitFor({ state: 'visible' });
    assert.equal(await errorToasts(w).count(), 0, 'the check is shown on the environment, not as a toast');
  });
});
