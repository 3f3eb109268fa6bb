/**
 * The empty state: once every environment is removed (through the context menu, confirming the
 * modal dialog), the PingOne view shows its welcome content with an "Add Environment" button, and
 * that button starts adding one. Uses its own fresh browser profile (so its own seeded state).
 */
import * as assert from 'node:assert/strict';
import { SEED_NAMES } from './stack';
import { useWorkbench } from './workbench';

describe('PingOne view with nothing configured (welcome view)', function () {
  this.timeout(60_000);
  const suite = useWorkbench('welcome');

  it('asks before removing an environment, and keeps it on Cancel', async () => {
    const w = suite.wb;
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    const env = w.treeRow(`${SEED_NAMES.pingone} `);
    await w.contextMenu(env, 'Remove Environment');
    await w.dialog().waitFor({ state: 'visible' });
    assert.match((await w.dialog().textContent()) ?? '', /Remove "Sandbox \(PingOne\)"\?.*4 applications, their client secrets/);
    await w.dialogButton('Cancel');
    assert.equal(await env.count(), 1, 'still there');
  });

  it('shows the welcome view with an "Add Environment" button once every environment is removed', async () => {
    const w = suite.wb;
    for (const name of [SEED_NAMES.pingone, SEED_NAMES.pingfederate]) {
      const env = w.treeRow(`${name} `);
      await env.waitFor({ state: 'visible', timeout: 30_000 });
      await w.contextMenu(env, 'Remove Environment');
      await w.dialogButton('Remove');
      await env.waitFor({ state: 'detached' });
    }
    const welcome = w.page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor({ state: 'visible' });
    assert.match((await welcome.textContent()) ?? '', /No PingOne, PingFederate or OpenID Connect environment is configured yet/);
    const button = welcome.locator('.monaco-button', { hasText: 'Add Environment' });
    await button.waitFor({ state: 'visible' });

    // The button runs "Add Environment": its first question is the kind of environment.
    await button.click();
    const quickInput = w.page.locator('.quick-input-widget');
    for (const kind of ['PingOne', 'PingFederate', 'Other OpenID Connect provider']) {
      await quickInput
        .locator(`.monaco-list-row[aria-label^=${JSON.stringify(kind)}]`)
        .first()
        .waitFor({ state: 'visible' });
    }
    await w.page.keyboard.press('Escape');
    await quickInput.waitFor({ state: 'hidden' });
    await welcome.waitFor({ state: 'visible' });
  });
});
