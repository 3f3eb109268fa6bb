/**
 * What the e2e launcher (test/host/e2e.ts) hands to the UI tests: a JSON file named by
 * `PTE_E2E_CONTEXT`, written before mocha starts (the tests run in the launcher's own process).
 * Without it (e.g. `mocha out/test/e2e/*.test.js` on its own) the workbench tests skip themselves;
 * standalone tests such as inspector-dom.test.ts do not need it.
 */
import * as fs from 'node:fs';
import type { SandboxInfo } from './stack';

export interface E2eContext {
  /** code-server's base URL, e.g. http://127.0.0.1:PORT/ */
  codeServerUrl: string;
  /** The workbench URL with the workspace folder (no development payload: the VSIX is installed). */
  workbenchUrl: string;
  workspace: string;
  /** code-server's --user-data-dir and its log, for diagnostics. */
  userDataDir: string;
  codeServerLog: string;
  /** This run's temp folder; tests put browser profiles and logs under it. */
  runDir: string;
  /** Where screenshots go: <repo>/media with PTE_UPDATE_SCREENSHOTS=1, else <runDir>/screenshots. */
  screenshotsDir: string;
  updateScreenshots: boolean;
  repo: string;
  sandbox: SandboxInfo;
}

export const CONTEXT_ENV = 'PTE_E2E_CONTEXT';

let cached: E2eContext | undefined;

/** The launcher's context, or undefined when the tests run without the launcher. */
export function e2eContext(): E2eContext | undefined {
  if (cached) return cached;
  const file = process.env[CONTEXT_ENV];
  if (!file) return undefined;
  cached = JSON.parse(fs.readFileSync(file, 'utf8')) as E2eContext;
  return cached;
}

/** The context for a workbench suite; skips the suite (with the reason) when there is none. */
export function requireContext(mocha: Mocha.Context): E2eContext {
  const ctx = e2eContext();
  if (!ctx) {
    console.warn(`  (skipped: ${CONTEXT_ENV} is not set; run these through "npm run test:e2e")`);
    mocha.skip();
  }
  return ctx as E2eContext;
}

export function writeContext(file: string, ctx: E2eContext): void {
  fs.writeFileSync(file, JSON.stringify(ctx, null, 2) + '\n');
}
