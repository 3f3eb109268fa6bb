/** What every command handler needs, and helpers shared by the command modules. */
import vscode = require('vscode');
import type { Application } from '../core/application';
import { consentSubject, type TokenAccessGate } from '../core/consent';
import { ExplorerError } from '../core/errors';
import type { TokenService } from '../core/service';
import type { Log } from '../platform/log';
import { reportFailure } from './failures';
import { ApplicationNode, EnvironmentNode, TokenNode, TokenSetNode } from '../tree/nodes';

export interface CommandContext {
  extensionUri: vscode.Uri;
  service: TokenService;
  log: Log;
  autoRefresh?: { resume(id: string): void; isActive(id: string, optedIn: boolean): boolean };
  /** Reveals and selects a token set in the Environments view (success feedback). */
  reveal?: (tokenSetId: string) => void;
  workspaceFile?: { reload(): Promise<void>; fileUri(): vscode.Uri | undefined };
  /** The consent of `pingone.api.tokenAccess`, shared with the public API. */
  tokenAccess?: TokenAccessGate;
}

/** The id a command was invoked for: a tree node, an id string, or an object with `id`. */
export function idArg(arg: unknown, kind: 'environment' | 'application' | 'tokenSet'): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof EnvironmentNode) return kind === 'environment' ? arg.environment.id : undefined;
  if (arg instanceof ApplicationNode) return kind === 'application' ? arg.application.id : kind === 'environment' ? arg.application.environmentId : undefined;
  if (arg instanceof TokenSetNode) return kind === 'tokenSet' ? arg.info.id : kind === 'application' ? arg.info.applicationId : undefined;
  if (arg instanceof TokenNode) return kind === 'tokenSet' ? arg.tokenSetId : undefined;
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as Record<string, unknown>;
    const key = kind === 'environment' ? 'environmentId' : kind === 'application' ? 'applicationId' : 'tokenSetId';
    if (typeof o[key] === 'string') return o[key] as string;
    if (typeof o.id === 'string') return o.id;
  }
  return undefined;
}

/**
 * Runs a command body. A failure is shown once (with its fix, see failures.ts) and the command
 * resolves to undefined: rethrowing would make VS Code add its own "Error running command" toast.
 * Other extensions get typed errors through the public API.
 */
export function command<A extends unknown[], R>(ctx: CommandContext, title: string, body: (...args: A) => Promise<R>): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (err) {
      if (err instanceof UserCancelled) return undefined;
      // A tree node says what it was (a bare id string could be either); handlers add more with about().
      const node = typeof args[0] === 'object' ? args[0] : undefined;
      void reportFailure(ctx.log, err, title, { applicationId: idArg(node, 'application'), tokenSetId: idArg(node, 'tokenSet') });
      return undefined;
    }
  };
}

/** Thrown when the user dismissed a prompt: silent, not an error. */
export class UserCancelled extends Error {
  override readonly name = 'UserCancelled';
}

export function required<T>(value: T | undefined): T {
  if (value === undefined) throw new UserCancelled();
  return value;
}

/** How long a network action runs before its progress notification (with Cancel) appears. */
export const PROGRESS_NOTIFICATION_DELAY_MS = 1000;

/**
 * Runs a network action (a token request, a revoke, a tenant read) with its progress in the status
 * bar at once and, should it take longer than PROGRESS_NOTIFICATION_DELAY_MS, a notification whose
 * Cancel aborts it. Most answers arrive well within a second: a notification for each would flash a
 * toast that nobody can read, and every toast counts against VS Code's limit of three in 800 ms,
 * past which later notifications (the result, an error, another extension's) get no toast at all.
 */
export function withProgress<T>(title: string, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const work = new Promise<T>((resolve) => resolve(task(controller.signal)));
  const settled = work.then(
    () => undefined,
    () => undefined,
  );
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, () => settled);
  const timer = setTimeout(() => {
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
      const sub = token.onCancellationRequested(() => controller.abort());
      return settled.finally(() => sub.dispose());
    });
  }, PROGRESS_NOTIFICATION_DELAY_MS);
  return work.finally(() => clearTimeout(timer));
}

export async function pick<T extends vscode.QuickPickItem>(items: T[], placeHolder: string, title?: string): Promise<T> {
  return required(await vscode.window.showQuickPick(items, { placeHolder, title, ignoreFocusOut: true }));
}

/** Asks for an id among stored items when a command was run without one. */
export async function chooseEnvironment(ctx: CommandContext, arg: unknown): Promise<string> {
  const id = idArg(arg, 'environment');
  if (id) return id;
  const envs = ctx.service.listEnvironments();
  if (!envs.length) throw new ExplorerError('invalid_input', 'No environment is configured yet: run "PingOne: Add Environment" first.');
  if (envs.length === 1) return envs[0].id;
  return (
    await pick(
      envs.map((e) => ({ label: e.name, description: e.issuer, id: e.id })),
      'Choose an environment',
    )
  ).id;
}

/**
 * Pass as `sends` for an action that sends a secret (client secret, token, code): the person
 * picks even the only entry, so a command run by another extension without an id never sends one.
 */
export const SENDS_SECRET = { sendsSecret: true } as const;

export async function chooseApplication(
  ctx: CommandContext,
  arg: unknown,
  filter: (a: Application) => boolean = () => true,
  sends?: typeof SENDS_SECRET,
): Promise<string> {
  const id = idArg(arg, 'application');
  if (id) return id;
  const apps = ctx.service.listApplications().filter(filter);
  if (!apps.length) throw new ExplorerError('invalid_input', 'No suitable application is configured: run "PingOne: Add Application" first.');
  if (apps.length === 1 && !sends) return apps[0].id;
  const envName = (envId: string) => ctx.service.listEnvironments().find((e) => e.id === envId)?.name ?? '';
  return (
    await pick(
      apps.map((a) => ({ label: a.name, description: `${a.clientId} · ${envName(a.environmentId)}`, id: a.id })),
      'Choose an application',
    )
  ).id;
}

export async function chooseTokenSet(ctx: CommandContext, arg: unknown, sends?: typeof SENDS_SECRET): Promise<string> {
  const id = idArg(arg, 'tokenSet');
  if (id) return id;
  const sets = ctx.service.listTokenSets().sort((a, b) => b.issuedAt - a.issuedAt);
  if (!sets.length) throw new ExplorerError('invalid_input', 'There are no tokens yet: get a token or sign in first.');
  if (sets.length === 1 && !sends) return sets[0].id;
  const appName = (id: string) => ctx.service.listApplications().find((a) => a.id === id)?.name ?? '?';
  return (
    await pick(
      sets.map((t) => ({ label: appName(t.applicationId), description: `${t.grant} · ${t.status} · ${new Date(t.issuedAt).toLocaleTimeString()}`, id: t.id })),
      'Choose a token set',
    )
  ).id;
}

/**
 * The token set a command that hands out a token (to the clipboard) runs for. A tree row or the
 * palette is the person's own choice. An id passed through executeCommand comes from another
 * extension, which could read the clipboard next: that asks the same consent as the API's getTokens.
 */
export async function chooseTokenSetToHandOut(ctx: CommandContext, arg: unknown): Promise<string> {
  const id = await chooseTokenSet(ctx, arg);
  if (arg !== undefined && !(arg instanceof TokenSetNode) && !(arg instanceof TokenNode)) {
    await ctx.tokenAccess?.check(consentSubject(ctx.service, ctx.service.getTokenSetInfo(id).applicationId));
  }
  return id;
}

/**
 * A modal confirmation that no argument can skip (another extension could pass one); scripts use
 * the API's explicit functions instead. `_options` is the command's options, ignored.
 */
export async function confirm(message: string, action: string, _options?: unknown): Promise<void> {
  const answer = await vscode.window.showWarningMessage(message, { modal: true }, action);
  if (answer !== action) throw new UserCancelled();
}
