/** Add, edit and remove environments. With an input object as argument no prompt is shown. */
import vscode = require('vscode');
import {
  type Environment,
  type EnvironmentInput,
  REGIONS,
  type Region,
  validateBaseUrl,
  validateEnvironment,
  validateEnvironmentId,
  validateName,
} from '../core/environment';
import { ExplorerError, isExplorerError } from '../core/errors';
import { environmentFromUrl } from '../core/pastedEnvironment';
import { errorMessage } from '../platform/errors';
import { environmentChecks } from '../tree/checks';
import { type CommandContext, chooseEnvironment, command, confirm, pick, required } from './context';
import { confirmIssuerChange } from './issuerChange';

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

/** Validation messages in the prompt's words: "The auth base URL is required", not "authBaseUrl is required". */
const FIELD_WORDS: Record<string, string> = { authBaseUrl: 'The auth base URL', issuer: 'The issuer URL' };
function inWords(field: string, validate: (v: string) => unknown): (v: string) => unknown {
  const words = FIELD_WORDS[field];
  return (v) => {
    try {
      return validate(v);
    } catch (err) {
      if (isExplorerError(err) && words && err.message.startsWith(field))
        throw new ExplorerError(err.code, `${words}${err.message.slice(field.length)}`, { field: err.field });
      throw err;
    }
  };
}

/** An environment ID, or a pasted console or issuer URL that contains one. */
function environmentIdOf(value: string): { environmentId: string; region?: Region } {
  return environmentFromUrl(value) ?? { environmentId: validateEnvironmentId(value) };
}

async function ask(title: string, prompt: string, validate: (v: string) => unknown, value?: string, placeHolder?: string): Promise<string> {
  return required(await vscode.window.showInputBox({ title, prompt, value, placeHolder, ignoreFocusOut: true, validateInput: asValidator(validate) })).trim();
}

const KIND_TITLE = { pingone: 'Add PingOne Environment', pingfederate: 'Add PingFederate Environment', oidc: 'Add OpenID Connect Provider' } as const;

/** "no applications", "1 application", "3 applications". */
export function countOf(n: number, noun: string): string {
  return n === 0 ? `no ${noun}s` : `${n} ${noun}${n === 1 ? '' : 's'}`;
}

async function promptEnvironment(existing?: Environment): Promise<EnvironmentInput> {
  const kind =
    existing?.kind ??
    (
      await pick(
        [
          { label: 'PingOne', description: 'region + environment ID', envKind: 'pingone' as const },
          { label: 'PingFederate', description: 'base URL, e.g. https://sso.example.com:9031', envKind: 'pingfederate' as const },
          { label: 'Other OpenID Connect provider', description: 'issuer URL', envKind: 'oidc' as const },
        ],
        'What kind of environment?',
        'Add Environment',
      )
    ).envKind;
  const title = existing ? `Edit ${existing.name}` : KIND_TITLE[kind];
  if (kind === 'pingone') {
    const regionItems = [
      ...Object.entries(REGIONS).map(([region, r]) => ({ label: region, description: `${r.label} · ${r.authBase}`, region, custom: false })),
      { label: 'Custom auth base URL…', description: 'custom domain or a local PingOne-compatible server', region: '', custom: true },
    ];
    const choice = await pick(regionItems, 'Region', title);
    const authBaseUrl = choice.custom
      ? await ask(
          title,
          'Auth base URL (the part before /{environmentId}/as)',
          inWords('authBaseUrl', (v) => validateBaseUrl('authBaseUrl', v)),
          existing?.authBaseUrl,
          'https://auth.example.com',
        )
      : undefined;
    const pasted = environmentIdOf(
      await ask(
        title,
        'Environment ID (a UUID from Settings › Environment Properties), or paste the console URL or the issuer URL',
        environmentIdOf,
        existing?.environmentId,
      ),
    );
    // A pasted PingOne URL also says where the environment lives.
    const region = choice.custom ? undefined : (pasted.region ?? choice.region);
    const name = await ask(title, 'A name for this environment', (v) => validateName(v), existing?.name ?? `PingOne ${choice.custom ? 'custom' : region}`);
    return { kind, name, environmentId: pasted.environmentId, region, authBaseUrl, apiBaseUrl: existing?.apiBaseUrl };
  }
  const issuer = await ask(
    title,
    kind === 'pingfederate' ? 'PingFederate base URL (its issuer)' : 'Issuer URL (discovery is at {issuer}/.well-known/openid-configuration)',
    inWords('issuer', (v) => validateBaseUrl('issuer', v)),
    existing?.issuer,
    'https://…',
  );
  const name = await ask(title, 'A name for this environment', (v) => validateName(v), existing?.name ?? new URL(issuer).host);
  return { kind, name, issuer };
}

/**
 * Edit Environment: asks which field to change first (name; region or auth base URL and the
 * environment ID for PingOne; the issuer URL otherwise) and keeps the rest.
 */
async function promptEnvironmentField(existing: Environment, requested?: string): Promise<EnvironmentInput> {
  const title = `Edit ${existing.name}`;
  const base: EnvironmentInput = {
    kind: existing.kind,
    name: existing.name,
    environmentId: existing.environmentId,
    region: existing.region,
    authBaseUrl: existing.authBaseUrl,
    issuer: existing.issuer,
  };
  const fields =
    existing.kind === 'pingone'
      ? [
          { label: 'Name', description: existing.name, field: 'name' },
          { label: 'Region or auth base URL', description: existing.authBaseUrl ?? existing.region ?? '', field: 'region' },
          { label: 'Environment ID', description: existing.environmentId ?? '', field: 'environmentId' },
        ]
      : [
          { label: 'Name', description: existing.name, field: 'name' },
          { label: existing.kind === 'pingfederate' ? 'Base URL (issuer)' : 'Issuer URL', description: existing.issuer, field: 'issuer' },
        ];
  const field = fields.find((f) => f.field === requested)?.field ?? (await pick(fields, 'What do you want to change?', title)).field;
  switch (field) {
    case 'name':
      return { ...base, name: await ask(title, 'A name for this environment', (v) => validateName(v), existing.name) };
    case 'environmentId': {
      const pasted = environmentIdOf(await ask(title, 'Environment ID (a UUID), or paste the console URL or the issuer URL', environmentIdOf, existing.environmentId));
      return { ...base, environmentId: pasted.environmentId, region: existing.authBaseUrl ? undefined : (pasted.region ?? existing.region) };
    }
    case 'region': {
      const choice = await pick(
        [
          ...Object.entries(REGIONS).map(([region, r]) => ({ label: region, description: `${r.label} · ${r.authBase}`, region, custom: false })),
          { label: 'Custom auth base URL…', description: 'custom domain or a local PingOne-compatible server', region: '', custom: true },
        ],
        'Region',
        title,
      );
      if (!choice.custom) return { ...base, region: choice.region, authBaseUrl: undefined };
      const authBaseUrl = await ask(
        title,
        'Auth base URL (the part before /{environmentId}/as)',
        inWords('authBaseUrl', (v) => validateBaseUrl('authBaseUrl', v)),
        existing.authBaseUrl,
      );
      return { ...base, region: undefined, authBaseUrl };
    }
    default:
      return {
        ...base,
        issuer: await ask(
          title,
          'Issuer URL',
          inWords('issuer', (v) => validateBaseUrl('issuer', v)),
          existing.issuer,
        ),
      };
  }
}

/** An environment identical to an existing one (same issuer) is added only when the user says so. */
async function askIfDuplicate(ctx: CommandContext, input: EnvironmentInput): Promise<EnvironmentInput> {
  const issuer = validateEnvironment(input, 'new').issuer;
  const same = ctx.service.listEnvironments().find((e) => e.issuer === issuer);
  if (!same) return input;
  const answer = await vscode.window.showWarningMessage(
    `"${same.name}" already uses the issuer ${issuer}.`,
    { modal: true, detail: 'Add a second environment for it?' },
    'Add Anyway',
  );
  return answer === 'Add Anyway' ? input : required<EnvironmentInput>(undefined);
}

/** Runs discovery once in the background and shows the outcome on the environment (never blocks the add). */
function checkDiscovery(ctx: CommandContext, env: Environment): void {
  environmentChecks.set(env.id, { state: 'checking' });
  ctx.service.endpoints(env.id).then(
    (endpoints) => environmentChecks.set(env.id, { state: 'reachable', issuer: endpoints.issuer, discovery: endpoints.source === 'discovery' }),
    (err: unknown) => {
      const message = errorMessage(err);
      ctx.log.info(`Discovery for "${env.name}" failed: ${message}`);
      environmentChecks.set(env.id, { state: 'failed', message });
    },
  );
}

function isInput(v: unknown): v is EnvironmentInput {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** The environment commands' handlers by command id; registered at activation, loaded on first use (features.ts). */
export function environmentCommands(ctx: CommandContext) {
  const { service } = ctx;
  return {
    'pingone.addEnvironment': command(ctx, 'Add environment', async (input?: unknown) => {
      const env = await service.addEnvironment(isInput(input) ? input : await askIfDuplicate(ctx, await promptEnvironment()));
      ctx.log.info(`Added environment "${env.name}" (${env.issuer})`);
      checkDiscovery(ctx, env);
      return env;
    }),
    'pingone.editEnvironment': command(ctx, 'Edit environment', async (arg?: unknown, input?: unknown) => {
      const id = await chooseEnvironment(ctx, arg);
      const field = (input as { field?: unknown } | undefined)?.field;
      const next = isInput(input) ? input : await promptEnvironmentField(service.getEnvironment(id), typeof field === 'string' ? field : undefined);
      await confirmIssuerChange(service, service.getEnvironment(id), next);
      const env = await service.updateEnvironment(id, next);
      checkDiscovery(ctx, env);
      return env;
    }),
    'pingone.removeEnvironment': command(ctx, 'Remove environment', async (arg?: unknown, options?: unknown) => {
      const id = await chooseEnvironment(ctx, arg);
      const env = service.getEnvironment(id);
      const apps = service.listApplications(id).length;
      await confirm(
        apps
          ? `Remove "${env.name}"? Its ${countOf(apps, 'application')}, ${apps === 1 ? 'its client secret' : 'their client secrets'} and all their tokens are deleted from VS Code.`
          : `Remove "${env.name}"? It has no applications.`,
        'Remove',
        options,
      );
      await service.removeEnvironment(id);
      return true;
    }),
  };
}
