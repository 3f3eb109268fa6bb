/**
 * Commands of the grants where the user approves elsewhere (device authorization, CIBA), token
 * exchange and the resource-owner password grant. Thin: prompts and notifications here, the grant
 * itself in the service and core/grants/.
 */
import vscode = require('vscode');
import type { UserCodeInfo } from '../core/grants/deviceCode';
import type { TokenSetInfo } from '../core/service';
import { CommandContext, chooseApplication, command } from './context';

export type { UserCodeInfo };

function scopeOf(options: unknown): string | undefined {
  const s = (options as { scope?: unknown } | undefined)?.scope;
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

/** A progress notification with cancel, whose message can change while it runs. */
function withCancellableProgress<T>(title: string, task: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      return task(controller.signal, (message) => progress.report({ message })).finally(() => sub.dispose());
    }),
  );
}

/**
 * Tells the user where to enter the code: a notification with "Copy code and open", which copies
 * the user code and opens `verification_uri_complete` (the code pre-filled) when the server gave one.
 */
export function showUserCode(ctx: CommandContext, appName: string, info: UserCodeInfo): void {
  const action = 'Copy code and open';
  ctx.log.info(`Device authorization for "${appName}": user code ${info.userCode} at ${info.verificationUri}`);
  void vscode.window
    .showInformationMessage(`To sign in to ${appName}, enter the code ${info.userCode} at ${info.verificationUri}`, action)
    .then(async (choice) => {
      if (choice !== action) return;
      await vscode.env.clipboard.writeText(info.userCode);
      await vscode.env.openExternal(vscode.Uri.parse(info.verificationUriComplete ?? info.verificationUri, true));
    });
}

/** Interactive device authorization: the user-code notification (unless the caller takes the code) and a cancellable progress while polling. */
export function deviceAuthorization(
  ctx: CommandContext,
  applicationId: string,
  options: { scope?: string; onUserCode?: (info: UserCodeInfo) => void },
): Promise<TokenSetInfo> {
  const app = ctx.service.getApplication(applicationId);
  return withCancellableProgress(`Device authorization for ${app.name}`, (signal, report) => {
    report('requesting a user code…');
    return ctx.service.deviceAuthorization(applicationId, {
      scope: options.scope,
      signal,
      onUserCode: (info) => {
        report(`waiting for code ${info.userCode} to be approved at ${info.verificationUri}`);
        if (options.onUserCode) options.onUserCode(info);
        else showUserCode(ctx, app.name, info);
      },
    });
  });
}

export function grantCommands(ctx: CommandContext) {
  return {
    'pingone.deviceAuthorization': command(ctx, 'Device authorization', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('device_code'));
      const o = (options ?? {}) as { onUserCode?: unknown };
      const onUserCode = typeof o.onUserCode === 'function' ? (o.onUserCode as (info: UserCodeInfo) => void) : undefined;
      return deviceAuthorization(ctx, id, { scope: scopeOf(options), onUserCode });
    }),
  };
}
