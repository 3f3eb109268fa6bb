/**
 * The integrations as a person sees them, in the packaged VSIX in code-server: the status bar item
 * of the token set pinned with "Use for Variables and Terminals" (application and time left; a
 * click opens the inspector), and the JWT hover in an editor. Own browser profile, own seeded state.
 */
import * as assert from 'node:assert/strict';
import { SEED_NAMES } from './stack';
import { Workbench, useWorkbench } from './workbench';

describe('integrations in VS Code (status bar, JWT hover)', function () {
  this.timeout(60_000);
  const suite = useWorkbench('integrations');

  const statusItem = (w: Workbench) => w.page.locator('.statusbar-item', { hasText: `${SEED_NAMES.worker} ·` });

  it('shows the pinned token set in the status bar with the time left, and opens the inspector on a click', async () => {
    const w = suite.wb;
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    assert.equal(await statusItem(w).count(), 0, 'nothing pinned, no item');
    await w.runCommand('PingOne: Get Token (Client Credentials)');
    await w.pick(SEED_NAMES.worker);
    await w.expand(w.treeRow(`${SEED_NAMES.worker} `));
    const row = w.tokenSetRows().first();
    await row.waitFor({ state: 'visible' });
    await w.contextMenu(row, 'Use for Variables and Terminals');
    const item = statusItem(w);
    await item.waitFor({ state: 'visible' });
    assert.match((await item.textContent()) ?? '', new RegExp(`${SEED_NAMES.worker} · (59 min|1 h)`));
    await item.click();
    await w.inspector().locator('#countdown').waitFor({ state: 'visible' });
    // Unpinning removes the item.
    await w.contextMenu(row, 'Use for Variables and Terminals');
    await item.waitFor({ state: 'detached' });
  });

  it('explains a JWT on hover in an editor: algorithm, expiry as local time and "expires in", issuer, links', async () => {
    const w = suite.wb;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 2 * 3600;
    const token = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: 'https://idp.example.com', sub: 'alice', exp })}.c2lnbmF0dXJl`;
    await w.runCommand('File: New Untitled Text File');
    const editor = w.page.locator('.monaco-editor .view-lines').first();
    await editor.waitFor({ state: 'visible' });
    await editor.click();
    await w.page.keyboard.insertText(`token = ${token}`);
    await w.page.keyboard.press('Home');
    const line = w.page.locator('.monaco-editor .view-line', { hasText: 'token = ' }).first();
    await line.waitFor({ state: 'visible' });
    const box = await line.boundingBox();
    assert.ok(box, 'the line is on screen');
    // Past "token = " (8 characters), inside the token.
    await w.page.mouse.move(box.x + 150, box.y + box.height / 2);
    const hover = w.page.locator('.monaco-hover', { hasText: 'JWT' });
    await hover.waitFor({ state: 'visible' });
    const shown = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(shown, /JWT · ES256 · JWT/);
    assert.match(shown, /expires in (1 h 59 min|2 h)/);
    assert.match(shown, /iss: "https:\/\/idp\.example\.com"/);
    assert.match(shown, /not checked \(the issuer is not a configured environment; nothing was fetched\)/);
    assert.match(shown, /Open in Token Inspector · Copy decoded claims/);
  });
});
