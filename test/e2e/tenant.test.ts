/**
 * Browse Tenant as a person uses it: the packaged VSIX in code-server, driven through headless
 * Chromium. From the seeded worker's context menu the user lists the sandbox tenant (its management
 * API), picks an environment and an application, and the imported application gets a token, which
 * proves its secret was read into SecretStorage. Its own browser profile, so its own secrets.
 */
import * as assert from 'node:assert/strict';
import { SEED_NAMES } from './stack';
import { useWorkbench } from './workbench';

describe('Browse Tenant in VS Code (VSIX installed in code-server)', function () {
  this.timeout(60_000);
  const suite = useWorkbench('tenant');

  it("lists the tenant from the worker's context menu and imports the picked application with its secret", async () => {
    const w = suite.wb;
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    await w.contextMenu(w.treeRow(`${SEED_NAMES.worker} `), 'Browse Tenant');

    // The environments the worker sees, then that environment's applications (every page).
    // (Workbench.pick waits for the quick pick to close; here the next one opens in its place.)
    const quick = w.page.locator('.quick-input-widget');
    const input = quick.locator('input');
    await quick.locator('input[placeholder^="Choose an environment of the tenant"]').waitFor({ state: 'visible' });
    await input.fill('Sandbox');
    await quick.locator('.monaco-list-row.focused[aria-label^="Sandbox"]').waitFor({ state: 'visible' });
    await input.press('Enter');
    await quick.locator('input[placeholder^="Choose the applications to import"]').waitFor({ state: 'visible' });
    const rows = quick.locator('.monaco-list-row');
    await rows.filter({ hasText: 'Sandbox post app' }).waitFor({ state: 'visible' });
    console.log(`      browse screenshot: ${await w.screenshot('screenshot-browse-tenant.png')}`);
    // The list is long (three pages from the API): filter to the SAML application, shown as not importable.
    await input.fill('Payroll');
    const saml = rows.filter({ hasText: 'Payroll (SAML)' });
    await saml.waitFor({ state: 'visible' });
    assert.match((await saml.textContent()) ?? '', /Not importable: a SAML application/);

    // Filter to one application, tick it (a click on the row toggles it), accept.
    await input.fill('Sandbox post app');
    const post = rows.filter({ hasText: 'Sandbox post app' });
    await post.waitFor({ state: 'visible' });
    assert.equal(await rows.count(), 1);
    await post.click();
    await quick.getByText('1 Selected').waitFor({ state: 'visible' });
    await input.press('Enter');
    await quick.waitFor({ state: 'hidden' });

    const imported = w.treeRow('Sandbox post app ');
    await imported.waitFor({ state: 'visible' });
    assert.equal(await imported.getAttribute('aria-level'), '2', 'in the seeded PingOne environment');
    assert.ok((await w.description(imported)).startsWith(suite.ctx.sandbox.clients.post.clientId));

    // Its secret came from the tenant: a client-credentials token works at once.
    await w.contextMenu(imported, 'Get Token (Client Credentials)');
    await w.page.locator('.monaco-list-row[aria-expanded="true"]', { hasText: 'Sandbox post app' }).waitFor({ state: 'visible' });
  });
});
