// Headless Debian Chromium driven by playwright-core, for opening code-server's workbench.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PTE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet, offline and working as root in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchBrowserOptions {
  /**
   * A Chromium profile folder to keep between launches (cookies, IndexedDB, the workbench's
   * secret-storage key), for "survives a reload" tests. Absent: a throw-away profile.
   */
  userDataDir?: string;
  /** Default true; `PTE_HEADED=1` also turns it off (needs a display). */
  headless?: boolean;
  viewport?: { width: number; height: number };
  /** Extra Chromium flags. */
  args?: string[];
}

export interface BrowserSession {
  context: BrowserContext;
  /** The first page (a persistent context opens one itself). */
  page: Page;
  /**
   * Console errors and warnings and uncaught page errors from every page of the context so far,
   * as "[error] text" lines, for diagnosing a workbench that did not do what was expected.
   */
  consoleMessages: string[];
  /** Closes the context and the browser (bounded to 15 s; Playwright kills Chromium at exit anyway). Idempotent. */
  close(): Promise<void>;
}

/** Launches headless Chromium (with a persistent profile when `userDataDir` is given). */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<BrowserSession> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set PTE_CHROMIUM)`);
  }
  const headless = options.headless ?? process.env.PTE_HEADED !== '1';
  // Chromium writes crash-report settings and dconf files under $XDG_CONFIG_HOME/$XDG_CACHE_HOME
  // even with a temporary profile: point those into the profile (or a scratch folder).
  const scratch = options.userDataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'pte-chromium-'));
  const xdg = options.userDataDir ? path.join(options.userDataDir, 'pte-xdg') : (scratch as string);
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_CACHE_HOME: path.join(xdg, 'cache') };
  const common = {
    env,
    executablePath: CHROMIUM_PATH,
    headless,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    // The launchers clean up themselves (code-server too) on signals; Playwright's own handlers
    // would exit the process before they could.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
  const contextOptions = { viewport: options.viewport ?? { width: 1400, height: 900 } };

  let browser: Browser | undefined;
  let context: BrowserContext;
  if (options.userDataDir) {
    fs.mkdirSync(options.userDataDir, { recursive: true });
    context = await chromium.launchPersistentContext(options.userDataDir, { ...common, ...contextOptions });
  } else {
    browser = await chromium.launch(common);
    context = await browser.newContext(contextOptions);
  }

  const consoleMessages: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') consoleMessages.push(`[${msg.type()}] ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleMessages.push(`[pageerror] ${err.stack ?? err.message}`));
    page.on('crash', () => consoleMessages.push('[crash] the page crashed'));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const done = (async () => {
        // The workbench keeps globalState (and, in code-server, secrets) in the browser profile and
        // writes it with a delay: closing the page as a person closes a tab lets VS Code's shutdown
        // write it, so a restart on the same profile reads back everything the last session stored.
        if (!page.isClosed()) {
          page.on('dialog', (d) => void d.accept().catch(() => undefined));
          const closed = new Promise<void>((resolve) => page.once('close', () => resolve()));
          await page.close({ runBeforeUnload: true }).catch(() => undefined);
          await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000).unref())]);
        }
        await context.close().catch(() => undefined);
        await browser?.close().catch(() => undefined);
      })();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 15_000)))]);
      clearTimeout(timer);
      // If closing hung, Playwright still kills Chromium when this process exits.
      if (timedOut) console.error('[browser] closing Chromium timed out after 15 s');
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    })();
    return closing;
  };

  return { context, page, consoleMessages, close };
}

/**
 * Opens a code-server workbench URL and waits until the workbench is rendered
 * (`.monaco-workbench`). Bounded by `timeoutMs` (default 60 s).
 */
export async function openWorkbench(page: Page, url: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeout = options.timeoutMs ?? 60_000;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.waitForSelector('.monaco-workbench', { state: 'attached', timeout });
}
