/**
 * Browser sign-in from VS Code: a cancellable progress notification that, once the authorization
 * URL is known, offers "Copy Sign-in URL" (for any setup where the browser cannot be opened
 * automatically: a remote window whose host rewrites loopback URLs, no default browser, another
 * machine), and a log line describing the request (see core/authorizeLog.ts).
 */
import vscode = require('vscode');
import { describeAuthorizationUrl } from '../core/authorizeLog';
import type { TokenSetInfo } from '../core/service';
import type { CommandContext } from './context';

/** Sign-in URLs waiting for the browser, newest last. */
const pending: string[] = [];

function setPending(url: string | undefined, previous?: string): void {
  if (previous !== undefined) pending.splice(pending.lastIndexOf(previous), 1);
  if (url !== undefined) pending.push(url);
  void vscode.commands.executeCommand('setContext', 'pingone.signInPending', pending.length > 0);
}

const COPY_LINK = '[Copy Sign-in URL](command:pingone.copySignInUrl)';

/**
 * In a remote window the loopback listener runs on the remote machine: VS Code forwards its port
 * (`asExternalUri`), and the browser must be sent to the forwarded address. Only a pure port
 * forward (loopback http, same path) is used, since the server compares `redirect_uri` with the
 * registered loopback URI; anything else (e.g. a web proxy path) keeps the local URI.
 */
export async function externalRedirectUri(local: string): Promise<string> {
  if (!vscode.env.remoteName) return local;
  const mapped = new URL((await vscode.env.asExternalUri(vscode.Uri.parse(local))).toString(true));
  const original = new URL(local);
  const loopback = mapped.hostname === '127.0.0.1' || mapped.hostname === 'localhost';
  return mapped.protocol === 'http:' && loopback && mapped.pathname === original.pathname ? `${mapped.origin}${original.pathname}` : local;
}

/** Interactive sign-in: progress with cancel and "Copy Sign-in URL", default browser unless the caller supplies one. */
export function signIn(
  ctx: CommandContext,
  applicationId: string,
  options: { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> },
): Promise<TokenSetInfo> {
  const app = ctx.service.getApplication(applicationId);
  const open = options.openExternal ?? ((url: string) => Promise.resolve(vscode.env.openExternal(vscode.Uri.parse(url, true))));
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Signing in to ${app.name} in the browser`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let url: string | undefined;
        try {
          return await ctx.service.signIn(applicationId, {
            scope: options.scope,
            signal: controller.signal,
            mapRedirectUri: externalRedirectUri,
            openExternal: async (authorizationUrl) => {
              url = authorizationUrl;
              setPending(url);
              ctx.log.info(`Sign-in to "${app.name}": ${describeAuthorizationUrl(url)}`);
              progress.report({ message: `complete the sign-in there. No browser tab? ${COPY_LINK}` });
              const opened = await open(authorizationUrl);
              if (opened === false) {
                ctx.log.info(`Sign-in to "${app.name}": the browser could not be opened; waiting for the sign-in URL to be opened by hand.`);
                progress.report({ message: `the browser could not be opened: ${COPY_LINK} and open it in your browser.` });
              }
            },
          });
        } finally {
          sub.dispose();
          if (url !== undefined) setPending(undefined, url);
        }
      },
    ),
  );
}

/** "Copy Sign-in URL": the newest sign-in's authorization URL, to open in a browser by hand. */
export async function copySignInUrl(): Promise<boolean> {
  const url = pending[pending.length - 1];
  if (!url) {
    void vscode.window.showInformationMessage('No sign-in is waiting for the browser: start one with "Sign In (Authorization Code)".');
    return false;
  }
  await vscode.env.clipboard.writeText(url);
  void vscode.window.setStatusBarMessage('$(check) Sign-in URL copied: open it in the browser you sign in with', 5000);
  return true;
}
