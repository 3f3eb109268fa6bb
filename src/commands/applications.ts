/** Add, edit and remove applications (OAuth clients). Secrets are asked with a password input. */
import vscode = require('vscode');
import {
  type Application,
  type ApplicationInput,
  CONFIDENTIAL_GRANTS,
  PRIVATE_KEY_ALGS,
  SECRET_JWT_ALGS,
  usesSecret,
  validateClientId,
  validateRedirectUri,
  validateScopes,
} from '../core/application';
import { validateName } from '../core/environment';
import type { AuthMethod } from '../core/oauth';
import type { Grant } from '../core/tokenSet';
import { invalidInput } from '../core/errors';
import { type CommandContext, chooseApplication, chooseEnvironment, command, confirm, pick, required } from './context';
import { asValidator } from './environments';

async function promptApplication(ctx: CommandContext, existing?: Application): Promise<ApplicationInput> {
  const title = existing ? `Edit ${existing.name}` : 'Add Application';
  const input = (prompt: string, validate: (v: string) => unknown, value?: string, extra: Partial<vscode.InputBoxOptions> = {}) =>
    vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: asValidator(validate), ...extra }).then((v) => required(v).trim());

  const clientId = await input('Client ID (Applications › your app › Configuration)', validateClientId, existing?.clientId);
  const authMethod = await pickAuthMethod(title, existing?.authMethod);
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
  const signing = await promptSigning(title, authMethod, existing);
  const grants = await pickGrants(title, authMethod, existing?.grants);
  const scopes = await input(
    'Default scopes, space-separated (optional)',
    validateScopes,
    existing?.scopes ?? (grants.includes('authorization_code') ? 'openid profile' : ''),
  );
  const redirectUri = grants.includes('authorization_code')
    ? await input(
        'Redirect URI registered for the app (optional; a loopback one such as http://127.0.0.1/callback lets VS Code receive the sign-in)',
        validateRedirectUri,
        existing?.redirectUri ?? 'http://127.0.0.1/callback',
      )
    : undefined;
  const options = await promptOptions(title, grants, existing);
  const name = await input('A name for this application', (v) => validateName(v), existing?.name ?? clientId);
  return { name, clientId, clientSecret, authMethod, grants, scopes: scopes || undefined, redirectUri: redirectUri || undefined, ...key, ...signing, ...options };
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
          {
            label: 'Always push authorization requests (PAR)',
            description: 'PingOne parRequirement: REQUIRED',
            option: 'par',
            picked: existing?.pushedAuthorization === 'always',
          },
          {
            label: 'Always sign authorization requests (JAR)',
            description: 'PingOne requireSignedRequestObject',
            option: 'jar',
            picked: existing?.requestObject === 'always',
          },
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

/** What each algorithm a generated key can have means, for the pick (RS256, the default, first). */
const KEY_ALG_DESCRIPTIONS: Record<(typeof PRIVATE_KEY_ALGS)[number], string> = {
  RS256: 'RSA 2048, SHA-256: what every server accepts (default)',
  RS384: 'RSA 2048, SHA-384',
  RS512: 'RSA 2048, SHA-512',
  PS256: 'RSA-PSS 2048, SHA-256 (FAPI)',
  ES256: 'EC P-256: smaller and faster',
  ES384: 'EC P-384',
};

const SECRET_ALG_DESCRIPTIONS: Record<(typeof SECRET_JWT_ALGS)[number], string> = {
  HS256: 'HMAC SHA-256 (default)',
  HS384: 'HMAC SHA-384 (a secret of 48 bytes or more)',
  HS512: 'HMAC SHA-512 (a secret of 64 bytes or more)',
};

/** private_key_jwt: generate a key (the default), or take a PEM/JWK pasted or from a file. */
async function promptPrivateKey(title: string, existing?: Application): Promise<{ privateKey?: string; signingAlg?: string }> {
  const keep = existing?.authMethod === 'private_key_jwt' && existing.keyId;
  const choice = await pick(
    [
      ...(keep ? [{ label: 'Keep the current key', description: `kid ${existing.keyId} (${existing.signingAlg ?? 'RS256'})`, value: 'keep' }] : []),
      ...PRIVATE_KEY_ALGS.map((alg) => ({ label: `Generate a new ${alg} key`, description: KEY_ALG_DESCRIPTIONS[alg], value: alg as string })),
      { label: 'Paste a private key…', description: 'PEM PKCS#8 or a private JWK', value: 'paste' },
      { label: 'Choose a key file…', description: 'PEM PKCS#8 or a private JWK (.pem, .key, .json)', value: 'file' },
    ],
    'Private key for private_key_jwt (kept in VS Code SecretStorage only; then Copy Public JWKS into the tenant)',
    title,
  );
  if (choice.value === 'keep') return {};
  if ((PRIVATE_KEY_ALGS as readonly string[]).includes(choice.value)) return { signingAlg: choice.value };
  if (choice.value === 'paste') {
    const pasted = required(
      await vscode.window.showInputBox({ title, prompt: 'Paste the private key (PEM PKCS#8 or a private JWK); it is not shown', password: true, ignoreFocusOut: true }),
    );
    return { privateKey: pasted };
  }
  const [file] = required(
    await vscode.window.showOpenDialog({ title, canSelectMany: false, openLabel: 'Use this key', filters: { 'Private keys': ['pem', 'key', 'json', 'jwk'] } }),
  );
  return { privateKey: new TextDecoder().decode(await vscode.workspace.fs.readFile(file)) };
}

/** client_secret_jwt: HS256 (default), HS384 or HS512. */
async function pickSecretAlg(title: string, current?: string): Promise<string> {
  return (
    await pick(
      SECRET_JWT_ALGS.map((alg) => ({ label: alg, description: SECRET_ALG_DESCRIPTIONS[alg], value: alg as string, picked: alg === (current ?? 'HS256') })),
      'Algorithm of the client assertion, signed with the client secret (must match the application on the server)',
      title,
    )
  ).value;
}

/** Whom a client assertion is addressed to (`aud`): the token endpoint (default) or the issuer. */
async function pickAssertionAudience(title: string, current?: 'token_endpoint' | 'issuer'): Promise<'token_endpoint' | 'issuer'> {
  return (
    await pick(
      [
        { label: 'Token endpoint', description: 'aud = the token endpoint URL (default; PingOne, RFC 7523)', value: 'token_endpoint' as const },
        { label: 'Issuer', description: 'aud = the issuer, for servers that accept only that', value: 'issuer' as const },
      ].map((i) => ({ ...i, picked: i.value === (current ?? 'token_endpoint') })),
      'Audience of the client assertion (aud)',
      title,
    )
  ).value;
}

/** JWT client authentication: the HMAC algorithm (client_secret_jwt) and the assertion's audience. */
async function promptSigning(title: string, authMethod: AuthMethod, existing?: Application): Promise<Pick<ApplicationInput, 'signingAlg' | 'assertionAudience'>> {
  if (authMethod !== 'client_secret_jwt' && authMethod !== 'private_key_jwt') return {};
  const signingAlg = authMethod === 'client_secret_jwt' ? await pickSecretAlg(title, existing?.authMethod === authMethod ? existing.signingAlg : undefined) : undefined;
  const assertionAudience = await pickAssertionAudience(title, existing?.assertionAudience);
  return { ...(signingAlg ? { signingAlg } : {}), assertionAudience };
}

type Field = 'name' | 'clientId' | 'clientSecret' | 'authMethod' | 'signingAlg' | 'assertionAudience' | 'grants' | 'scopes' | 'redirectUri';
const FIELDS: Array<{ field: Field; label: string }> = [
  { field: 'name', label: 'Name' },
  { field: 'clientId', label: 'Client ID' },
  { field: 'clientSecret', label: 'Client secret' },
  { field: 'authMethod', label: 'Auth method' },
  { field: 'signingAlg', label: 'Signing algorithm' },
  { field: 'assertionAudience', label: 'Assertion audience' },
  { field: 'grants', label: 'Grants' },
  { field: 'scopes', label: 'Default scopes' },
  { field: 'redirectUri', label: 'Redirect URI' },
];

const signsJwt = (authMethod: string) => authMethod === 'client_secret_jwt' || authMethod === 'private_key_jwt';

/** Edit Application's answer: the application as it should be, or (private_key_jwt) a new key with another algorithm. */
type Edit = { input: ApplicationInput } | { rotateTo: string };

function isField(v: unknown): v is Field {
  return FIELDS.some((f) => f.field === v);
}

/**
 * Edit Application: asks which field to change (or takes `field`), prompts for that one only, and
 * keeps the rest (PAR, JAR and DPoP settings too). Choosing an auth method that needs a secret asks
 * for one when none is stored; one that signs with a key asks for the key.
 */
async function promptApplicationField(ctx: CommandContext, existing: Application, requested?: Field): Promise<Edit> {
  const title = `Edit ${existing.name}`;
  const hasSecret = await ctx.service.hasClientSecret(existing.id);
  const current: Record<Field, string> = {
    name: existing.name,
    clientId: existing.clientId,
    clientSecret: existing.authMethod === 'none' ? 'none (public client)' : hasSecret ? 'stored' : 'missing',
    authMethod: existing.authMethod,
    signingAlg: existing.signingAlg ? `${existing.signingAlg}${existing.keyId ? ` · kid ${existing.keyId}` : ''}` : '',
    assertionAudience: existing.assertionAudience === 'issuer' ? 'issuer' : 'token endpoint',
    grants: existing.grants.join(', '),
    scopes: existing.scopes ?? '',
    redirectUri: existing.redirectUri ?? '',
  };
  const shown = (f: Field) =>
    (f !== 'redirectUri' || existing.grants.includes('authorization_code')) && ((f !== 'signingAlg' && f !== 'assertionAudience') || signsJwt(existing.authMethod));
  if (requested && !shown(requested)) {
    throw invalidInput(
      requested,
      `"${existing.name}" uses ${existing.authMethod}, which has no ${(FIELDS.find((f) => f.field === requested)?.label ?? requested).toLowerCase()}.`,
    );
  }
  const field =
    requested ??
    (
      await pick(
        FIELDS.filter((f) => shown(f.field)).map((f) => ({ label: f.label, description: current[f.field], field: f.field })),
        'What do you want to change?',
        title,
      )
    ).field;
  // Everything the application has now, so a change to one field keeps the others (as api.updateApplication does).
  const { id: _id, environmentId: _env, keyId: _kid, origin: _origin, ...base } = existing;
  const input = (prompt: string, validate: (v: string) => unknown, value?: string, extra: Partial<vscode.InputBoxOptions> = {}) =>
    vscode.window.showInputBox({ title, prompt, value, ignoreFocusOut: true, validateInput: asValidator(validate), ...extra }).then((v) => required(v).trim());
  const askSecret = () =>
    input(
      'Client secret (stored in VS Code SecretStorage only)',
      (v) => (v ? undefined : invalidInput('clientSecret', 'A client secret is required for this auth method.')),
      undefined,
      { password: true },
    );
  const edited = (patch: Partial<ApplicationInput>): Edit => ({ input: { ...base, ...patch } });
  switch (field) {
    case 'name':
      return edited({ name: await input('A name for this application', (v) => validateName(v), existing.name) });
    case 'clientId':
      return edited({ clientId: await input('Client ID (Applications › your app › Configuration)', validateClientId, existing.clientId) });
    case 'clientSecret':
      if (existing.authMethod === 'none') throw invalidInput('clientSecret', `"${existing.name}" is a public client (auth method none): change its auth method first.`);
      return edited({ clientSecret: await askSecret() });
    case 'authMethod': {
      const authMethod = await pickAuthMethod(title, existing.authMethod);
      if (authMethod === existing.authMethod) return edited({});
      // A new auth method brings its own signing algorithm (HS* for secrets, the key's for private keys).
      const key = authMethod === 'private_key_jwt' ? await promptPrivateKey(title, existing) : {};
      const clientSecret = usesSecret(authMethod) && (existing.authMethod === 'none' || !hasSecret) ? await askSecret() : undefined;
      const signing = await promptSigning(title, authMethod, existing);
      return edited({ authMethod, signingAlg: undefined, clientSecret, ...key, ...signing });
    }
    case 'signingAlg': {
      if (existing.authMethod === 'client_secret_jwt') return edited({ signingAlg: await pickSecretAlg(title, existing.signingAlg) });
      // A private key has one algorithm: another one means a new key (the old one stays in the JWKS).
      const choice = await pick(
        PRIVATE_KEY_ALGS.filter((alg) => alg !== existing.signingAlg).map((alg) => ({
          label: `Generate a new ${alg} key`,
          description: KEY_ALG_DESCRIPTIONS[alg],
          value: alg as string,
        })),
        `The key signs with ${existing.signingAlg ?? 'RS256'}: another algorithm needs a new key (the old public key stays in the JWKS until you remove it)`,
        title,
      );
      return { rotateTo: choice.value };
    }
    case 'assertionAudience':
      return edited({ assertionAudience: await pickAssertionAudience(title, existing.assertionAudience) });
    case 'grants':
      return edited({ grants: await pickGrants(title, existing.authMethod, existing.grants) });
    case 'scopes':
      return edited({ scopes: (await input('Default scopes, space-separated (optional)', validateScopes, existing.scopes ?? '')) || undefined });
    case 'redirectUri':
      return edited({ redirectUri: (await input('Redirect URI registered for the app (optional)', validateRedirectUri, existing.redirectUri ?? '')) || undefined });
  }
}

const AUTH_METHOD_ITEMS = [
  { label: 'client_secret_basic', description: 'secret in the Authorization header (PingOne default)', value: 'client_secret_basic' as AuthMethod },
  { label: 'client_secret_post', description: 'secret in the form body', value: 'client_secret_post' as AuthMethod },
  { label: 'private_key_jwt', description: 'a JWT signed with a private key kept in VS Code (PingOne PRIVATE_KEY_JWT)', value: 'private_key_jwt' as AuthMethod },
  { label: 'client_secret_jwt', description: 'a JWT signed with the client secret (PingOne CLIENT_SECRET_JWT)', value: 'client_secret_jwt' as AuthMethod },
  { label: 'none', description: 'public client (native/SPA), PKCE only', value: 'none' as AuthMethod },
];

async function pickAuthMethod(title: string, current?: AuthMethod): Promise<AuthMethod> {
  return (
    await pick(
      AUTH_METHOD_ITEMS.map((i) => ({ ...i, picked: i.value === current })),
      'Token endpoint auth method (must match the application on the server)',
      title,
    )
  ).value;
}

const GRANT_ITEMS = [
  { label: 'Client credentials', description: 'worker/service tokens', grant: 'client_credentials' as Grant },
  { label: 'Authorization code + PKCE', description: 'user sign-in in the browser', grant: 'authorization_code' as Grant },
  { label: 'Device code', description: 'sign-in on another device (CLIs, TVs)', grant: 'device_code' as Grant },
  { label: 'Token exchange', description: 'exchange a stored token for another (RFC 8693)', grant: 'token_exchange' as Grant },
  { label: 'CIBA', description: "backchannel authentication, approved on the user's phone", grant: 'ciba' as Grant },
  { label: 'Resource-owner password', description: 'username and password (PingFederate)', grant: 'password' as Grant },
];

async function pickGrants(title: string, authMethod: AuthMethod, current?: Grant[]): Promise<Grant[]> {
  const grantItems = GRANT_ITEMS.filter((g) => authMethod !== 'none' || !CONFIDENTIAL_GRANTS.includes(g.grant));
  if (grantItems.length === 1) return [grantItems[0].grant];
  return required(
    await vscode.window.showQuickPick(
      grantItems.map((g) => ({ ...g, picked: current ? current.includes(g.grant) : g.grant === 'client_credentials' || g.grant === 'authorization_code' })),
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
      const edit: Edit = isInput(input) ? { input } : await promptApplicationField(ctx, service.getApplication(id), isField(field) ? field : undefined);
      if ('rotateTo' in edit) {
        await vscode.commands.executeCommand('pingone.rotateKey', id, { signingAlg: edit.rotateTo });
        return service.getApplication(id);
      }
      const app = await service.updateApplication(id, edit.input);
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
