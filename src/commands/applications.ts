/** Add, edit and remove applications (OAuth clients). Secrets are asked with a password input. */
import vscode = require('vscode');
import { Application, ApplicationInput, usesSecret, validateClientId, validateRedirectUri, validateScopes } from '../core/application';
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
        { label: 'private_key_jwt', description: 'a JWT signed with a private key kept in VS Code (PingOne PRIVATE_KEY_JWT)', value: 'private_key_jwt' as AuthMethod },
        { label: 'client_secret_jwt', description: 'a JWT signed with the client secret, HS256 (PingOne CLIENT_SECRET_JWT)', value: 'client_secret_jwt' as AuthMethod },
        { label: 'none', description: 'public client (native/SPA), PKCE only', value: 'none' as AuthMethod },
      ].map((i) => ({ ...i, picked: i.value === existing?.authMethod })),
      'Token endpoint auth method (must match the application on the server)',
      title,
    )
  ).value;
  let clientSecret: string | undefined;
  const key = authMethod === 'private_key_jwt' ? await promptPrivateKey(title, existing) : {};
  if (usesSecret(authMethod)) {
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
  ].filter((g) => authMethod !== 'none' || g.grant !== 'client_credentials');
  const grants =
    grantItems.length === 1
      ? [grantItems[0].grant]
      : required(
          await vscode.window.showQuickPick(
            grantItems.map((g) => ({ ...g, picked: existing ? existing.grants.includes(g.grant) : true })),
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
  const options = await promptOptions(title, grants, existing);
  const name = await input('A name for this application', (v) => validateName(v), existing?.name ?? clientId);
  return { name, clientId, clientSecret, authMethod, grants, scopes: scopes || undefined, redirectUri: redirectUri || undefined, ...key, ...options };
}

/**
 * The options most applications leave alone: DPoP-bound tokens, and forcing pushed or signed
 * authorization requests (by default both follow what the server's discovery requires).
 */
async function promptOptions(title: string, grants: Grant[], existing?: Application): Promise<Pick<ApplicationInput, 'dpop' | 'pushedAuthorization' | 'requestObject'>> {
  const items = [
    { label: 'DPoP-bound tokens', description: 'RFC 9449: tokens work only with a proof from a key VS Code keeps', option: 'dpop', picked: existing?.dpop === true },
    ...(grants.includes('authorization_code')
      ? [
          { label: 'Always push authorization requests (PAR)', description: 'PingOne parRequirement: REQUIRED', option: 'par', picked: existing?.pushedAuthorization === 'always' },
          { label: 'Always sign authorization requests (JAR)', description: 'PingOne requireSignedRequestObject', option: 'jar', picked: existing?.requestObject === 'always' },
        ]
      : []),
  ];
  const chosen = required(
    await vscode.window.showQuickPick(items, {
      title,
      canPickMany: true,
      ignoreFocusOut: true,
      placeHolder: 'Options (usually none: PAR and signed requests are used automatically when the server requires them)',
    }),
  ).map((i) => i.option);
  return {
    dpop: chosen.includes('dpop'),
    pushedAuthorization: chosen.includes('par') ? 'always' : existing?.pushedAuthorization === 'never' ? 'never' : 'auto',
    requestObject: chosen.includes('jar') ? 'always' : existing?.requestObject === 'never' ? 'never' : 'auto',
  };
}

/** private_key_jwt: generate a key (the default), or take a PEM/JWK pasted or from a file. */
async function promptPrivateKey(title: string, existing?: Application): Promise<{ privateKey?: string; signingAlg?: string }> {
  const keep = existing?.authMethod === 'private_key_jwt' && existing.keyId;
  const choice = await pick(
    [
      ...(keep ? [{ label: 'Keep the current key', description: `kid ${existing.keyId}`, value: 'keep' }] : []),
      { label: 'Generate a new RS256 key', description: 'then Copy Public JWKS and paste it into the application in the tenant', value: 'RS256' },
      { label: 'Generate a new ES256 key', description: 'smaller and faster (EC P-256)', value: 'ES256' },
      { label: 'Paste a private key…', description: 'PEM PKCS#8 or a private JWK', value: 'paste' },
      { label: 'Choose a key file…', description: 'PEM PKCS#8 or a private JWK (.pem, .key, .json)', value: 'file' },
    ],
    'Private key for private_key_jwt (kept in VS Code SecretStorage only)',
    title,
  );
  if (choice.value === 'keep') return {};
  if (choice.value === 'RS256' || choice.value === 'ES256') return { signingAlg: choice.value };
  if (choice.value === 'paste') {
    const pasted = required(await vscode.window.showInputBox({ title, prompt: 'Paste the private key (PEM PKCS#8 or a private JWK); it is not shown', password: true, ignoreFocusOut: true }));
    return { privateKey: pasted };
  }
  const [file] = required(await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Use this key', filters: { 'Private keys': ['pem', 'key', 'json', 'jwk'] } }));
  return { privateKey: new TextDecoder().decode(await vscode.workspace.fs.readFile(file)) };
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
