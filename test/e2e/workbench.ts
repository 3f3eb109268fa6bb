/**
 * Driving code-server's workbench the way a person does (activity bar, command palette, quick
 * picks, context menus, the Token Inspector webview), for the UI end-to-end tests. Every wait is
 * for a condition, bounded by Playwright's timeouts; nothing sleeps for a fixed time.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { launchBrowser, openWorkbench, type BrowserSession } from '../host/lib/browser';
import { requireContext, type E2eContext } from './context';

/** Screenshot size (the README images): the workbench at a common laptop size. */
export const VIEWPORT = { width: 1280, height: 800 };

/** A CSS string literal for attribute selectors. */
const css = (s: string) => JSON.stringify(s);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Workbench {
  private constructor(
    readonly ctx: E2eContext,
    readonly session: BrowserSession,
    readonly label: string,
  ) {}

  get page(): Page {
    return this.session.page;
  }

  /**
   * Launches Chromium (with a persistent profile when `profileDir` is given: that is where the
   * workbench keeps globalState and the secrets) and opens the workbench.
   */
  static async open(ctx: E2eContext, options: { label: string; profileDir?: string }): Promise<Workbench> {
    const session = await launchBrowser({ viewport: VIEWPORT, userDataDir: options.profileDir });
    const wb = new Workbench(ctx, session, options.label);
    try {
      session.page.setDefaultTimeout(20_000);
      await openWorkbench(session.page, ctx.workbenchUrl, { timeoutMs: 60_000 });
    } catch (err) {
      await wb.close();
      throw err;
    }
    return wb;
  }

  /**
   * Closes the browser; keeps its console errors under <runDir>/logs. The page is closed the way a
   * person closes a tab (beforeunload and pagehide run), so the workbench saves its state
   * (globalState and secrets live in the browser profile) before the profile is closed.
   */
  async close(): Promise<void> {
    const logs = path.join(this.ctx.runDir, 'logs');
    fs.mkdirSync(logs, { recursive: true });
    fs.writeFileSync(path.join(logs, `browser-${this.label}.log`), this.session.consoleMessages.join('\n') + '\n');
    // Closes the page as a person closes the tab first, so the workbench writes its state (see launchBrowser).
    await this.session.close();
  }

  /** "Developer: Reload Window" from the command palette; resolves once the new workbench is up. */
  async reloadWindow(): Promise<void> {
    const loaded = this.page.waitForEvent('load', { timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await loaded;
    await this.page.waitForSelector('.monaco-workbench', { state: 'attached', timeout: 60_000 });
  }

  // ---- the PingOne view ---------------------------------------------------------------------

  /** The PingOne entry of the activity bar. */
  activityItem(): Locator {
    return this.page.locator('.part.activitybar .action-item').filter({ has: this.page.locator('[aria-label^="PingOne"]') });
  }

  /**
   * Opens the PingOne view container by clicking its activity-bar icon, unless it is showing
   * already (a click on the active icon would close the side bar). While the workbench is still
   * restoring its layout (after a reload) it may open or close the side bar itself, so this looks
   * again until the view stays visible (bounded: 30 s).
   */
  async showPingOne(): Promise<void> {
    const item = this.activityItem();
    const title = this.page.locator('.part.sidebar .title-label', { hasText: /PingOne/i });
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await title.isVisible()) return;
      if (Date.now() > deadline) break;
      if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
      await title.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
    }
    throw new Error('the PingOne view did not stay open');
  }

  /**
   * Waits until the seed extension has added everything (its last application is in the tree), so
   * rows do not move under the mouse while it is still adding.
   */
  async waitForSeed(lastRow: string): Promise<void> {
    await this.treeRow(lastRow).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Tree rows of the PingOne view whose accessible label (label, then description) starts with `prefix`. */
  treeRow(prefix: string): Locator {
    return this.page.locator(`.part.sidebar .monaco-list-row[aria-label^=${css(prefix)}]`);
  }

  /** The client-credentials token-set rows ("Client credentials", described "expires in 59 min · issued 11:33 PM"). */
  tokenSetRows(): Locator {
    return this.treeRow('Client credentials ');
  }

  /** Expands a collapsible tree row (waits until it is collapsible: it gets `aria-expanded`). */
  async expand(row: Locator): Promise<void> {
    const r = row.first();
    await r.and(this.page.locator('[aria-expanded]')).waitFor({ state: 'visible' });
    if ((await r.getAttribute('aria-expanded')) === 'true') return;
    await r.locator('.monaco-tl-twistie').click();
    await r.and(this.page.locator('[aria-expanded="true"]')).waitFor({ state: 'visible' });
  }

  /** The inline description of a tree row (e.g. "expires in 59 min"). */
  async description(row: Locator): Promise<string> {
    return ((await row.locator('.label-description').first().textContent()) ?? '').trim();
  }

  // ---- command palette, quick picks, context menus, dialogs -------------------------------------

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * F1, the command's title, then Enter, as a person runs a command; when another command ranks
   * first ("Preferences: Browse Color Themes in Marketplace" above "Preferences: Color Theme"),
   * a click on the command's own row.
   */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput().locator('input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const rows = this.quickInput().locator('.monaco-list-row');
    const row = rows.and(this.page.locator(`[aria-label^=${css(title)}]`)).first();
    await row.waitFor({ state: 'visible' });
    const focused = rows.and(this.page.locator('.focused'));
    // Enter runs the focused row: use it when that is this command (the first row, once the list settles).
    if ((await focused.getAttribute('aria-label'))?.startsWith(title)) await input.press('Enter');
    else await row.click();
  }

  /**
   * Waits for a quick pick offering `label`, filters to it and accepts it. In a long list, where
   * `label` may be scrolled out of view, name the pick by its `placeholder` instead.
   */
  async pick(label: string, opts: { placeholder?: string; thenPrompt?: boolean } = {}): Promise<void> {
    const row = this.quickInput().locator(`.monaco-list-row[aria-label^=${css(label)}]`);
    if (opts.placeholder)
      await this.quickInput()
        .locator(`input[placeholder^=${css(opts.placeholder)}]`)
        .waitFor({ state: 'visible' });
    else await row.first().waitFor({ state: 'visible' });
    const input = this.quickInput().locator('input');
    await input.fill(label);
    await this.quickInput()
      .locator(`.monaco-list-row.focused[aria-label^=${css(label)}]`)
      .waitFor({ state: 'visible' });
    await input.press('Enter');
    // With `thenPrompt` the same widget goes on to the next prompt instead of closing.
    if (!opts.thenPrompt) await this.quickInput().waitFor({ state: 'hidden' });
  }

  /** Waits for the input box whose prompt starts with `prompt`, types `text` and presses Enter. */
  async typeInput(prompt: string, text: string): Promise<void> {
    const box = this.quickInput().filter({ hasText: prompt });
    await box.waitFor({ state: 'visible' });
    const input = this.quickInput().locator('input');
    await input.fill(text);
    await input.press('Enter');
    // Closed, or on to the next prompt of the same command.
    await box.waitFor({ state: 'hidden' });
  }

  /** The entries of the context menu that is open. */
  async menuEntries(): Promise<string[]> {
    const labels = await this.page.locator('.monaco-menu .action-item .action-label').allTextContents();
    return labels.map((l) => l.trim()).filter(Boolean);
  }

  /**
   * Right-clicks `row` and chooses `entry`. The entry is chosen by hovering it (which focuses it)
   * and pressing Enter: VS Code only starts listening for clicks on a menu item 100 ms after the
   * menu opens, so an immediate click can be lost, while the focused item always takes Enter.
   */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    const menu = this.page.locator('.monaco-menu');
    // A row the tree redraws under the pointer (a reveal after a new token set) loses the click:
    // right-click once more when no menu came.
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      try {
        await menu.waitFor({ state: 'visible', timeout: attempt === 1 ? 5000 : undefined });
        break;
      } catch (err) {
        if (attempt === 2) throw err;
      }
    }
    const exact = new RegExp(`^\\s*${escapeRegExp(entry)}\\s*$`);
    const item = menu.locator('.action-item').filter({ has: this.page.locator('.action-label', { hasText: exact }) });
    const entries = await this.menuEntries();
    if (!entries.includes(entry)) {
      await this.page.keyboard.press('Escape');
      assert.fail(`context menu has no "${entry}"; it has: ${entries.join(', ')}`);
    }
    await item.hover();
    await menu
      .locator('.action-item.focused')
      .filter({ has: this.page.locator('.action-label', { hasText: exact }) })
      .waitFor();
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden' });
  }

  /** The modal dialog (e.g. a confirmation). */
  dialog(): Locator {
    return this.page.locator('.monaco-dialog-box');
  }

  async dialogButton(label: string): Promise<void> {
    await this.dialog()
      .locator('.monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) })
      .click();
    await this.dialog().waitFor({ state: 'hidden' });
  }

  // ---- the Token Inspector --------------------------------------------------------------------

  /** The inspector page: the webview's outer iframe, then its content frame. */
  inspector(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  }

  /** The value cell of claim `name` in the inspector's claims table for `kind`. */
  claim(name: string, kind = 'access_token'): Locator {
    return this.inspector().locator(`#claims-${kind} tr[data-claim=${css(name)}] td.value`);
  }

  // ---- screenshots and layout -----------------------------------------------------------------

  /** Drags the sash between the side bar and the editor so the side bar is `width` px wide. */
  async widenSidebar(width: number): Promise<void> {
    const bar = await this.page.locator('.part.sidebar').boundingBox();
    assert.ok(bar, 'the side bar is not visible');
    const edge = bar.x + bar.width;
    let sash: { x: number; y: number; width: number; height: number } | undefined;
    for (const s of await this.page.locator('.monaco-sash.vertical:not(.disabled)').all()) {
      const b = await s.boundingBox();
      if (b && Math.abs(b.x + b.width / 2 - edge) <= 4 && b.height > bar.height / 2) sash = b;
    }
    assert.ok(sash, 'no sash at the side bar edge');
    const y = sash.y + sash.height / 2;
    await this.page.mouse.move(sash.x + sash.width / 2, y);
    await this.page.mouse.down();
    await this.page.mouse.move(bar.x + width, y, { steps: 8 });
    await this.page.mouse.up();
    // Move off the sash and wait for its highlight to go (it would show in screenshots).
    await this.page.mouse.move(bar.x + width + 200, y);
    await this.page.locator('.monaco-sash.hover, .monaco-sash.active').first().waitFor({ state: 'detached' });
    await this.page.waitForFunction(() =>
      Array.from(document.querySelectorAll('.monaco-sash')).every((el) => {
        const bg = getComputedStyle(el, '::before').backgroundColor;
        return bg === 'transparent' || /^rgba\(.*,\s*0\)$/.test(bg); // its fade-out transition has ended
      }),
    );
    const after = await this.page.locator('.part.sidebar').boundingBox();
    assert.ok(after && Math.abs(after.width - width) <= 8, `the side bar is ${after?.width} px wide, wanted ${width}`);
  }

  /** Clears notification toasts (they would cover the screenshots) through the command palette. */
  async clearNotifications(): Promise<void> {
    const toasts = this.page.locator('.notification-toast-container .notification-toast');
    if ((await toasts.count()) === 0) return;
    await this.runCommand('Notifications: Clear All Notifications');
    await toasts.first().waitFor({ state: 'detached' });
  }

  /**
   * Saves a PNG of the whole window: into <repo>/media when PTE_UPDATE_SCREENSHOTS=1 (to commit),
   * otherwise into the run's temp folder.
   */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.ctx.screenshotsDir, { recursive: true });
    const file = path.join(this.ctx.screenshotsDir, name);
    await this.page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 40); // no hover highlight or tooltip
    await this.page.screenshot({ path: file });
    return file;
  }

  /** A screenshot for a failed test, under <runDir>/failures. */
  async failureScreenshot(title: string): Promise<string | undefined> {
    if (this.page.isClosed()) return undefined;
    const dir = path.join(this.ctx.runDir, 'failures');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${title.replace(/[^\w.-]+/g, '_').slice(0, 80)}.png`);
    await this.page.screenshot({ path: file }).catch(() => undefined);
    return file;
  }
}

/** In a mocha suite: after each failed test, a screenshot of the workbench `current()` returns. */
/** What a suite's tests reach through useWorkbench: the run's context and the suite's workbench. */
export interface SuiteWorkbench {
  readonly ctx: E2eContext;
  readonly wb: Workbench;
}

/**
 * The hooks every e2e suite shares: its own workbench in its own browser profile
 * (`browser-profile-<label>` unless named), opened before the suite; a screenshot of each failed
 * test; closed after the suite.
 */
export function useWorkbench(label: string, options: { profile?: string } = {}): SuiteWorkbench {
  let ctx: E2eContext | undefined;
  let wb: Workbench | undefined;
  before(async function () {
    this.timeout(90_000);
    ctx = requireContext(this);
    wb = await Workbench.open(ctx, { label, profileDir: path.join(ctx.runDir, options.profile ?? `browser-profile-${label}`) });
  });
  screenshotFailures(() => wb);
  after(async () => {
    await wb?.close();
  });
  return {
    get ctx() {
      assert.ok(ctx, 'the e2e context is not set');
      return ctx;
    },
    get wb() {
      assert.ok(wb, 'the workbench is not open');
      return wb;
    },
  };
}

export function screenshotFailures(current: () => Workbench | undefined): void {
  afterEach(async function () {
    const wb = current();
    if (this.currentTest?.state === 'failed' && wb) {
      const file = await wb.failureScreenshot(this.currentTest.fullTitle());
      if (file) console.log(`      screenshot of the failure: ${file}`);
    }
  });
}
