/** Token commands: get, sign in, exchange, refresh, inspect, copy, revoke, introspect, userinfo, delete, decode. */
import vscode = require('vscode');
import { parsePastedCode } from '../core/authorize';
import { curlCommand } from '../core/curl';
import { REGIONS } from '../core/environment';
import { invalidInput } from '../core/errors';
import { decodeJwt, describeExpiry, looksLikeJwt } from '../core/jwt';
import type { TokenSetInfo } from '../core/service';
import { InspectorPanel } from '../webview/inspector/panel';
import type { TokenKind } from '../webview/inspector/protocol';
import { type CommandContext, SENDS_SECRET, chooseApplication, chooseTokenSet, chooseTokenSetToHandOut, command, confirm, required, withProgress } from './context';
import { about } from './failures';
import { type ResultKind, showResult } from './results';
import { copySignInUrl, signIn } from './signIn';

export { externalRedirectUri, signIn } from './signIn';

interface ScopeOption {
  scope?: string;
}

function scopeOf(options: unknown): string | undefined {
  const s = (options as ScopeOption | undefined)?.scope;
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

/** Shows a server's answer in its read-only result document (see results.ts). */
async function showServerResult(ctx: CommandContext, tokenSetId: string, kind: ResultKind, value: unknown): Promise<void> {
  const info = ctx.service.getTokenSetInfo(tokenSetId);
  const endpoints = await ctx.service.endpoints(info.environmentId);
  const endpoint = (kind === 'introspection' ? endpoints.introspection : endpoints.userinfo) ?? endpoints.issuer;
  const application = ctx.service.listApplications().find((a) => a.id === info.applicationId)?.name ?? 'token set';
  await showResult({ tokenSetId, kind, application, endpoint, at: new Date(), value });
}

export function inspect(ctx: CommandContext, target: string, select?: TokenKind): Promise<void> {
  const deps = { extensionUri: ctx.extensionUri, service: ctx.service, log: ctx.log };
  const isTokenSet = ctx.service.listTokenSets().some((t) => t.id === target);
  return InspectorPanel.show(deps, isTokenSet ? { tokenSetId: target, select } : { jwt: target }).then(() => undefined);
}

/** Where a token set's token is most likely used: the environment's API for client credentials on PingOne, else userinfo. */
async function defaultResourceUrl(ctx: CommandContext, tokenSetId: string): Promise<string> {
  const info = ctx.service.getTokenSetInfo(tokenSetId);
  const env = ctx.service.getEnvironment(info.environmentId);
  if (env.kind === 'pingone' && env.region && info.grant === 'client_credentials') return `${REGIONS[env.region].apiBase}/environments/${env.environmentId}`;
  const endpoints = await ctx.service.endpoints(env.id);
  return endpoints.userinfo ?? endpoints.issuer;
}

/**
 * The request a DPoP proof is for: `options.url` / `options.method` (commands, tests), else the
 * user types the URL (prefilled with `suggested`). A proof is valid for that method and URL only.
 */
async function resourceRequest(options: unknown, suggested?: string): Promise<{ method: string; url: string }> {
  const o = (options ?? {}) as { method?: unknown; url?: unknown };
  const method = typeof o.method === 'string' && o.method.trim() ? o.method.trim().toUpperCase() : 'GET';
  const url =
    typeof o.url === 'string' && o.url.trim()
      ? o.url.trim()
      : required(
          await vscode.window.showInputBox({
            title: 'DPoP proof',
            prompt: `The URL of the ${method} request this token is for (the proof is valid for that URL and about a minute)`,
            value: suggested,
            placeHolder: 'https://api.pingone.com/v1/environments',
            ignoreFocusOut: true,
            validateInput: (v) => (URL.canParse(v.trim()) ? undefined : 'Enter the full URL, e.g. https://api.pingone.com/v1/environments.'),
          }),
        ).trim();
  if (!URL.canParse(url)) throw invalidInput('url', 'Enter the full URL of the request, e.g. https://api.pingone.com/v1/environments.');
  return { method, url };
}

async function curlFor(ctx: CommandContext, tokenSetId: string, options?: unknown): Promise<string> {
  const set = await ctx.service.getTokenSet(tokenSetId);
  const given = (options as { url?: unknown } | undefined)?.url;
  if (!ctx.service.getTokenSetInfo(tokenSetId).dpop) {
    return curlCommand(typeof given === 'string' && given.trim() ? given.trim() : await defaultResourceUrl(ctx, tokenSetId), set.tokenType, set.accessToken);
  }
  // A DPoP-bound token works only with a fresh proof for the very request: ask which one.
  const { method, url } = await resourceRequest(options, await defaultResourceUrl(ctx, tokenSetId));
  const dpopProof = await ctx.service.dpopProof(tokenSetId, { method, url });
  return curlCommand(url, set.tokenType, set.accessToken, { method, dpopProof });
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

/** The token commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function tokenCommands(ctx: CommandContext) {
  const { service } = ctx;
  /** What a failure on token set `id` concerns, for the fix its message offers. */
  const targetOfSet = (id: string) => ({ tokenSetId: id, applicationId: service.listTokenSets().find((t) => t.id === id)?.applicationId });
  /** Success feedback: a short status-bar message, and the set revealed and selected in the tree. */
  const done = (info: TokenSetInfo | undefined, what: string): TokenSetInfo | undefined => {
    if (!info) return info;
    const app = service.listApplications().find((a) => a.id === info.applicationId);
    void vscode.window.setStatusBarMessage(
      `$(check) ${what}${app ? `: ${app.name}` : ''}${info.subject ? ` as ${info.subject}` : ''}, ${describeExpiry(info.expiresAt, Date.now())}`,
      5000,
    );
    ctx.reveal?.(info.id);
    return info;
  };
  const copy = async (text: string, what: string) => {
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage(`$(check) ${what} copied`, 3000);
  };
  return {
    'pingone.getToken': command(ctx, 'Get token', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('client_credentials'), SENDS_SECRET);
      const app = service.getApplication(id);
      const info = await about({ applicationId: id }, () =>
        withProgress(`Getting a token for ${app.name}…`, (signal) => service.clientCredentials(id, { scope: scopeOf(options), signal })),
      );
      ctx.log.info(`Client-credentials token for "${app.name}": ${info.scope ?? 'default scope'}`);
      return done(info, 'Token issued');
    }),
    'pingone.signIn': command(ctx, 'Sign in', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'), SENDS_SECRET);
      const o = (options ?? {}) as { scope?: string; openExternal?: (url: string) => PromiseLike<unknown> };
      return done(
        await about({ applicationId: id }, () => signIn(ctx, id, { scope: scopeOf(o), openExternal: typeof o.openExternal === 'function' ? o.openExternal : undefined })),
        'Signed in',
      );
    }),
    'pingone.signInWithPassword': command(ctx, 'Sign in with username and password', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'), SENDS_SECRET);
      const app = service.getApplication(id);
      const o = (options ?? {}) as { username?: string; password?: string; scope?: string };
      const title = `Sign in to ${app.name} (PingOne flows API)`;
      const username =
        o.username ??
        required(
          await vscode.window.showInputBox({
            title,
            prompt: 'Username of a test user',
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? undefined : 'A username is required.'),
          }),
        ).trim();
      // Asked for each sign-in, used once, never stored.
      const password =
        o.password ?? required(await vscode.window.showInputBox({ title, prompt: `Password for ${username} (not stored)`, password: true, ignoreFocusOut: true }));
      return done(
        await withProgress(`Signing in ${username}…`, (signal) => service.signInWithPassword(id, { username, password, scope: scopeOf(o), signal })),
        'Signed in',
      );
    }),
    'pingone.exchangeCode': command(ctx, 'Exchange authorization code', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg, (a) => a.grants.includes('authorization_code'), SENDS_SECRET);
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
          await vscode.window.showInputBox({
            title: `Exchange code for ${app.name}`,
            prompt: 'The redirect URI used in the authorization request',
            ignoreFocusOut: true,
          }),
        ).trim();
      }
      if (!redirectUri) throw invalidInput('redirectUri', 'The redirect URI is required.');
      const finalCode = code;
      const finalRedirect = redirectUri;
      return withProgress('Exchanging the authorization code…', (signal) =>
        service.exchangeCode(id, { code: finalCode, redirectUri: finalRedirect, codeVerifier: o.codeVerifier, signal }),
      );
    }),
    'pingone.refreshToken': command(ctx, 'Refresh', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg, SENDS_SECRET);
      const applicationId = service.getTokenSetInfo(id).applicationId;
      const info = await about({ tokenSetId: id, applicationId }, () =>
        withProgress('Refreshing tokens…', (signal) => service.refresh(id, { scope: scopeOf(options), signal })),
      );
      ctx.autoRefresh?.resume(id);
      return done(info, 'Refreshed');
    }),
    'pingone.copySignInUrl': command(ctx, 'Copy sign-in URL', () => copySignInUrl()),
    'pingone.signInAgain': command(ctx, 'Sign in', async (arg?: unknown) => {
      const info = service.getTokenSetInfo(await chooseTokenSet(ctx, arg, SENDS_SECRET));
      return done(await about({ applicationId: info.applicationId }, () => signIn(ctx, info.applicationId, { scope: info.scope })), 'Signed in');
    }),
    'pingone.toggleAutoRefresh': command(ctx, 'Auto-refresh', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg);
      const requested = (options as { enabled?: unknown } | undefined)?.enabled;
      const enabled = typeof requested === 'boolean' ? requested : !service.getTokenSetInfo(id).autoRefresh;
      const info = await service.setAutoRefresh(id, enabled);
      if (enabled) {
        ctx.autoRefresh?.resume(id);
        if (!vscode.workspace.getConfiguration('pingone.autoRefresh').get<boolean>('enabled', false)) {
          void vscode.window.showInformationMessage('This token set will auto-refresh once "pingone.autoRefresh.enabled" is on.', 'Turn On').then((c) => {
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
      const set = await service.getTokenSet(await chooseTokenSetToHandOut(ctx, arg));
      await copy(set.accessToken, 'Access token');
    }),
    'pingone.copyAuthorizationHeader': command(ctx, 'Copy Authorization header', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSetToHandOut(ctx, arg);
      const set = await service.getTokenSet(id);
      if (!service.getTokenSetInfo(id).dpop) return copy(`Authorization: ${set.tokenType} ${set.accessToken}`, 'Authorization header');
      // A DPoP-bound token is useless alone: the proof names the request it is for.
      const { method, url } = await resourceRequest(options);
      const proof = await service.dpopProof(id, { method, url });
      await copy(`Authorization: DPoP ${set.accessToken}\nDPoP: ${proof}`, 'Authorization and DPoP headers');
    }),
    'pingone.copyAsCurl': command(ctx, 'Copy as curl', async (arg?: unknown, options?: unknown) => {
      await copy(await curlFor(ctx, await chooseTokenSetToHandOut(ctx, arg), options), 'curl command');
    }),
    'pingone.revokeToken': command(ctx, 'Revoke', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg, SENDS_SECRET);
      await confirm('Revoke these tokens at the server? They stop working for every client that holds them.', 'Revoke', options);
      return about(targetOfSet(id), () => withProgress('Revoking…', (signal) => service.revoke(id, { signal })));
    }),
    'pingone.introspectToken': command(ctx, 'Introspect', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg, SENDS_SECRET);
      const token = (options as { token?: 'access_token' | 'refresh_token' } | undefined)?.token;
      const result = await about(targetOfSet(id), () => withProgress('Introspecting…', (signal) => service.introspect(id, { token, signal })));
      if (!(options as { silent?: boolean } | undefined)?.silent) await showServerResult(ctx, id, 'introspection', result);
      return result;
    }),
    'pingone.userinfo': command(ctx, 'Userinfo', async (arg?: unknown, options?: unknown) => {
      const id = await chooseTokenSet(ctx, arg, SENDS_SECRET);
      const result = await withProgress('Calling userinfo…', (signal) => service.userinfo(id, { signal }));
      if (!(options as { silent?: boolean } | undefined)?.silent) await showServerResult(ctx, id, 'userinfo', result);
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
