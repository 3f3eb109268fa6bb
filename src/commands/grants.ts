/**
 * Commands of the grants where the user approves elsewhere (device authorization, CIBA), token
 * exchange and the resource-owner password grant. Thin: prompts and notifications here, the grant
 * itself in the service and core/grants/.
 */
import vscode = require('vscode');
import { invalidInput } from '../core/errors';
import type { UserCodeInfo } from '../core/grants/deviceCode';
import type { TokenSetInfo } from '../core/service';
import { PINGONE_PASSWORD_EXPLANATION } from '../core/grants/password';
import { type CommandContext, chooseApplication, command, pick, required, withProgress } from './context';
import type { BackchannelOptions, TokenExchangeOptions } from '../core/service';

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
  void vscode.window.showInformationMessage(`To sign in to ${appName}, enter the code ${info.userCode} at ${info.verificationUri}`, action).then(async (choice) => {
    if (choice !== action) return;
    try {
      await vscode.env.clipboard.writeText(info.userCode);
    } catch (err) {
      // The browser may refuse clipboard access (VS Code for the Web): the page still opens.
      ctx.log.error(`Could not copy the user code: ${err instanceof Error ? err.message : String(err)}`);
    }
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

/** Asks for a username and a password (masked, asked every time, never stored). */
async function askCredentials(title: string, o: { username?: string; password?: string }): Promise<{ username: string; password: string }> {
  const username =
    o.username ??
    required(
      await vscode.window.showInputBox({ title, prompt: 'Username', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A username is required.') }),
    ).trim();
  const password =
    o.password ??
    required(
      await vscode.window.showInputBox({
        title,
        prompt: `Password for ${username} (sent once, not stored)`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v ? undefined : 'A password is required.'),
      }),
    );
  return { username, password };
}

/** Asks which stored set (and which of its tokens) to exchange, an optional actor, audience and scope. */
async function promptExchange(ctx: CommandContext, appId: string): Promise<TokenExchangeOptions> {
  const { service } = ctx;
  const app = service.getApplication(appId);
  const title = `Token exchange with ${app.name}`;
  const sets = service.listTokenSets().sort((a, b) => b.issuedAt - a.issuedAt);
  if (!sets.length) throw invalidInput('subjectTokenSetId', 'There are no tokens to exchange yet: sign in or get a token first.');
  const appName = (id: string) => service.listApplications().find((a) => a.id === id)?.name ?? '?';
  const item = (t: TokenSetInfo) => ({
    label: appName(t.applicationId),
    description: `${t.grant} · ${t.status} · ${new Date(t.issuedAt).toLocaleTimeString()}`,
    id: t.id,
  });
  const subject = service.getTokenSetInfo((await pick(sets.map(item), 'The token set whose token is exchanged (the subject)', title)).id);
  const subjectToken = subject.hasIdToken
    ? (
        await pick(
          [
            { label: 'Access token', value: 'access_token' as const },
            { label: 'ID token', value: 'id_token' as const },
          ],
          'Which token of that set',
          title,
        )
      ).value
    : 'access_token';
  const none = { label: 'No actor', description: 'the new token acts for the subject alone', id: '' };
  const actor = await pick([none, ...sets.filter((t) => t.id !== subject.id).map(item)], 'An actor token (optional): whose access token acts for the subject', title);
  const audience = required(await vscode.window.showInputBox({ title, prompt: 'Audience (the resource the new token is for, optional)', ignoreFocusOut: true })).trim();
  const scope = required(await vscode.window.showInputBox({ title, prompt: 'Scope (optional, space-separated)', value: app.scopes ?? '', ignoreFocusOut: true })).trim();
  return { subjectTokenSetId: subject.id, subjectToken, actorTokenSetId: actor.id || undefined, audience: audience || undefined, scope: scope || undefined };
}

function exchangeOptions(o: unknown): TokenExchangeOptions | undefined {
  if (typeof o !== 'object' || o === null || typeof (o as { subjectTokenSetId?: unknown }).subjectTokenSetId !== 'string') return undefined;
  const v = o as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' && v[k] ? (v[k] as string) : undefined);
  return {
    subjectTokenSetId: v.subjectTokenSetId as string,
    subjectToken: v.subjectToken === 'id_token' ? 'id_token' : 'access_token',
    actorTokenSetId: str('actorTokenSetId'),
    audience: str('audience'),
    resource: str('resource'),
    scope: str('scope'),
    requestedTokenType: str('requestedTokenType'),
  };
}

/** Asks how to name the user (one hint), and an optional binding message. */
async function promptBackchannel(ctx: CommandContext, title: string): Promise<BackchannelOptions> {
  const { service } = ctx;
  const withIdToken = service.listTokenSets().filter((t) => t.hasIdToken);
  const how = (
    await pick(
      [
        { label: 'Login hint', description: "the user's username or email", value: 'loginHint' as const },
        ...(withIdToken.length ? [{ label: 'A stored sign-in', description: 'its ID token names the user (id_token_hint)', value: 'idToken' as const }] : []),
        { label: 'Login hint token', description: 'a token naming the user, from your own system', value: 'loginHintToken' as const },
      ],
      'How to name the user who approves on their device',
      title,
    )
  ).value;
  const o: BackchannelOptions = {};
  if (how === 'idToken') {
    const appName = (id: string) => service.listApplications().find((a) => a.id === id)?.name ?? '?';
    o.idTokenHintTokenSetId = (
      await pick(
        withIdToken.map((t) => ({ label: appName(t.applicationId), description: `${t.grant} · ${new Date(t.issuedAt).toLocaleTimeString()}`, id: t.id })),
        'The sign-in whose user is asked',
        title,
      )
    ).id;
  } else {
    const prompt = how === 'loginHint' ? 'Username or email of the user' : 'Login hint token';
    const value = required(
      await vscode.window.showInputBox({
        title,
        prompt,
        ignoreFocusOut: true,
        password: how === 'loginHintToken',
        validateInput: (v) => (v.trim() ? undefined : 'Required.'),
      }),
    ).trim();
    o[how] = value;
  }
  const binding = required(
    await vscode.window.showInputBox({ title, prompt: 'Binding message shown on the user\'s device (optional, e.g. "Order 4711")', ignoreFocusOut: true }),
  ).trim();
  if (binding) o.bindingMessage = binding;
  return o;
}

function backchannelOptions(o: unknown): BackchannelOptions | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  const v = o as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' && v[k] ? (v[k] as string) : undefined);
  const out: BackchannelOptions = {
    loginHint: str('loginHint'),
    idTokenHintTokenSetId: str('idTokenHintTokenSetId'),
    loginHintToken: str('loginHintToken'),
    bindingMessage: str('bindingMessage'),
    scope: str('scope'),
  };
  return out.loginHint || out.idTokenHintTokenSetId || out.loginHintToken ? out : undefined;
}

export function grantCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.backchannelAuthentication': command(ctx, 'Backchannel authentication', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('ciba'));
      const app = service.getApplication(id);
      const title = `Ask a user to approve ${app.name} on their device (CIBA)`;
      const o = backchannelOptions(options) ?? (await promptBackchannel(ctx, title));
      return withCancellableProgress(`CIBA for ${app.name}`, (signal, report) => {
        report("asking the user's device…");
        return service.backchannelAuthentication(id, {
          ...o,
          signal,
          onRequest: () => report(`waiting for the user to approve${o.bindingMessage ? ` "${o.bindingMessage}"` : ''} on their device`),
        });
      });
    }),
    'pingone.tokenExchange': command(ctx, 'Token exchange', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('token_exchange'));
      const app = service.getApplication(id);
      if (app.authMethod === 'none') {
        throw invalidInput('authMethod', `Token exchange needs a confidential application; "${app.name}" is public (auth method none). Edit it to use a client secret.`);
      }
      const o = exchangeOptions(options) ?? (await promptExchange(ctx, id));
      const info = await withProgress('Exchanging the token…', (signal) => service.tokenExchange(id, { ...o, signal }));
      ctx.log.info(`Token exchange by "${app.name}": issued ${info.issuedTokenType ?? 'a token'}`);
      return info;
    }),
    'pingone.passwordGrant': command(ctx, 'Password grant', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('password'));
      const app = service.getApplication(id);
      const o = (options ?? {}) as { username?: string; password?: string };
      if (service.getEnvironment(app.environmentId).kind === 'pingone' && o.password === undefined) {
        // Explain before asking for a password that PingOne would never accept here.
        const action = 'Sign In with Flows API';
        const choice = await vscode.window.showInformationMessage(PINGONE_PASSWORD_EXPLANATION, action);
        if (choice === action) return vscode.commands.executeCommand('pingone.signInWithPassword', id, { username: o.username });
        return undefined;
      }
      const { username, password } = await askCredentials(`Sign in to ${app.name} (password grant)`, o);
      return withProgress(`Signing in ${username}…`, (signal) => service.passwordGrant(id, { username, password, scope: scopeOf(options), signal }));
    }),
    'pingone.deviceAuthorization': command(ctx, 'Device authorization', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('device_code'));
      const o = (options ?? {}) as { onUserCode?: unknown };
      const onUserCode = typeof o.onUserCode === 'function' ? (o.onUserCode as (info: UserCodeInfo) => void) : undefined;
      return deviceAuthorization(ctx, id, { scope: scopeOf(options), onUserCode });
    }),
  };
}
