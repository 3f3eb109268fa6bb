/** Add, edit and remove applications (OAuth clients). Secrets are asked with a password input. */
import vscode = require('vscode');
import { type Application, type ApplicationInput, CONFIDENTIAL_GRANTS, usesSecret, validateClientId, validateRedirectUri, validateScopes } from '../core/application';
import { validateName } from '../core/environment';
import type { AuthMethod } from '../core/oauth';
import type { Grant } from '../core/tokenSet';
import { invalidInput } from '../core/errors';
import { type CommandContext, chooseApplication, chooseEnvironment, command, confirm, pick, required } from './context';
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

type Field = 'name' | 'clientId' | 'clientSecret' | 'authMethod' | 'grants' | 'scopes' | 'redirectUri';
const FIELDS: Array<{ field: Field; label: string }> = [
  { field: 'name', label: 'Name' },
  { field: 'clientId', label: 'Client ID' },
  { field: 'clientSecret', label: 'Client secret' },
  { field: 'authMethod', label: 'Auth method' },
  { field: 'grants', label: 'Grants' },
  { field: 'scopes', label: 'Default scopes' },
  { field: 'redirectUri', label: 'Redirect URI' },
];

function isField(v: unknown): v is Field {
  return FIELDS.some((f) => f.field === v);
}

/**
 * Edit Application: asks which field to change (or takes `field`), prompts for that one only, and
 * keeps the rest. Choosing an auth method that needs a secret asks for one when none is stored.
 */
async function promptApplicationField(ctx: CommandContext, existing: Application, requested?: Field): Promise<ApplicationInput> {
  const title = `Edit ${existing.name}`;
  const hasSecret = await ctx.service.hasClientSecret(existing.id);
  const current: Record<Field, string> = {
    name: existing.name,
    clientId: existing.clientId,
    clientSecret: existing.authMethod === 'none' ? 'none (public client)' : hasSecret ? 'stored' : 'missing',
    authMethod: existing.authMethod,
    grants: existing.grants.join(', '),
    scopes: existing.scopes ?? '',
    redirectUri: existing.redirectUri ?? '',
  };
  const field =
    requested ??
    (await pick(
      FIELDS.filter((f) => f.field !== 'redirectUri' || existing.grants.includes('authorization_code')).map((f) => ({ label: f.label, description: current[f.field], field: f.field })),
      'What do you want to change?',
      title,
    )).field;
  const base: ApplicationInput = { name: existing.name, clientId: existing.clientId, authMethod: existing.authMethod, grants: existing.grants, scopes: existing.scopes, redirectUri: existing.redirectUri };
  const input = (prompt: string, validate: (v: string) => unknown, value?: string, extra: Partial<vscode.InputBoxOptions> = {}) =>
    vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: asValidator(validate), ...extra }).then((v) => required(v).trim());
  const askSecret = () =>
    input('Client secret (stored in VS Code SecretStorage only)', (v) => (v ? undefined : invalidInput('clientSecret', 'A client secret is required for this auth method.')), undefined, { password: true });
  switch (field) {
    case 'name':
      return { ...base, name: await input('A name for this application', (v) => validateName(v), existing.name) };
    case 'clientId':
      return { ...base, clientId: await input('Client ID (Applications › your app › Configuration)', validateClientId, existing.clientId) };
    case 'clientSecret':
      if (existing.authMethod === 'none') throw invalidInput('clientSecret', `"${existing.name}" is a public client (auth method none): change its auth method first.`);
      return { ...base, clientSecret: await askSecret() };
    case 'authMethod': {
      const authMethod = await pickAuthMethod(title, existing.authMethod);
      return { ...base, authMethod, clientSecret: authMethod !== 'none' && (existing.authMethod === 'none' || !hasSecret) ? await askSecret() : undefined };
    }
    case 'grants': {
      const grants = await pickGrants(title, base.authMethod as AuthMethod, existing.grants);
      return { ...base, grants };
    }
    case 'scopes':
      return { ...base, scopes: (await input('Default scopes, space-separated (optional)', validateScopes, existing.scopes ?? '')) || undefined };
    case 'redirectUri':
      return { ...base, redirectUri: (await input('Redirect URI registered for the app (optional)', validateRedirectUri, existing.redirectUri ?? '')) || undefined };
  }
}

async function pickAuthMethod(title: string, current?: AuthMethod): Promise<AuthMethod> {
  return (
    await pick(
      [
        { label: 'client_secret_basic', description: 'secret in the Authorization header (PingOne default)', value: 'client_secret_basic' as AuthMethod },
        { label: 'client_secret_post', description: 'secret in the form body', value: 'client_secret_post' as AuthMethod },
        { label: 'none', description: 'public client (native/SPA), PKCE only', value: 'none' as AuthMethod },
      ].map((i) => ({ ...i, picked: i.value === current })),
      'Token endpoint auth method (must match the application on the server)',
      title,
    )
  ).value;
}

async function pickGrants(title: string, authMethod: AuthMethod, current?: Grant[]): Promise<Grant[]> {
  const grantItems = [
    { label: 'Client credentials', description: 'worker/service tokens', grant: 'client_credentials' as Grant },
    { label: 'Authorization code + PKCE', description: 'user sign-in in the browser', grant: 'authorization_code' as Grant },
  ].filter((g) => authMethod !== 'none' || g.grant !== 'client_credentials');
  if (grantItems.length === 1) return [grantItems[0].grant];
  return required(
    await vscode.window.showQuickPick(
      grantItems.map((g) => ({ ...g, picked: current ? current.includes(g.grant) : true })),
      { title, canPickMany: true, placeHolder: 'Grants this application uses', ignoreFocusOut: true },
    ),
  ).map((g) => g.grant);
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
      const field = (input as { field?: unknown } | undefined)?.field;
      const app = await service.updateApplication(id, isInput(input) ? input : await promptApplicationField(ctx, service.getApplication(id), isField(field) ? field : undefined));
      void vscode.window.setStatusBarMessage(`$(check) ${app.name} saved`, 3000);
      return app;
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
