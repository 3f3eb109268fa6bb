/**
 * What the user is told when a command fails: one error message, worded once, with the action that
 * fixes it. A command that has shown its failure resolves (to undefined) instead of rethrowing: a
 * rejected command makes VS Code show a second toast ("Error running command …"). Other extensions
 * get typed errors through the public API. A cancel (a dismissed prompt, the progress's Cancel
 * button, an aborted request) ends quietly.
 */
import vscode = require('vscode');
import { ExplorerError } from '../core/errors';
import { errorMessage } from '../platform/errors';
import type { Log } from '../platform/log';

/** What a failure was about, so its message can offer the fix. */
export interface FailureTarget {
  applicationId?: string;
  tokenSetId?: string;
}

const targets = new WeakMap<object, FailureTarget>();

/** Runs `task`; a failure it throws remembers `target` (the application or token set it concerned). */
export async function about<T>(target: FailureTarget, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (typeof err === 'object' && err !== null) targets.set(err, { ...target, ...targets.get(err) });
    throw err;
  }
}

export function targetOf(err: unknown): FailureTarget {
  return (typeof err === 'object' && err !== null && targets.get(err)) || {};
}

/** A user's cancel: nothing to report. */
export function isCancel(err: unknown): boolean {
  return (err instanceof ExplorerError && err.code === 'cancelled') || err instanceof vscode.CancellationError || (err instanceof Error && err.name === 'UserCancelled');
}

/**
 * `title: message`, unless the message already says what failed ("Sign in" + "Sign-in timed out …"
 * is "Sign-in timed out …", not "Sign in: Sign-in timed out …"). One final full stop.
 */
export function titled(title: string, message: string): string {
  const words = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  const first = words(title).split(' ')[0] ?? '';
  const body = message.trim().replace(/\.{2,}$/, '.');
  return first && words(body).startsWith(first) ? body : `${title}: ${body}`;
}

export const FIX = {
  editSecret: 'Edit Client Secret',
  editAuthMethod: 'Edit Auth Method',
  signInAgain: 'Sign In Again',
  showLog: 'Show Log',
} as const;

/** The buttons a failure offers, the fix first. */
export function fixesFor(err: unknown, target: FailureTarget): string[] {
  const code = err instanceof ExplorerError ? err.code : undefined;
  const fixes: string[] = [];
  if (code === 'invalid_client' && target.applicationId) fixes.push(FIX.editSecret, FIX.editAuthMethod);
  if (code === 'invalid_grant' && target.applicationId && target.tokenSetId) fixes.push(FIX.signInAgain);
  fixes.push(FIX.showLog);
  return fixes;
}

/** Logs the failure and shows it once, with its fixes; a cancel shows nothing. */
export async function reportFailure(log: Log, err: unknown, title: string, fallback: FailureTarget = {}): Promise<void> {
  if (isCancel(err)) return;
  const target = { ...fallback, ...targetOf(err) };
  const message = titled(title, errorMessage(err));
  log.error(`${err instanceof ExplorerError ? `[${err.code}] ` : ''}${message}`);
  const choice = await vscode.window.showErrorMessage(message, ...fixesFor(err, target));
  if (choice === FIX.editSecret) await vscode.commands.executeCommand('pingone.editApplication', target.applicationId, { field: 'clientSecret' });
  if (choice === FIX.editAuthMethod) await vscode.commands.executeCommand('pingone.editApplication', target.applicationId, { field: 'authMethod' });
  if (choice === FIX.signInAgain) await vscode.commands.executeCommand('pingone.signIn', target.applicationId);
  if (choice === FIX.showLog) log.channel.show(true);
}
