/** Add, edit and remove applications (OAuth clients). Secrets are asked with a password input. */
import vscode = require('vscode');
import { Application, ApplicationInput, CONFIDENTIAL_GRANTS, validateClientId, validateRedirectUri, validateScopes } from '../core/application';
import { validateName } from '../core/environment';
import type { AuthMethod } from '../core/oauth';
import type { Grant } from '../core/tokenSet';
import { CommandContext, chooseApplication, chooseEnvironment, command, confirm, pick, required } from './context';
import { asValidator } from './environments';

async function promptApplication(ctx: CommandContext, existing?: Application): Promise<ApplicationInput> {
  const title = existing ? `Edit ${existing.name}` : 'Add Application';
  const input = (prompt: string, validate: (v: string) => unknown, value?: string, extra: Partial<vscode.InputBoxOptions> = {}) =>
    vscode.window
      .showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: asValidator(validate), ...extra })
      .then((v) => required(v).trim());

  const clientId = await input('Client ID (Applications › your app › Configuration)', validateClientId, existing?.clientId);
  const authMethod = (
    await pick(
      [
        { label: 'client_secret_basic', description: 'secret in the Authorization header (PingOne default)', value: 'client_secret_basic' as AuthMethod },
        { label: 'client_secret_post', description: 'secret in the form body', value: 'client_secret_post' as AuthMethod },
        { label: 'none', description: 'public client (native/SPA), PKCE only', value: 'none' as AuthMethod },
      ].map((i) => ({ ...i, picked: i.value === existing?.authMethod })),
      'Token endpoint auth method (must match the application on the server)',
      title,
    )
  ).value;
  let clientSecret: string | undefined;
  if (authMethod !== 'none') {
    const keep = existing && (await ctx.service.hasClientSecret(existing.id));
    clientSecret =
      (await vscode.window
        .showInputBox({
          title,
          prompt: keep ? 'Client secret (leave empty to keep the stored one)' : 'Client secret (stored in VS Code SecretStorage only)',
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (!v && !keep ? 'A client secret is required for this auth method.' : undefined),
        })
        .then(required)) || undefined;
  }
  const grantItems = [
    { label: 'Client credentials', description: 'worker/service tokens', grant: 'client_credentials' as Grant },
    { label: 'Authorization code + PKCE', description: 'user sign-in in the browser', grant: 'authorization_code' as Grant },
    { label: 'Device code', description: 'sign-in on another device (CLIs, TVs)', grant: 'device_code' as Grant },
    { label: 'Token exchange', description: 'exchange a stored token for another (RFC 8693)', grant: 'token_exchange' as Grant },
    { label: 'CIBA', description: 'backchannel authentication, approved on the user\'s phone', grant: 'ciba' as Grant },
    { label: 'Resource-owner password', description: 'username and password (PingFederate)', grant: 'password' as Grant },
  ].filter((g) => authMethod !== 'none' || !CONFIDENTIAL_GRANTS.includes(g.grant));
  const grants =
    grantItems.length === 1
      ? [grantItems[0].grant]
      : required(
          await vscode.window.showQuickPick(
            grantItems.map((g) => ({
              ...g,
              picked: existing ? existing.grants.includes(g.grant) : g.grant === 'client_credentials' || g.grant === 'authorization_code',
            })),
            { title, canPickMany: true, placeHolder: 'Grants this application uses', ignoreFocusOut: true },
          ),
        ).map((g) => g.grant);
  const scopes = await input('Default scopes, space-separated (optional)', validateScopes, existing?.scopes ?? (grants.includes('authorization_code') ? 'openid profile' : ''));
  const redirectUri = grants.includes('authorization_code')
    ? await input(
        'Redirect URI registered for the app (optional; a loopback one such as http://127.0.0.1/callback lets VS Code receive the sign-in)',
        validateRedirectUri,
        existing?.redirectUri ?? 'http://127.0.0.1/callback',
      )
    : undefined;
  const name = await input('A name for this application', (v) => validateName(v), existing?.name ?? clientId);
  return { name, clientId, clientSecret, authMethod, grants, scopes: scopes || undefined, redirectUri: redirectUri || undefined };
}

function isInput(v: unknown): v is ApplicationInput {
  return typeof v === 'object' && v !== null && typeof (v as { clientId?: unknown }).clientId === 'string';
}

/** The application commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function applicationCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.addApplication': command(ctx, 'Add application', async (arg?: unknown, input?: unknown) => {
      const envId = await chooseEnvironment(ctx, arg);
      const app = await service.addApplication(envId, isInput(input) ? input : await promptApplication(ctx));
      ctx.log.info(`Added application "${app.name}" (${app.clientId}, ${app.authMethod})`);
      return app;
    }),
    'pingone.editApplication': command(ctx, 'Edit application', async (arg?: unknown, input?: unknown) => {
      const id = await chooseApplication(ctx, arg);
      return service.updateApplication(id, isInput(input) ? input : await promptApplication(ctx, service.getApplication(id)));
    }),
    'pingone.removeApplication': command(ctx, 'Remove application', async (arg?: unknown, options?: unknown) => {
      const id = await chooseApplication(ctx, arg);
      const app = service.getApplication(id);
      await confirm(`Remove "${app.name}"? Its client secret and all its tokens are deleted from VS Code.`, 'Remove', options);
      await service.removeApplication(id);
      return true;
    }),
  };
}
