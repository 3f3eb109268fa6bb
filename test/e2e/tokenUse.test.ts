/**
 * The integrations as a person sees them, in the packaged VSIX in code-server: the status bar item
 * of the token set pinned with "Use for Variables and Terminals" (application and time left; a
 * click opens the inspector), the JWT hover in an editor, and another extension
 * (test/fixtures/consumer-extension, installed from its own VSIX) getting a session through
 * `vscode.authentication.getSession('pingone', …)` with VS Code's own consent dialog, which the
 * integration host cannot show. Each suite has its own browser profile, so its own seeded state.
 * Last, the user-data folder is searched for any of the tokens handed out.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { SEED_NAMES } from './stack';
import { type Workbench, useWorkbench } from './workbench';

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

/** What the consumer fixture reports in a notification: never the token, only its SHA-256 prefix. */
interface Reported {
  id: string;
  account: string;
  scopes: string;
  sha256: string;
}

const sha256Prefix = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Every file under `dirs`, searched for a token: each run of token characters (base64url and
 * dots, so a JWT is one run) whose SHA-256 prefix is one of `hashes`, and any JWT issued by one
 * of `issuers`. Returns the findings (file and what matched, never the token) and how much was read.
 */
function findTokens(dirs: string[], hashes: Set<string>, issuers: Set<string>): { findings: string[]; files: number; bytes: number } {
  const findings: string[] = [];
  let files = 0;
  let bytes = 0;
  const visit = (file: string) => {
    const stat = fs.lstatSync(file);
    if (stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
      return;
    }
    if (!stat.isFile()) return;
    files++;
    const text = fs.readFileSync(file).toString('latin1');
    bytes += text.length;
    for (const run of text.match(/[A-Za-z0-9_.-]{16,}/g) ?? []) {
      if (hashes.has(sha256Prefix(run))) findings.push(`${file}: a token handed out to the consumer (sha256 ${sha256Prefix(run)})`);
      const parts = run.split('.');
      if (parts.length !== 3) continue;
      try {
        const iss = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { iss?: unknown }).iss;
        if (typeof iss === 'string' && issuers.has(iss)) findings.push(`${file}: a JWT issued by ${iss}`);
      } catch {
        // not a JWT
      }
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) visit(d);
  return { findings, files, bytes };
}

describe('other extensions get a PingOne session through vscode.authentication (VS Code asks the person)', function () {
  this.timeout(60_000);
  const suite = useWorkbench('consumer');
  const handedOut = new Set<string>();
  before(async function () {
    this.timeout(90_000);
    await suite.wb.showPingOne();
    await suite.wb.waitForSeed(SEED_NAMES.pfWeb);
  });

  const toast = (w: Workbench, prefix: string): Locator => w.page.locator('.notification-toast-container .notification-toast').filter({ hasText: prefix });

  /** Runs a consumer command and reads the notification it answers with (`prefix` and the report). */
  async function consumer(w: Workbench, title: string, prefix: string, between?: () => Promise<void>): Promise<Reported | 'no session'> {
    await w.clearNotifications();
    await w.runCommand(`PingOne Consumer: ${title}`);
    await between?.();
    const failed = w.page.locator('.notification-toast', { hasText: 'Consumer failed' });
    const shown = toast(w, prefix);
    await shown.or(failed).first().waitFor({ state: 'visible' });
    if (await failed.count()) assert.fail((await failed.first().innerText()).replace(/\s+/g, ' '));
    const text = ((await shown.locator('.notification-list-item-message').textContent()) ?? '').trim();
    if (text.endsWith('no session')) return 'no session';
    const m = /session (\S+) · account (.+?) · scopes (.+?) · sha256 ([0-9a-f]{12})/.exec(text);
    assert.ok(m, `unexpected report "${text}"`);
    handedOut.add(m[4]);
    return { id: m[1], account: m[2], scopes: m[3], sha256: m[4] };
  }

  /** VS Code's own modal: "The extension 'PingOne Consumer (test fixture)' wants to sign in using PingOne." */
  async function allowSignIn(w: Workbench): Promise<void> {
    const dialog = w.dialog();
    await dialog.waitFor({ state: 'visible' });
    assert.match((await dialog.innerText()).replace(/\s+/g, ' '), /The extension 'PingOne Consumer \(test fixture\)' wants to sign in using PingOne\./);
    await w.dialogButton('Allow');
  }

  let worker: Reported | undefined;

  it('silent: no session and no prompt while none exists', async () => {
    const w = suite.wb;
    assert.equal(await consumer(w, 'Get the Worker App Session Silently', 'Consumer silent:'), 'no session');
    assert.equal(await w.dialog().count(), 0, 'silent never prompts');
  });

  it('createIfNone with app:<applicationId>: the person allows it, the worker gets a client-credentials token, and the session is that token set', async () => {
    const w = suite.wb;
    const got = await consumer(w, 'Sign In with the Worker App', 'Consumer signed in:', () => allowSignIn(w));
    assert.notEqual(got, 'no session');
    worker = got as Reported;
    assert.equal(worker.account, `${SEED_NAMES.worker} · ${SEED_NAMES.pingone}`);
    assert.equal(worker.scopes, suite.ctx.sandbox.clients.worker.scopes);
    // The new token set is in the tree, under the worker.
    await w.expand(w.treeRow(`${SEED_NAMES.worker} `));
    await w.tokenSetRows().first().waitFor({ state: 'visible' });
    // The token the consumer got is the stored one: read back through the public API, behind its own consent.
    await w.clearNotifications();
    await w.runCommand('PingOne Consumer: Hash the Stored Token');
    await w.dialog().waitFor({ state: 'visible' });
    await w.dialogButton('Allow Once');
    const stored = toast(w, 'Consumer stored token:');
    await stored.waitFor({ state: 'visible' });
    assert.equal(
      ((await stored.innerText()).replace(/\s+/g, ' ').match(/session (\S+) · sha256 ([0-9a-f]{12})/) ?? []).slice(1).join(' '),
      `${worker.id} ${worker.sha256}`,
    );
  });

  it('silent afterwards: the same session, without a prompt', async () => {
    assert.ok(worker, 'the session from the test before');
    const w = suite.wb;
    const again = await consumer(w, 'Get the Worker App Session Silently', 'Consumer silent:');
    assert.equal(await w.dialog().count(), 0, 'no prompt the second time');
    assert.deepEqual(again, worker);
  });

  it('createIfNone without a pseudo-scope: after the consent, a quick pick of the applications chooses where the token comes from', async () => {
    const w = suite.wb;
    const got = await consumer(w, 'Sign In for api:read', 'Consumer signed in:', async () => {
      await allowSignIn(w);
      await w.pick(SEED_NAMES.pfWorker, { placeholder: 'Choose the PingOne application to sign in with' });
    });
    assert.notEqual(got, 'no session');
    const pf = got as Reported;
    assert.equal(pf.account, `${SEED_NAMES.pfWorker} · ${SEED_NAMES.pingfederate}`);
    assert.equal(pf.scopes, 'api:read');
    assert.notEqual(pf.id, worker?.id);
  });

  it('nothing of a token lands in the user-data, extensions or workspace folder after all of this', async () => {
    assert.ok(handedOut.size >= 2, 'the tokens handed out above are known (by hash)');
    const dirs = [suite.ctx.userDataDir, path.join(suite.ctx.runDir, 'extensions'), suite.ctx.workspace];
    const issuers = new Set([suite.ctx.sandbox.pingone.issuer, suite.ctx.sandbox.pingfederate.issuer]);
    const { findings, files, bytes } = findTokens(dirs, handedOut, issuers);
    // The folder holds what code-server writes: settings, extension host and output logs.
    assert.ok(files > 5 && bytes > 10_000, `searched ${files} files, ${bytes} bytes`);
    assert.deepEqual(findings, []);
  });
});
