/**
 * Device authorization as a person sees it, in the packaged extension in code-server: the command
 * shows the user code in a notification, "Copy code and open" copies it and opens the sandbox's
 * verification address in a new tab; the user enters the code there, confirms and signs in, and the
 * token set appears under the application in the tree.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SEED_NAMES } from './stack';
import { useWorkbench } from './workbench';

describe('Device authorization in VS Code (VSIX installed in code-server)', function () {
  this.timeout(90_000);
  const suite = useWorkbench('device');

  it('shows the user code, copies it and opens the verification page; once approved there, the tokens appear in the tree', async () => {
    const w = suite.wb;
    const { page } = w;
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    const origin = new URL(suite.ctx.codeServerUrl).origin;
    await w.session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

    await w.runCommand('PingOne: Sign In on Another Device (Device Code)');
    // One application has the device grant: no quick pick; the notification names the code.
    const toast = page.locator('.notification-toast').filter({ hasText: /enter the code/ });
    await toast.waitFor({ state: 'visible' });
    const text = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    const m = /enter the code ([A-Z]{4}-[A-Z]{4}) at (\S+)$/.exec(text.trim());
    assert.ok(m, `unexpected notification "${text}"`);
    const [, userCode, verificationUri] = m;
    assert.equal(verificationUri, `${suite.ctx.sandbox.pingone.issuer}/device`);

    // "Copy code and open": VS Code may first ask whether to open the external site.
    const opened = w.session.context.waitForEvent('page');
    await toast.locator('.monaco-button', { hasText: 'Copy code and open' }).click();
    const confirm = w.dialog().locator('.monaco-button', { hasText: /^\s*Open\s*$/ });
    const verification: Page = await Promise.race([
      opened,
      confirm.waitFor({ state: 'visible' }).then(async () => {
        await confirm.click();
        return opened;
      }),
    ]);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), userCode, 'the user code is on the clipboard');

    // code-server sends a loopback URL through its port forwarding (/proxy/<port>/, without the
    // path): the tab shows that VS Code opened the sandbox's address.
    const sandboxPort = new URL(verificationUri).port;
    await verification.waitForURL((u) => u.href.startsWith(`${origin}/proxy/${sandboxPort}/`) || u.href.startsWith(verificationUri));

    // The user on their phone: they go to the address from the notification and type the code.
    await verification.goto(verificationUri);
    await verification.locator('input[name="user_code"]').fill(userCode);
    await verification.getByRole('button', { name: 'Continue' }).click();
    await verification.locator('code', { hasText: userCode }).waitFor();
    await verification.getByRole('button', { name: 'Continue' }).click();
    await verification.getByLabel('Username').fill(suite.ctx.sandbox.user.username);
    await verification.getByLabel('Password').fill(suite.ctx.sandbox.user.password);
    await verification.getByRole('button', { name: 'Sign On' }).click();
    await verification.getByRole('heading', { name: 'Device signed on' }).waitFor();
    await verification.close();

    // Back in VS Code: the polling found the approval and the token set is in the tree.
    await w.expand(w.treeRow(`${SEED_NAMES.device} `));
    const row = w.treeRow('Device ·');
    await row.first().waitFor({ state: 'visible' });
    assert.equal(await row.count(), 1);
    assert.equal(await row.first().getAttribute('aria-level'), '3', 'the token set sits under the TV app');
    assert.match(await w.description(row.first()), /^expires in (59 min|1 h)\b/);
  });
});
