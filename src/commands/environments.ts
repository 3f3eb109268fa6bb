/** Add, edit and remove environments. With an input object as argument no prompt is shown. */
import vscode = require('vscode');
import { Environment, EnvironmentInput, REGIONS, validateBaseUrl, validateEnvironmentId, validateName } from '../core/environment';
import { isExplorerError } from '../core/errors';
import { CommandContext, chooseEnvironment, command, confirm, pick, required } from './context';

/** Turns a validator into `validateInput`: the reason as typed, or nothing when valid. */
export function asValidator(validate: (value: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    try {
      validate(value);
      return undefined;
    } catch (err) {
      return isExplorerError(err) ? err.message : String(err);
    }
  };
}

async function ask(title: string, prompt: string, validate: (v: string) => unknown, value?: string, placeHolder?: string): Promise<string> {
  return required(
    await vscode.window.showInputBox({ title, prompt, value, placeHolder, ignoreFocusOut: true, validateInput: asValidator(validate) }),
  ).trim();
}

async function promptEnvironment(existing?: Environment): Promise<EnvironmentInput> {
  const title = existing ? `Edit ${existing.name}` : 'Add PingOne Environment';
  const kind = existing?.kind ??
    (
      await pick(
        [
          { label: 'PingOne', description: 'region + environment ID', envKind: 'pingone' as const },
          { label: 'PingFederate', description: 'base URL, e.g. https://sso.example.com:9031', envKind: 'pingfederate' as const },
          { label: 'Other OpenID Connect provider', description: 'issuer URL', envKind: 'oidc' as const },
        ],
        'What kind of environment?',
        title,
      )
    ).envKind;
  if (kind === 'pingone') {
    const regionItems = [
      ...Object.entries(REGIONS).map(([region, r]) => ({ label: region, description: `${r.label} · ${r.authBase}`, region, custom: false })),
      { label: 'Custom auth base URL…', description: 'custom domain or a local PingOne-compatible server', region: '', custom: true },
    ];
    const choice = await pick(regionItems, 'Region', title);
    const authBaseUrl = choice.custom
      ? await ask(title, 'Auth base URL (the part before /{environmentId}/as)', (v) => validateBaseUrl('authBaseUrl', v), existing?.authBaseUrl, 'https://auth.example.com')
      : undefined;
    const environmentId = await ask(title, 'Environment ID (a UUID, from Settings › Environment Properties)', validateEnvironmentId, existing?.environmentId);
    const name = await ask(title, 'A name for this environment', (v) => validateName(v), existing?.name ?? `PingOne ${choice.custom ? 'custom' : choice.region}`);
    return { kind, name, environmentId, region: choice.custom ? undefined : choice.region, authBaseUrl, apiBaseUrl: existing?.apiBaseUrl };
  }
  const issuer = await ask(
    title,
    kind === 'pingfederate' ? 'PingFederate base URL (its issuer)' : 'Issuer URL (discovery is at {issuer}/.well-known/openid-configuration)',
    (v) => validateBaseUrl('issuer', v),
    existing?.issuer,
    'https://…',
  );
  const name = await ask(title, 'A name for this environment', (v) => validateName(v), existing?.name ?? new URL(issuer).host);
  return { kind, name, issuer };
}

function isInput(v: unknown): v is EnvironmentInput {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** The environment commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function environmentCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.addEnvironment': command(ctx, 'Add environment', async (input?: unknown) => {
      const env = await service.addEnvironment(isInput(input) ? input : await promptEnvironment());
      ctx.log.info(`Added environment "${env.name}" (${env.issuer})`);
      return env;
    }),
    'pingone.editEnvironment': command(ctx, 'Edit environment', async (arg?: unknown, input?: unknown) => {
      const id = await chooseEnvironment(ctx, arg);
      return service.updateEnvironment(id, isInput(input) ? input : await promptEnvironment(service.getEnvironment(id)));
    }),
    'pingone.removeEnvironment': command(ctx, 'Remove environment', async (arg?: unknown, options?: unknown) => {
      const id = await chooseEnvironment(ctx, arg);
      const env = service.getEnvironment(id);
      const apps = service.listApplications(id).length;
      await confirm(
        `Remove "${env.name}"? Its ${apps} application(s), their client secrets and all their tokens are deleted from VS Code.`,
        'Remove',
        options,
      );
      await service.removeEnvironment(id);
      return true;
    }),
  };
}
