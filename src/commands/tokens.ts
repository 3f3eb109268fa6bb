/** Token commands: get, sign in, exchange, refresh, inspect, copy, revoke, introspect, userinfo, delete, decode. */
import vscode = require('vscode');
import { parsePastedCode } from '../core/authorize';
import { REGIONS } from '../core/environment';
import { ExplorerError, invalidInput } from '../core/errors';
import { decodeJwt, looksLikeJwt } from '../core/jwt';
import type { TokenSetInfo } from '../core/service';
import { InspectorPanel } from '../webview/inspector/panel';
import type { TokenKind } from '../webview/inspector/protocol';
import { showError } from '../platform/errors';
import { CommandContext, UserCancelled, chooseApplication, chooseTokenSet, command, confirm, required, withProgress } from './context';

interface ScopeOption {
  scope?: string;
}

function scopeOf(options: unknown): string | undefined {
  const s = (options as ScopeOption | undefined)?.scope;
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

/** Shows JSON in a read-only-ish untitled editor; tokens never go there. */
async function showJson(title: string, value: unknown): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'json', content: `// ${title}\n${JSON.stringify(value, null, 2)}\n` });
  await vscode.window.showTextDocument(doc, { preview: true });
}

export function inspect(ctx: CommandContext, target: string, select?: TokenKind): Promise<void> {
  const deps = { extensionUri: ctx.extensionUri, service: ctx.service, log: ctx.log };
  const isTokenSet = ctx.service.listTokenSets().some((t) => t.id === target);
  return InspectorPanel.show(deps, isTokenSet ? { tokenSetId: target, select } : { jwt: target }).then(() => undefined);
}

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

/** Interactive sign-in: progress with cancel, default browser unless the caller supplies one. */
export function signIn(
  ctx: CommandContext,
  applicationId: string,
  options: { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> },
): Promise<TokenSetInfo> {
  const app = ctx.service.getApplication(applicationId);
  return withProgress(`Signing in to ${app.name} in the browser…`, (signal) =>
    ctx.service.signIn(applicationId, {
      scope: options.scope,
      signal,
      mapRedirectUri: externalRedirectUri,
      openExternal:
        options.openExternal ??
        (async (url) => {
          const opened = await vscode.env.openExternal(vscode.Uri.parse(url, true));
          if (!opened) throw new ExplorerError('cancelled', 'The browser was not opened.');
        }),
    }),
  );
}

async function curlFor(ctx: CommandContext, tokenSetId: string): Promise<string> {
  const set = await ctx.service.getTokenSet(tokenSetId);
  const env = ctx.service.getEnvironment(set.environmentId);
  let url: string;
  if (env.kind === 'pingone' && env.region && set.grant === 'client_credentials') {
    url = `${REGIONS[env.region].apiBase}/environments/${env.environmentId}`;
  } else {
    const endpoints = await ctx.service.endpoints(env.id);
    url = endpoints.userinfo ?? endpoints.issuer;
  }
  return `curl -H "Authorization: ${set.tokenType} ${set.accessToken}" "${url}"`;
}

async function decodeSource(arg: unknown): Promise<string> {
  if (typeof arg === 'string' && arg.trim()) return arg.trim();
  const editor = vscode.window.activeTextEditor;
  const selected = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection).trim() : '';
  if (selected) return selected;
  const clip = (await vscode.env.clipboard.readText()).trim();
  if (clip && looksLikeJwt(clip.replace(/^Bearer\s+/i, ''))) return clip;
  return required(
    await vscode.window.showInputBox({
      title: 'Decode JWT',
      prompt: 'Paste a JWT (nothing is sent anywhere: it is decoded locally)',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (looksLikeJwt(v.trim().replace(/^Bearer\s+/i, '')) ? undefined : 'This is not a JWT (three base64url segments).'),
    }),
  );
}

/**
 * A failed refresh says what to do next: "sign-in required" offers a new sign-in, a rejected
 * client offers to edit the application's secret and auth method.
 */
async function offerRecovery(ctx: CommandContext, err: unknown, tokenSetId: string | undefined): Promise<void> {
  const info = tokenSetId ? ctx.service.listTokenSets().find((t) => t.id === tokenSetId) : undefined;
  if (info && err instanceof ExplorerError && (err.code === 'invalid_grant' || err.code === 'invalid_client')) {
    const action = err.code === 'invalid_grant' ? 'Sign In Again' : 'Edit Application';
    ctx.log.error(`Refresh: [${err.code}] ${err.message}`);
    const choice = await vscode.window.showErrorMessage(`Refresh failed: ${err.message}`, action, 'Show Log');
    if (choice === 'Sign In Again') await vscode.commands.executeCommand('pingone.signIn', info.applicationId);
    if (choice === 'Edit Application') await vscode.commands.executeCommand('pingone.editApplication', info.applicationId);
    if (choice === 'Show Log') ctx.log.channel.show(true);
    return;
  }
  await showError(err, ctx.log, 'Refresh token');
}

/** The token commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function tokenCommands(ctx: CommandContext) {
  const { service } = ctx;
  const copy = async (text: string, what: string) => {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage(`$(check) ${what} copied`, 3000);
  };
  return {
    'pingone.getToken': command(ctx, 'Get token', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('client_credentials'));
      const app = service.getApplication(id);
      const info = await withProgress(`Getting a token for ${app.name}…`, (signal) => service.clientCredentials(id, { scope: scopeOf(options), signal }));
      ctx.log.info(`Client-credentials token for "${app.name}": ${info.scope ?? 'default scope'}`);
      return info;
    }),
    'pingone.signIn': command(ctx, 'Sign in', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'));
      const o = (options ?? {}) as { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> };
      return signIn(ctx, id, { scope: scopeOf(o), openExternal: typeof o.openExternal === 'function' ? o.openExternal : undefined });
    }),
    'pingone.signInWithPassword': command(ctx, 'Sign in with username and password', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'));
      const app = service.getApplication(id);
      const o = (options ?? {}) as { username?: string; password?: string; scope?: string };
      const title = `Sign in to ${app.name} (PingOne flows API)`;
      const username =
        o.username ?? required(await vscode.window.showInputBox({ title, prompt: 'Username of a test user', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'A username is required.') })).trim();
      // Asked for each sign-in, used once, never stored.
      const password =
        o.password ?? required(await vscode.window.showInputBox({ title, prompt: `Password for ${username} (not stored)`, password: true, ignoreFocusOut: true }));
      return withProgress(`Signing in ${username}…`, (signal) => service.signInWithPassword(id, { username, password, scope: scopeOf(o), signal }));
    }),
    'pingone.exchangeCode': command(ctx, 'Exchange authorization code', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'));
      const app = service.getApplication(id);
      const o = (options ?? {}) as { code?: string; redirectUri?: string; codeVerifier?: string };
      let code = o.code;
      let redirectUri = o.redirectUri ?? app.redirectUri;
      if (!code) {
        const pasted = required(
          await vscode.window.showInputBox({
            title: `Exchange code for ${app.name}`,
            prompt: 'Paste the authorization code or the whole redirect URL',
            ignoreFocusOut: true,
            password: true,
          }),
        );
        code = parsePastedCode(pasted).code;
      }
      if (!redirectUri) {
        redirectUri = required(
          await vscode.window.showInputBox({ title: `Exchange code for ${app.name}`, prompt: 'The redirect URI used in the authorization request', ignoreFocusOut: true }),
        ).trim();
      }
      if (!redirectUri) throw invalidInput('redirectUri', 'The redirect URI is required.');
      const finalCode = code;
      const finalRedirect = redirectUri;
      return withProgress('Exchanging the authorization code…', (signal) =>
        service.exchangeCode(id, { code: finalCode, redirectUri: finalRedirect, codeVerifier: o.codeVerifier, signal }),
      );
    }),
    'pingone.refreshToken': async (arg?: unknown, options?: unknown) => {
      let id: string | undefined;
      try {
        id = await chooseTokenSet(ctx, arg);
        const tokenSetId = id;
        const info = await withProgress('Refreshing tokens…', (signal) => service.refresh(tokenSetId, { scope: scopeOf(options), signal }));
        ctx.autoRefresh?.resume(tokenSetId);
        return info;
      } catch (err) {
        if (err instanceof UserCancelled) return undefined;
        void offerRecovery(ctx, err, id);
        throw err;
      }
    },
    'pingone.toggleAutoRefresh': command(ctx, 'Auto-refresh', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      const requested = (options as { enabled?: unknown } | undefined)?.enabled;
      const enabled = typeof requested === 'boolean' ? requested : !service.getTokenSetInfo(id).autoRefresh;
      const info = await service.setAutoRefresh(id, enabled);
      if (enabled) {
        ctx.autoRefresh?.resume(id);
        if (!vscode.workspace.getConfiguration('pingone.autoRefresh').get<boolean>('enabled', false)) {
          void vscode.window
            .showInformationMessage('This token set will auto-refresh once "pingone.autoRefresh.enabled" is on.', 'Turn On')
            .then((c) => {
              if (c === 'Turn On') void vscode.workspace.getConfiguration('pingone.autoRefresh').update('enabled', true, vscode.ConfigurationTarget.Global);
            });
        }
      }
      return info;
    }),
    'pingone.inspectToken': command(ctx, 'Inspect token', async (arg?: unknown) => {
      const o = (typeof arg === 'object' && arg !== null ? arg : {}) as { jwt?: unknown; select?: unknown };
      if (typeof o.jwt === 'string') return inspect(ctx, o.jwt);
      const select = o.select === 'access_token' || o.select === 'id_token' || o.select === 'refresh_token' ? o.select : undefined;
      await inspect(ctx, await chooseTokenSet(ctx, arg), select);
    }),
    'pingone.decodeJwt': command(ctx, 'Decode JWT', async (arg?: unknown) => {
      const source = (await decodeSource(arg)).replace(/^Bearer\s+/i, '');
      const decoded = decodeJwt(source); // an opaque token or garbage is a clear invalid_input
      await inspect(ctx, source);
      return { header: decoded.header, payload: decoded.payload };
    }),
    'pingone.copyAccessToken': command(ctx, 'Copy access token', async (arg?: unknown) => {
      const set = await service.getTokenSet(await chooseTokenSet(ctx, arg));
      await copy(set.accessToken, 'Access token');
    }),
    'pingone.copyAuthorizationHeader': command(ctx, 'Copy Authorization header', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      const set = await service.getTokenSet(id);
      if (!service.getTokenSetInfo(id).dpop) return copy(`Authorization: ${set.tokenType} ${set.accessToken}`, 'Authorization header');
      // A DPoP-bound token is useless alone: the proof names the request it is for.
      const o = (options ?? {}) as { method?: string; url?: string };
      const url =
        o.url ??
        required(
          await vscode.window.showInputBox({
            title: 'DPoP proof',
            prompt: 'The URL of the request this token is for (the proof is valid for that URL and about a minute)',
            placeHolder: 'https://api.pingone.com/v1/environments',
            ignoreFocusOut: true,
            validateInput: (v) => (URL.canParse(v.trim()) ? undefined : 'Enter the full URL, e.g. https://api.pingone.com/v1/environments.'),
          }),
        ).trim();
      const proof = await service.dpopProof(id, { method: o.method ?? 'GET', url });
      await copy(`Authorization: DPoP ${set.accessToken}\nDPoP: ${proof}`, 'Authorization and DPoP headers');
    }),
    'pingone.copyAsCurl': command(ctx, 'Copy as curl', async (arg?: unknown) => {
      await copy(await curlFor(ctx, await chooseTokenSet(ctx, arg)), 'curl command');
    }),
    'pingone.revokeToken': command(ctx, 'Revoke', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      await confirm('Revoke these tokens at the server? They stop working for every client that holds them.', 'Revoke', options);
      return withProgress('Revoking…', (signal) => service.revoke(id, { signal }));
    }),
    'pingone.introspectToken': command(ctx, 'Introspect', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      const token = (options as { token?: 'access_token' | 'refresh_token' } | undefined)?.token;
      const result = await withProgress('Introspecting…', (signal) => service.introspect(id, { token, signal }));
      if (!(options as { silent?: boolean } | undefined)?.silent) await showJson('Introspection result', result);
      return result;
    }),
    'pingone.userinfo': command(ctx, 'Userinfo', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      const result = await withProgress('Calling userinfo…', (signal) => service.userinfo(id, { signal }));
      if (!(options as { silent?: boolean } | undefined)?.silent) await showJson('Userinfo', result);
      return result;
    }),
    'pingone.deleteTokenSet': command(ctx, 'Delete tokens', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      await confirm('Delete these tokens from VS Code? (They are not revoked at the server.)', 'Delete', options);
      await service.deleteTokenSet(id);
      return true;
    }),
  };
}
