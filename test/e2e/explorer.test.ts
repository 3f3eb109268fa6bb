/**
 * PingOne Token Explorer as a person uses it: the packaged VSIX installed in code-server (a real VS
 * Code), driven through headless Chromium. The sandbox's environments are configured by the seed
 * extension (test/e2e/stack.ts). The steps build on each other (get a token, inspect it, refresh
 * it, reload the window), so they run in order in one browser profile.
 *
 * Run through the launcher: npm run test:e2e (PTE_UPDATE_SCREENSHOTS=1 also refreshes media/*.png).
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { collectTextSamples, contrastFindings, type DomOverride } from '../support/contrast';
import { requireContext, type E2eContext } from './context';
import { SEED_NAMES } from './stack';
import { Workbench, screenshotFailures } from './workbench';

/** "expires in 59 min 58 s" → 3598 (seconds). */
function countdownSeconds(text: string): number {
  const m = /^expires in (?:(\d+) h )?(?:(\d+) min )?(\d+) s$/.exec(text.trim());
  assert.ok(m, `unexpected countdown text "${text}"`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
}

/**
 * The inspector's states for the contrast check: as the page shows the fresh token, then with the
 * status, countdown and signature in their warning and error states (the attributes the page sets
 * for them, which the inspector-dom suite tests) and an error message shown.
 */
const STATES: Record<string, DomOverride[]> = {
  'as shown': [],
  warning: [
    { selector: '#status, #countdown', attribute: 'data-state', value: 'warning' },
    { selector: '.signature', attribute: 'data-state', value: 'not_verifiable' },
  ],
  'expired, bad signature, an error': [
    { selector: '#status, #countdown', attribute: 'data-state', value: 'expired' },
    { selector: '.signature', attribute: 'data-state', value: 'invalid' },
    { selector: '#error', attribute: 'hidden', value: null, text: 'Refresh failed: invalid_grant. Sign in again.' },
  ],
};

/**
 * What a fresh one-hour token's tree description says, allowing for the time since it was issued
 * (the reload and reopen steps take a minute or two on a loaded machine).
 */
const ABOUT_AN_HOUR = /^expires in (5[5-9] min|1 h)\b/;

describe('PingOne Token Explorer in VS Code (VSIX installed in code-server)', function () {
  this.timeout(60_000);
  let ctx: E2eContext;
  let wb: Workbench | undefined;
  let profileDir: string;
  /** The token set's access token, as the steps learn it. */
  let firstJti = '';
  let firstRaw = '';
  let refreshedJti = '';

  before(async function () {
    this.timeout(90_000);
    ctx = requireContext(this);
    profileDir = path.join(ctx.runDir, 'browser-profile');
    wb = await Workbench.open(ctx, { label: 'explorer', profileDir });
  });

  screenshotFailures(() => wb);

  after(async () => {
    await wb?.close();
  });

  const workbench = (): Workbench => {
    assert.ok(wb, 'the workbench is not open');
    return wb;
  };

  it('shows the sandbox environments and their applications in the PingOne view', async () => {
    const w = workbench();
    await w.showPingOne();
    const { clients } = ctx.sandbox;
    const expected: Array<[string, string, string]> = [
      [SEED_NAMES.pingone, '1', 'PingOne'],
      [SEED_NAMES.worker, '2', clients.worker.clientId],
      [SEED_NAMES.web, '2', clients.web.clientId],
      [SEED_NAMES.native, '2', clients.native.clientId],
      [SEED_NAMES.pingfederate, '1', 'PingFederate'],
      [SEED_NAMES.pfWorker, '2', clients.pfWorker.clientId],
      [SEED_NAMES.pfWeb, '2', clients.pfWeb.clientId],
    ];
    // The seed extension adds them at start-up through the public API: wait for the last one.
    await w.waitForSeed(SEED_NAMES.pfWeb);
    for (const [label, level, description] of expected) {
      const row = w.treeRow(`${label} `);
      await row.waitFor({ state: 'visible' });
      assert.equal(await row.getAttribute('aria-level'), level, `${label} is at tree level ${level}`);
      assert.ok((await w.description(row)).startsWith(description), `${label} shows "${description}"`);
    }
    // Nothing has tokens yet.
    assert.equal(await w.tokenSetRows().count(), 0);
  });

  it('gets a token from the command palette (Get Token, Client Credentials): a token set that expires in about an hour', async () => {
    const w = workbench();
    await w.runCommand('PingOne: Get Token (Client Credentials)');
    // Two applications can use client credentials (PingOne and PingFederate workers): a quick pick asks.
    await w.pick(SEED_NAMES.worker);
    await w.expand(w.treeRow(`${SEED_NAMES.worker} `));
    const rows = w.tokenSetRows();
    await rows.first().waitFor({ state: 'visible' });
    assert.equal(await rows.count(), 1, 'one token set');
    assert.equal(await rows.first().getAttribute('aria-level'), '3', 'the token set sits under its application');
    assert.match(await w.description(rows.first()), ABOUT_AN_HOUR);

    await w.clearNotifications();
    await w.widenSidebar(470);
    const shot = await w.screenshot('screenshot-sidebar.png');
    console.log(`      sidebar screenshot: ${shot}`);
  });

  it('opens the Token Inspector on a click: claims with local and ISO times, and a countdown that runs', async () => {
    const w = workbench();
    await w.tokenSetRows().first().click();
    const page = w.inspector();
    await page.locator('#claims-access_token').waitFor({ state: 'visible' });
    const { sandbox } = ctx;

    assert.equal((await w.claim('client_id').textContent())?.trim(), sandbox.clients.worker.clientId);
    assert.equal((await w.claim('iss').textContent())?.trim(), sandbox.pingone.issuer);
    const raw = Number(/\((\d+)\)/.exec((await w.claim('exp').locator('[data-part="raw"]').textContent()) ?? '')?.[1]);
    assert.ok(raw > Date.now() / 1000, `exp ${raw} is in the future`);
    const iso = (await w.claim('exp').locator('[data-part="iso"]').textContent())?.trim();
    assert.equal(iso, new Date(raw * 1000).toISOString(), 'exp in ISO 8601 (UTC)');
    const local = (await w.claim('exp').locator('[data-part="local"]').textContent())?.trim() ?? '';
    assert.ok(local.length > 0 && local !== iso, `exp in local time too ("${local}")`);
    firstJti = (await w.claim('jti').textContent())?.trim() ?? '';
    firstRaw = (await page.locator('#raw-access_token').textContent())?.trim() ?? '';
    assert.ok(firstJti && firstRaw.split('.').length === 3, 'the access token is a JWT with a jti');

    // The countdown: read it, wait (bounded) for its text to change, read it again.
    const countdown = page.locator('#countdown');
    await countdown.filter({ hasText: /^expires in / }).waitFor();
    assert.equal((await page.locator('#status').textContent())?.trim(), 'valid');
    const before = (await countdown.textContent()) ?? '';
    const first = countdownSeconds(before);
    assert.ok(first > 55 * 60 && first <= 3600, `a fresh one-hour token: ${before}`);
    await countdown.filter({ hasNotText: before }).waitFor({ timeout: 5_000 });
    const second = countdownSeconds((await countdown.textContent()) ?? '');
    assert.ok(second < first && first - second <= 5, `the countdown went down: ${first} s → ${second} s`);

    // The claims table at the top (the header with the countdown stays: it is sticky).
    await page.locator('#claims-access_token').evaluate((table) => {
      const heading = table.previousElementSibling ?? table;
      const header = document.querySelector('.header');
      const below = header ? header.getBoundingClientRect().bottom : 0;
      window.scrollBy(0, heading.getBoundingClientRect().top - below - 4);
    });
    const shot = await w.screenshot('screenshot-inspector.png');
    console.log(`      inspector screenshot: ${shot}`);
  });

  it('keeps every text in the inspector readable in light, high-contrast and dark themes (WCAG AA)', async function () {
    this.timeout(120_000);
    const w = workbench();
    const page = w.inspector();
    // Each theme as the user picks it (Preferences: Color Theme), ending on the dark one the
    // other steps and the screenshots use.
    const themes = [
      { pick: 'Light Modern', kind: 'vscode-light' },
      { pick: 'Light High Contrast', kind: 'vscode-high-contrast-light' },
      { pick: 'Dark High Contrast', kind: 'vscode-high-contrast' },
      { pick: 'Dark Modern', kind: 'vscode-dark' },
    ];
    const body = page.locator('body');
    const report: string[] = [];
    // What the forced states change, to put back afterwards.
    const original = await body.evaluate((b): DomOverride[] => {
      const attr = (selector: string, attribute: string): DomOverride => ({ selector, attribute, value: b.querySelector(selector)?.getAttribute(attribute) ?? null });
      return [
        attr('#status', 'data-state'),
        attr('#countdown', 'data-state'),
        attr('.signature', 'data-state'),
        { ...attr('#error', 'hidden'), text: b.querySelector('#error')?.textContent ?? '' },
      ];
    });
    for (const theme of themes) {
      await w.runCommand('Preferences: Color Theme');
      await w.pick(theme.pick, { placeholder: 'Select Color Theme' });
      await page.locator(`body[data-vscode-theme-kind="${theme.kind}"]`).waitFor({ state: 'attached' });
      await page.locator('#claims-access_token').waitFor({ state: 'visible' });
      // Buttons fade to the new theme's colours (a 0.1 s transition): read them once it has run.
      await body.evaluate(() =>
        Promise.all(
          document
            .getAnimations()
            .filter((a) => a instanceof CSSTransition)
            .map((a) => a.finished),
        ),
      );
      const base = await body.evaluate((b) => getComputedStyle(b).backgroundColor);
      if (theme.kind === 'vscode-light') console.log(`      light theme screenshot: ${await w.screenshot('screenshot-inspector-light.png')}`);
      for (const [state, overrides] of Object.entries(STATES)) {
        const samples = await body.evaluate(collectTextSamples, overrides);
        assert.ok(samples.length > 20, `${theme.pick}: only ${samples.length} text elements found`);
        for (const f of contrastFindings(samples, base)) {
          report.push(`${theme.pick}, ${state}: ${f.where} ${f.foreground} on ${f.background} = ${f.ratio.toFixed(2)}:1 (needs ${f.required}:1)`);
        }
      }
    }
    await body.evaluate(collectTextSamples, original);
    assert.deepEqual(report, [], `text below WCAG AA contrast:\n${report.join('\n')}`);
  });

  it('refreshes the token set from its context menu: still one row, with a new access token', async () => {
    const w = workbench();
    const row = w.tokenSetRows().first();
    await w.contextMenu(row, 'Refresh Token');
    // The inspector follows the token set: wait for the new token to show there.
    await w.claim('jti').filter({ hasNotText: firstJti }).waitFor();
    refreshedJti = (await w.claim('jti').textContent())?.trim() ?? '';
    const raw = (await w.inspector().locator('#raw-access_token').textContent())?.trim() ?? '';
    assert.notEqual(raw, firstRaw, 'a different access token');
    assert.notEqual(refreshedJti, firstJti);
    assert.equal(await w.tokenSetRows().count(), 1, 'the token set was replaced, not added');
    assert.match(await w.description(w.tokenSetRows().first()), ABOUT_AN_HOUR);
  });

  /** The worker still has its one token set, holding the refreshed access token. */
  async function expectSameTokenSet(w: Workbench): Promise<void> {
    await w.showPingOne();
    await w.waitForSeed(SEED_NAMES.pfWeb);
    await w.expand(w.treeRow(`${SEED_NAMES.worker} `));
    const rows = w.tokenSetRows();
    await rows.first().waitFor({ state: 'visible' });
    assert.equal(await rows.count(), 1);
    assert.match(await w.description(rows.first()), ABOUT_AN_HOUR);
    // The tokens themselves (SecretStorage) survived too: the inspector shows the refreshed one.
    await rows.first().click();
    await w.claim('jti').waitFor({ state: 'visible' });
    assert.equal((await w.claim('jti').textContent())?.trim(), refreshedJti);
  }

  it('keeps the token set when the window is reloaded (Developer: Reload Window)', async function () {
    this.timeout(90_000);
    const w = workbench();
    await w.reloadWindow();
    await expectSameTokenSet(w);
  });

  it('keeps the token set when the browser is closed and opened again on the same profile', async function () {
    this.timeout(90_000);
    await wb?.close();
    wb = undefined;
    wb = await Workbench.open(ctx, { label: 'explorer-reopened', profileDir });
    await expectSameTokenSet(wb);
  });
});
